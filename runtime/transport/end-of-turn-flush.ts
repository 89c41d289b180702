/** A write batch flushed in the check phase of the turn it was written in. */
export interface EndOfTurnBatch {
  /** The turn it was scheduled in has ended: write what it holds, unless it was written meanwhile. */
  turnEnded(): void;
}

/** The batches scheduled during this turn; one immediate flushes them all. */
let due: EndOfTurnBatch[] = [];

/**
 * Flushes `batch` in this turn's check phase, as its own `setImmediate` would,
 * but with one immediate for every batch scheduled in the turn: a batch keeps
 * no bound flush callback (bytes on every idle connection of a server), and a
 * turn that answers many connections queues one immediate instead of one each.
 */
export function flushAtEndOfTurn(batch: EndOfTurnBatch): void {
  if (due.push(batch) === 1) setImmediate(flushDue);
}

function flushDue(): void {
  // Batches scheduled from inside these flushes wait for the next turn, as their own immediate would.
  const batches = due;
  due = [];
  let next = 0;
  try {
    while (next < batches.length) batches[next++]!.turnEnded();
  } finally {
    // One of them threw: the others are still flushed, a turn later.
    while (next < batches.length) flushAtEndOfTurn(batches[next++]!);
  }
}
