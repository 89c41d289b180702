/**
 * Lets the event loop turn until `condition` holds: for state that in-process
 * fakes reach within a few turns. Throws after `maxTurns` instead of hanging.
 */
export async function turnsUntil(condition: () => boolean, maxTurns = 10_000): Promise<void> {
  for (let turn = 0; turn < maxTurns; turn++) {
    if (condition()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`condition not reached after ${maxTurns} event-loop turns`);
}
