import { describe, expect, it } from "vitest";
import { flushAtEndOfTurn, type EndOfTurnBatch } from "../../../runtime/transport/end-of-turn-flush.js";

/**
 * The one immediate that flushes every write batch scheduled in a turn (the
 * frame writers of all connections): it must behave as each batch's own
 * immediate did.
 */

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function recording(name: string, log: string[], onFlush: () => void = () => {}): EndOfTurnBatch {
  return {
    turnEnded: () => {
      log.push(name);
      onFlush();
    },
  };
}

describe("flushAtEndOfTurn", () => {
  it("flushes the batches of a turn in the check phase, in the order they were scheduled", async () => {
    const log: string[] = [];
    flushAtEndOfTurn(recording("a", log));
    flushAtEndOfTurn(recording("b", log));
    expect(log).toEqual([]);
    await nextTurn();
    expect(log).toEqual(["a", "b"]);
  });

  it("leaves a batch scheduled from inside a flush to the next turn, as its own immediate would", async () => {
    const log: string[] = [];
    const later = recording("later", log);
    flushAtEndOfTurn(recording("first", log, () => flushAtEndOfTurn(later)));
    // Queued after the shared immediate: it runs in the same check phase, before the batch scheduled by "first".
    setImmediate(() => log.push("same turn"));
    await nextTurn();
    await nextTurn();
    expect(log).toEqual(["first", "same turn", "later"]);
  });

  it("still flushes the other batches of the turn when one throws", async () => {
    const log: string[] = [];
    const thrown: unknown[] = [];
    const onUncaught = (error: unknown): void => {
      thrown.push(error);
    };
    // vitest reports uncaught exceptions as failures; this one is the point of the test.
    const previous = process.listeners("uncaughtException");
    process.removeAllListeners("uncaughtException");
    process.on("uncaughtException", onUncaught);
    try {
      flushAtEndOfTurn(recording("a", log));
      flushAtEndOfTurn(recording("broken", log, () => {
        throw new Error("flush failed");
      }));
      flushAtEndOfTurn(recording("c", log));
      await nextTurn();
      await nextTurn();
    } finally {
      process.off("uncaughtException", onUncaught);
      for (const listener of previous) process.on("uncaughtException", listener);
    }
    expect(thrown).toHaveLength(1);
    expect(log).toEqual(["a", "broken", "c"]);
  });
});
