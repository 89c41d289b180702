/**
 * RESP requests whose declared sizes are huge cost the server nothing before
 * they are refused: 100 connections each declaring `*1000000` and sending 4 MB
 * of `:1` elements. (Before the fix: ~75–100 MB of heap each; about 76 such
 * connections killed the server with "JavaScript heap out of memory".)
 */
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { RespChannel } from "../../runtime/resp/resp-channel.js";
import { ChaosService } from "./support/chaos-service.js";
import { waitUntil } from "./support/chaos-process.js";
import { useChaosServer } from "./support/chaos-fixture.js";

const MiB = 1024 * 1024;
const GB = 1000 * MiB;
const connections = 100;

const chaos = useChaosServer();

/** Opens a connection, declares a million-element array and sends 4 MB of elements; resolves when the server has closed it or all is sent. */
async function unfinishedArray(): Promise<"closed" | "open"> {
  const socket = await chaos.openSocket();
  const closed = new Promise<"closed">((resolve) => socket.once("close", () => resolve("closed")));
  const elements = Buffer.from(":1\r\n".repeat(256 * 1024));
  socket.write("*1000000\r\n");
  for (let sent = 0; sent < 4 && !socket.destroyed; sent++) {
    const flushed = new Promise<"open">((resolve) => socket.write(elements, () => resolve("open")));
    if ((await Promise.race([flushed, closed])) === "closed") return "closed";
  }
  return Promise.race([closed, new Promise<"open">((resolve) => setTimeout(() => resolve("open"), 10_000))]);
}

describe("100 connections each sending an unfinished `*1000000` RESP array", () => {
  it("are refused at their header; the server stays small and serves a new client", async () => {
    const outcomes = await Promise.all(Array.from({ length: connections }, () => unfinishedArray()));
    // Every one was refused at its header, as the server's log says (on a loaded machine a client
    // may see its close later than the server made it, so the server's word is the judge here).
    const refusals = (): number => chaos.server.stderr().split("request of 1000000 arguments needs about").length - 1;
    expect(await waitUntil(() => refusals() === connections, 20_000)).toBe(true);
    expect(outcomes.filter((outcome) => outcome === "closed").length).toBeGreaterThan(0);
    expect(chaos.server.alive()).toBe(true);
    const channel = new RespChannel({ port: chaos.server.port });
    try {
      expect(await channel.invoke(ChaosService.methods.add!, [1, 2])).toBe(3);
    } finally {
      await channel.close();
    }
    expect(chaos.server.peakRssBytes()).toBeLessThan(GB);
    expect(chaos.server.stderr()).toMatch(/protocol error/i);
    console.log(`chaos: ${connections} unfinished *1000000 RESP arrays: peak RSS ${Math.round(chaos.server.peakRssBytes() / MiB)} MB, all refused`);
  }, 60_000);
});
