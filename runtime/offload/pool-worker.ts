import { Worker } from "node:worker_threads";
import type { PoolSettings } from "./offload-options.js";
import type { FromWorker, OffloadedMethodEntry, ToWorker, WorkerInit } from "./worker-messages.js";

/** What a PoolWorker reports to its pool. */
export interface PoolWorkerEvents<Task> {
  ready(worker: PoolWorker<Task>): void;
  /** The worker could not load the handler modules; it is being terminated. */
  failedToStart(worker: PoolWorker<Task>, message: string): void;
  message(worker: PoolWorker<Task>, message: FromWorker): void;
  /** The thread is gone: a crash, process.exit in the handler, or terminate(). */
  exited(worker: PoolWorker<Task>, code: number, error: Error | undefined): void;
}

/**
 * One worker thread as the pool sees it: starting, then ready, running at most
 * one task at a time (offloaded work is CPU-bound, so a second task would only
 * wait inside the thread instead of in the pool's queue, where it can be
 * cancelled for free), until it exits.
 */
export class PoolWorker<Task = unknown> {
  readonly thread: Worker;
  /** The thread's id, kept for the log: `thread.threadId` is -1 once it has exited. */
  readonly threadId: number;
  /** Where the main thread writes the id of a task it cancels; the worker's context reads it. */
  private readonly cancelFlag = new Int32Array(new SharedArrayBuffer(4));
  /** Became true once the thread had loaded its modules (it stays true after the thread exits). */
  ready = false;
  exited = false;
  /** Why the thread could not load its modules, when it said so before exiting. */
  loadFailure: string | undefined;
  /** The task the thread is running, or undefined when idle. It may already be settled (cancelled, still computing). */
  task: Task | undefined;
  /** Set while a cancelled task keeps running: when it fires, the worker is recycled. */
  recycleTimer: NodeJS.Timeout | undefined;
  /** Settles once the thread has loaded the handler modules, or failed to. */
  readonly started: Promise<void>;
  private lastError: Error | undefined;

  constructor(bootstrapSource: string, methods: readonly OffloadedMethodEntry[], settings: PoolSettings, events: PoolWorkerEvents<Task>) {
    let startedOk!: () => void;
    let startFailed!: (error: Error) => void;
    this.started = new Promise<void>((resolve, reject) => {
      startedOk = resolve;
      startFailed = reject;
    });
    this.started.catch(() => {}); // awaited by start() only; a failure is also reported through `events`
    const workerData: WorkerInit = { methods, cancelFlag: this.cancelFlag.buffer as SharedArrayBuffer };
    this.thread = new Worker(bootstrapSource, {
      eval: true,
      workerData,
      resourceLimits: settings.resourceLimits,
    });
    this.threadId = this.thread.threadId;
    this.thread.on("message", (message: FromWorker) => {
      if (message.type === "ready") {
        this.ready = true;
        startedOk();
        events.ready(this);
      } else if (message.type === "failed") {
        this.loadFailure = message.message;
        startFailed(new Error(`offload worker could not load its handler modules: ${message.message}`));
        events.failedToStart(this, message.message);
        void this.thread.terminate();
      } else {
        events.message(this, message);
      }
    });
    // An uncaught exception in the thread (a throw in a timer of the handler): the exit event follows.
    this.thread.on("error", (error) => (this.lastError = error));
    this.thread.on("exit", (code) => {
      this.exited = true;
      startFailed(new Error(`offload worker exited with code ${code} while starting${this.lastError ? `: ${this.lastError.message}` : ""}`));
      events.exited(this, code, this.lastError);
    });
  }

  post(message: ToWorker, transfer?: readonly ArrayBuffer[]): void {
    this.thread.postMessage(message, transfer);
  }

  /** Asks the handler of task `id` to stop: the flag for code that never yields, a message for code that awaits. */
  cancel(id: number, reason: "cancelled" | "deadline"): void {
    Atomics.store(this.cancelFlag, 0, id);
    this.post({ type: "cancel", id, reason });
  }

  terminate(): Promise<number> {
    return this.thread.terminate();
  }
}
