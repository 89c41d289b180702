import type { CallContext } from "../call.js";

/**
 * What an offloaded handler receives as its last argument in the worker: the
 * part of CallContext that can cross a thread (descriptors hold classes and
 * functions and stay on the main thread). A handler typed with it runs inline
 * and offloaded alike, since every CallContext is one.
 *
 * `signal` is aborted when the caller cancels or the deadline passes. Read it
 * through the context each time (`context.signal.aborted`, or
 * `context.signal.throwIfAborted()`): the getter also sees a cancel while the
 * handler computes without ever yielding, when no message can reach the thread.
 */
export type WorkerCallContext = Pick<CallContext, "deadline" | "signal" | "metadata" | "peer">;
