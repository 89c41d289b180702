/**
 * Thrift messages that declare much and send little cost the server about what
 * was sent: 300 connections each declaring a 4 MiB frame (framed) or a 4 MiB
 * binary (unframed) and sending 64 KiB of it, to a server in a process of its
 * own (the chaos tests' server), which then serves a new client. (That nothing
 * of the declared size is even reserved is checked on the reader itself, in
 * message-reader.test.ts: untouched pages would not show in the RSS.)
 */
import { describe, expect, it } from "vitest";
import { ThriftChannel } from "@rpcgen/runtime";
import { ChaosService } from "../../chaos/support/chaos-service.js";
import { useChaosServer } from "../../chaos/support/chaos-fixture.js";
import { MessageType, TType } from "../../../runtime/protocols/thrift/thrift-wire-types.js";
import { message, type Variant } from "./support/raw-thrift.js";

const MiB = 1024 * 1024;
const connections = 300;
const declaredBytes = 4 * MiB - 64;
const sentBytes = 64 * 1024;

const chaos = useChaosServer();

/** A `Chaos:bodySize` call whose binary argument declares `declaredBytes`, cut after `sentBytes` of it. */
function unfinishedCall(variant: Variant): Buffer {
  const whole = message(variant, (out) => {
    out.messageBegin("Chaos:bodySize", MessageType.CALL, 1);
    out.structBegin();
    out.fieldBegin(TType.STRING, 1);
    out.int32BE(declaredBytes);
  });
  if (variant.framed) whole.writeInt32BE(whole.length - 4 + declaredBytes, 0);
  return Buffer.concat([whole, Buffer.alloc(sentBytes, 0x61)]);
}

async function stall(bytes: Buffer): Promise<void> {
  const socket = await chaos.openSocket();
  // In pieces, as a slow sender's bytes arrive.
  for (let at = 0; at < bytes.length; at += 8192) {
    await new Promise<void>((resolve) => socket.write(bytes.subarray(at, at + 8192), () => resolve()));
  }
}

describe("300 connections each declaring 4 MiB and sending 64 KiB", () => {
  it.each([
    ["framed", { framed: true, compact: false }],
    ["unframed", { framed: false, compact: false }],
  ] as const)(
    "%s: the server holds about what arrived, and serves a new client",
    async (_name, variant) => {
      const rssBefore = chaos.server.rssBytes();
      const bytes = unfinishedCall(variant);
      await Promise.all(Array.from({ length: connections }, () => stall(bytes)));
      // Give the server a moment to read everything that was written.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(chaos.server.alive()).toBe(true);
      const grewBy = chaos.server.rssBytes() - rssBefore;
      // 300 × 64 KiB = 19 MiB arrived; at most twice that is kept, plus the sockets' own buffers.
      expect(grewBy).toBeLessThan(150 * MiB);
      const channel = new ThriftChannel({ address: `127.0.0.1:${chaos.server.port}`, multiplexed: true });
      try {
        expect(await channel.invoke(ChaosService.methods.add!, [1, 2])).toBe(3);
      } finally {
        await channel.close();
      }
      console.log(
        `thrift: ${connections} unfinished ${_name} 4 MiB calls, 64 KiB sent each: RSS grew ${Math.round(grewBy / MiB)} MB`,
      );
      chaos.destroySockets();
    },
    60_000,
  );
});
