/**
 * A flood of connections that never finish a request (silent, half a RESP
 * command, half a binary frame) up to the connection limit must not lock new
 * clients out. (Before the fix: with idleTimeoutMs 5000, 10,000 half-sent RESP
 * connections were still open after 40 s and every new client was refused.)
 */
import { describe, expect, it } from "vitest";
import { Channel } from "../../runtime/client/channel.js";
import { RespChannel } from "../../runtime/resp/resp-channel.js";
import { ChaosService } from "./support/chaos-service.js";
import { waitUntil } from "./support/chaos-process.js";
import { useChaosServer } from "./support/chaos-fixture.js";

const maxConnections = 3000;
const idleTimeoutMs = 2000;
const m = ChaosService.methods;

const chaos = useChaosServer({ maxConnections, idleTimeoutMs });

/** What each stalled connection sends, by turns: nothing, half a RESP command, half a binary frame. */
const halves = [Buffer.alloc(0), Buffer.from("*3\r\n$4\r\nCALL\r\n$11\r\nChaos.a"), Buffer.from([0xb5, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01])];

async function stall(index: number): Promise<void> {
  const socket = await chaos.openSocket();
  const half = halves[index % halves.length]!;
  if (half.length > 0) socket.write(half);
}

describe("a flood of stalled connections at the connection limit", () => {
  it("does not stop a new client from being served within 3 × the idle timeout", async () => {
    for (let batch = 0; batch < maxConnections; batch += 500) {
      await Promise.all(Array.from({ length: 500 }, (_, i) => stall(batch + i)));
    }
    // The flood is in: every slot is taken by a connection that never finished a request.
    expect(await waitUntil(() => chaos.sockets.every((socket) => socket.readyState === "open"), 2000)).toBe(true);
    const started = Date.now();
    const binary = new Channel({ address: `127.0.0.1:${chaos.server.port}`, codec: "binary" });
    const resp = new RespChannel({ port: chaos.server.port });
    try {
      expect(await binary.invoke(m.add!, [1, 2], { timeoutMs: 3 * idleTimeoutMs })).toBe(3);
      expect(await resp.invoke(m.add!, [2, 3])).toBe(5);
    } finally {
      binary.destroy();
      await resp.close();
    }
    const servedInMs = Date.now() - started;
    expect(servedInMs).toBeLessThan(3 * idleTimeoutMs);
    expect(chaos.server.alive()).toBe(true);
    // And the stalled connections do not stay: the handshake timeout and the idle sweep close them.
    const cleared = await waitUntil(() => chaos.sockets.filter((socket) => !socket.destroyed && socket.readyState === "open").length < maxConnections / 2, 15_000);
    expect(cleared).toBe(true);
    console.log(`chaos: ${maxConnections} stalled connections at the limit: new client served in ${servedInMs} ms`);
  }, 60_000);
});
