/**
 * What the main thread and an offload worker say to each other. Everything here
 * crosses a thread boundary by structured clone, so it is plain data: methods are
 * referred to by their index in the pool's method list, never by descriptor.
 */
import type { ThrownValue } from "./thrown-value.js";

/** Where a worker finds the handler function of one offloaded method. */
export interface OffloadedMethodEntry {
  /** `<Service>.<method>`, for messages and logs. */
  readonly fullName: string;
  /** The method's property name on a handler object (its generated `jsName`). */
  readonly jsName: string;
  /** A `file:` URL of the handler module. */
  readonly moduleUrl: string;
  /** The export holding a handler object; when absent, a named export `jsName`, then `default`. */
  readonly exportName: string | undefined;
  /** Whether the result may hold Uint8Arrays worth moving instead of copying. */
  readonly resultHoldsBinary: boolean;
}

/** `workerData` of every offload worker. */
export interface WorkerInit {
  /** The methods known when the worker starts, by index; later ones arrive as `define` messages. */
  readonly methods: readonly OffloadedMethodEntry[];
  /**
   * One Int32 the main thread sets to the id of a task it cancels. A handler that
   * computes without yielding never sees a message, but it sees this memory.
   */
  readonly cancelFlag: SharedArrayBuffer;
}

export interface TaskMessage {
  readonly type: "task";
  readonly id: number;
  readonly method: number;
  readonly args: readonly unknown[];
  readonly deadline: number | undefined;
  readonly metadata: Readonly<Record<string, string>>;
  readonly peer: string;
}

export type ToWorker =
  | TaskMessage
  | { readonly type: "define"; readonly index: number; readonly entry: OffloadedMethodEntry }
  | { readonly type: "cancel"; readonly id: number; readonly reason: "cancelled" | "deadline" };

export type FromWorker =
  | { readonly type: "ready" }
  | { readonly type: "failed"; readonly message: string }
  | { readonly type: "result"; readonly id: number; readonly value: unknown }
  | { readonly type: "thrown"; readonly id: number; readonly thrown: ThrownValue };
