import { connect, type Socket } from "node:net";
import type { CaseSpec } from "../case-spec.js";
import { oneMiB, smallCount, smallText, structItems } from "../payloads.js";
import { readRawFrames, writeRawFrame, type RawReply } from "../raw-framing.js";
import { roundRobin, type BenchClient } from "./bench-client.js";

/** The raw baseline's client: request ids, a pending map, nothing else. */
export async function openRawClient(
  spec: CaseSpec,
  port: number,
): Promise<BenchClient> {
  const pending = new Map<number, (result: unknown) => void>();
  let nextId = 1;
  const sockets: Socket[] = [];
  await Promise.all(
    Array.from({ length: spec.connections }, () => {
      const socket = connect({ host: "127.0.0.1", port, noDelay: true });
      sockets.push(socket);
      readRawFrames(socket, (body) => {
        const reply = body as RawReply;
        const resolve = pending.get(reply.id);
        pending.delete(reply.id);
        resolve?.(reply.result);
      });
      return new Promise<void>((resolve, reject) => {
        socket.once("connect", () => resolve());
        socket.once("error", reject);
      });
    }),
  );
  let index = 0;
  const pick = roundRobin(spec.connections, () => sockets[index++]!);
  const request = (method: string, args: unknown) =>
    new Promise<unknown>((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      writeRawFrame(pick(), { id, method, args });
    });
  const [method, args] = workloadRequest(spec);
  return {
    call: () => request(method, args),
    park: (id) => request("park", id),
    close: async () => sockets.forEach((socket) => socket.end()),
  };
}

function workloadRequest(spec: CaseSpec): [string, unknown] {
  switch (spec.workload) {
    case "echo":
      return ["echo", { text: smallText, count: smallCount }];
    case "1mib":
      // JSON has no bytes: base64 is what a hand-rolled JSON protocol would send.
      return ["echoBytes", Buffer.from(oneMiB()).toString("base64")];
    case "structs":
      return [
        "echoItems",
        structItems().map((item) => ({
          ...item,
          counters: Object.fromEntries(item.counters),
          inner: {
            ...item.inner,
            labels: Object.fromEntries(item.inner.labels),
          },
        })),
      ];
  }
}
