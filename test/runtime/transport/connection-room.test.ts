import { EventEmitter } from "node:events";
import type { Socket } from "node:net";
import { describe, expect, it } from "vitest";
import type { Logger } from "../../../runtime/logger.js";
import { CallAdmission } from "../../../runtime/server/call-admission.js";
import { MemoryBudget } from "../../../runtime/server/memory-budget.js";
import { ReplyBacklog } from "../../../runtime/server/reply-backlog.js";
import { resolveServerLimits, type ServerLimits } from "../../../runtime/server/server-options.js";
import { UnfinishedInput } from "../../../runtime/server/unfinished-input.js";

/**
 * The admission and budget rules every TCP protocol connection (rpcgen frames,
 * RESP, Thrift) shares, on their own: the protocols' end-to-end limit tests
 * cover them through real sockets.
 */

/** A socket as ReplyBacklog sees it: unsent bytes and "drain". */
class FakeSocket extends EventEmitter {
  writableLength = 0;
}

function backlogOf(budget: MemoryBudget): { socket: FakeSocket; backlog: ReplyBacklog; wakes: () => number } {
  const socket = new FakeSocket();
  let woken = 0;
  const backlog = new ReplyBacklog(socket as unknown as Socket, budget, { roomMayHaveOpened: () => woken++ });
  return { socket, backlog, wakes: () => woken };
}

/** A connection that does not care when room opens. */
const noticeIgnored = { roomMayHaveOpened: (): void => {} };

function limits(overrides: Partial<ServerLimits>): ServerLimits {
  return { ...resolveServerLimits({}), ...overrides };
}

describe("ReplyBacklog", () => {
  it("counts only replies over the socket's high-water mark, until they drain", () => {
    const budget = new MemoryBudget(100_000);
    const { socket, backlog, wakes } = backlogOf(budget);
    socket.writableLength = 1000;
    backlog.flushed();
    expect(budget.used).toBe(0);
    expect(wakes()).toBe(1);

    socket.writableLength = 200_000;
    backlog.flushed();
    backlog.flushed();
    expect(budget.used).toBe(200_000);
    expect(backlog.stuck).toBe(true);
    expect(socket.listenerCount("drain")).toBe(1);
    expect(wakes()).toBe(1);

    socket.writableLength = 0;
    socket.emit("drain");
    expect(budget.used).toBe(0);
    expect(backlog.stuck).toBe(false);
    expect(wakes()).toBe(2);
  });

  it("gives its share back when the connection closes", () => {
    const budget = new MemoryBudget(10);
    const { socket, backlog } = backlogOf(budget);
    socket.writableLength = 50_000;
    backlog.flushed();
    backlog.release();
    expect(budget.used).toBe(0);
  });
});

describe("CallAdmission", () => {
  const backlog = backlogOf(new MemoryBudget(1000)).backlog;

  it("has no room at maxInFlightPerConnection, or when unsent and expected replies reach maxPendingBytes", () => {
    const admission = new CallAdmission(limits({ maxInFlightPerConnection: 4, maxPendingBytes: 1000 }), backlog, noticeIgnored);
    expect(admission.hasRoom(3, 3, 0)).toBe(true);
    expect(admission.hasRoom(4, 0, 0)).toBe(false);
    expect(admission.hasRoom(0, 0, 1000)).toBe(false);
    // An estimate of 100 bytes a reply, after replies of that size.
    for (let i = 0; i < 100; i++) admission.replyQueued(100);
    expect(admission.hasRoom(3, 3, 600)).toBe(true);
    expect(admission.hasRoom(3, 3, 710)).toBe(false);
  });

  it("starts at most maxStartsPerTurn calls a turn, then retries on the next turn", async () => {
    let retries = 0;
    const admission = new CallAdmission(limits({ maxStartsPerTurn: 2 }), backlog, { roomMayHaveOpened: () => retries++ });
    admission.started();
    admission.started();
    expect(admission.hasRoom(0, 0, 0)).toBe(false);
    expect(admission.hasRoom(0, 0, 0)).toBe(false);
    await new Promise((resolve) => setImmediate(resolve));
    expect(retries).toBe(1);
    expect(admission.hasRoom(0, 0, 0)).toBe(true);
    admission.started();
    admission.started();
    admission.newTurn();
    expect(admission.hasRoom(0, 0, 0)).toBe(true);
  });

  it("has no room while the server is short of reply memory and the connection's own replies are stuck", () => {
    const budget = new MemoryBudget(1000);
    const { socket, backlog: stuckBacklog } = backlogOf(budget);
    const admission = new CallAdmission(limits({}), stuckBacklog, noticeIgnored);
    socket.writableLength = 20_000;
    stuckBacklog.flushed();
    expect(admission.hasRoom(0, 0, 0)).toBe(false);
    socket.writableLength = 0;
    socket.emit("drain");
    expect(admission.hasRoom(0, 0, 0)).toBe(true);
  });
});

describe("UnfinishedInput", () => {
  function recordingLogger(): { logger: Logger; warnings: string[] } {
    const warnings: string[] = [];
    const ignore = (): void => {};
    const logger: Logger = { debug: ignore, info: ignore, error: ignore, warn: (_fields, message) => warnings.push(String(message)) };
    return { logger, warnings };
  }

  it("drops a connection holding a large unfinished request once the server's budget is spent, and says why", () => {
    const budget = new MemoryBudget(100_000);
    const { logger, warnings } = recordingLogger();
    const small = new UnfinishedInput(budget, logger, { peer: "peer-a", protocol: "resp" }, "RESP connection");
    const large = new UnfinishedInput(budget, logger, { peer: "peer-b", protocol: "thrift" }, "Thrift connection");
    expect(small.overBudget(50_000, false)).toBe(false);
    // Over budget, but waiting for room: those are calls held back, not a request arriving.
    expect(large.overBudget(70_000, true)).toBe(false);
    expect(large.overBudget(80_000, false)).toBe(true);
    expect(warnings).toEqual(["closing Thrift connection: the server's budget for unfinished requests is spent"]);
    large.release();
    small.release();
    expect(budget.used).toBe(0);
  });
});
