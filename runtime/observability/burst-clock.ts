import { performance } from "node:perf_hooks";

let burstStartedAt = -1;
const endBurst = (): void => {
  burstStartedAt = -1;
};
// A settled promise's `then` queues the burst's end: cheaper than queueMicrotask, which wraps every
// callback in an AsyncResource for async_hooks.
const settled = Promise.resolve();

/**
 * `performance.now()` once per synchronous burst: calls started in one run of
 * code (the frames of one chunk read from a socket, the calls a client issues
 * in one turn) share the instant the first of them started, which for calls
 * read together is when their bytes arrived. A clock read costs 50–80 ns on
 * some virtual machines; a burst of 64 calls then pays for one. Used as the
 * start of call durations, and as the end of a client call's (the replies of
 * one read settle their calls in one burst); a server call's end is read
 * exactly (a handler that returns a value ends in the burst it started in).
 */
export function burstNow(): number {
  if (burstStartedAt < 0) {
    burstStartedAt = performance.now();
    void settled.then(endBurst);
  }
  return burstStartedAt;
}

/** `performance.now()` from node:perf_hooks (the global `performance` is a lazy getter, read on every use). */
export function clockNow(): number {
  return performance.now();
}
