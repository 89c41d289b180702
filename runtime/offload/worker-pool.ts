import type { CallContext } from "../call.js";
import type { MethodDescriptor } from "../descriptor.js";
import { Code, RpcError } from "../errors.js";
import type { Logger } from "../logger.js";
import type { PoolSettings } from "./offload-options.js";
import { PoolWorker, type PoolWorkerEvents } from "./pool-worker.js";
import { rebuildThrown } from "./rebuild-thrown.js";
import { prepareTransfer } from "./transferables.js";
import { workerBootstrapSource } from "./worker-bootstrap.js";
import type { FromWorker, OffloadedMethodEntry, TaskMessage } from "./worker-messages.js";

/** One offloaded call, from submission until its promise settles (the worker may outlive that). */
interface OffloadTask {
  readonly message: TaskMessage;
  readonly method: MethodDescriptor;
  readonly transfer: readonly ArrayBuffer[];
  readonly signal: AbortSignal;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  readonly onAbort: () => void;
  worker: PoolWorker<OffloadTask> | undefined;
  settled: boolean;
}

/** After a worker failed to load its modules, wait this long before trying another. */
const respawnDelayMs = 1000;
const noTransfer: readonly ArrayBuffer[] = [];

/**
 * A fixed number of worker threads shared by every offloaded method of a
 * server, one task per thread, and a bounded FIFO queue in front of them.
 *
 * - Full queue: RESOURCE_EXHAUSTED at once; the caller can go elsewhere.
 * - Cancelled or late call: its promise rejects at once (queued: it never runs);
 *   a running handler is told through its signal, and a thread still busy
 *   `recycleAfterMs` later is terminated and replaced.
 * - A thread that dies (an uncaught throw, process.exit in the handler) fails
 *   only the call it was running, and is replaced.
 */
export class WorkerPool {
  private readonly methods: OffloadedMethodEntry[] = [];
  private readonly workers = new Set<PoolWorker<OffloadTask>>();
  private readonly idle: Array<PoolWorker<OffloadTask>> = [];
  private readonly queue: OffloadTask[] = [];
  private readonly events: PoolWorkerEvents<OffloadTask>;
  private readonly bootstrapSource: string;
  private nextId = 1;
  private lastStartFailure: { message: string; at: number } | undefined;
  private respawnTimer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;
  /** Set while closing: re-checks whether every running call has settled. */
  private onSettled: (() => void) | undefined;

  constructor(
    private readonly settings: PoolSettings,
    private readonly logger: Logger,
  ) {
    // Decided now, at the first offloaded method's registration: a missing tsx is a startup error.
    this.bootstrapSource = workerBootstrapSource(settings.tsx);
    this.events = {
      ready: (worker) => {
        this.lastStartFailure = undefined;
        this.release(worker);
      },
      failedToStart: (_worker, message) => this.logger.error({ err: message }, "offload worker could not load its handler modules"),
      message: (worker, message) => this.onReply(worker, message),
      exited: (worker, code, error) => this.onExit(worker, code, error),
    };
  }

  /** Adds a method the workers serve; returns its index for `run`. Threads already running load it too. */
  define(entry: OffloadedMethodEntry): number {
    const index = this.methods.push(entry) - 1;
    for (const worker of this.workers) worker.post({ type: "define", index, entry });
    return index;
  }

  /** Starts every thread and resolves once they have loaded the handler modules, or rejects with why one could not. */
  async start(): Promise<void> {
    this.fill();
    await Promise.all([...this.workers].map((worker) => worker.started));
  }

  run(index: number, method: MethodDescriptor, args: readonly unknown[], context: CallContext, argsHoldBinary: boolean): Promise<unknown> {
    if (this.closing !== undefined) return Promise.reject(new RpcError(Code.UNAVAILABLE, "server is shutting down"));
    const signal = context.signal;
    if (signal.aborted) return Promise.reject(signal.reason);
    let sent = args;
    let transfer = noTransfer;
    if (argsHoldBinary) {
      const moved = [...args];
      const buffers: ArrayBuffer[] = [];
      prepareTransfer(moved, buffers);
      sent = moved;
      transfer = buffers;
    }
    return new Promise((resolve, reject) => {
      const id = this.nextId;
      // Ids go through an Int32 cancel flag, where 0 means "none".
      this.nextId = this.nextId === 0x7fffffff ? 1 : this.nextId + 1;
      const task: OffloadTask = {
        message: { type: "task", id, method: index, args: sent, deadline: context.deadline, metadata: context.metadata, peer: context.peer },
        method,
        transfer,
        signal,
        resolve,
        reject,
        onAbort: () => this.onAbort(task),
        worker: undefined,
        settled: false,
      };
      const worker = this.idle.pop();
      if (worker === undefined && this.queue.length >= this.settings.maxQueue) {
        reject(
          new RpcError(
            Code.RESOURCE_EXHAUSTED,
            `${method.fullName}: all ${this.settings.threads} offload threads are busy and ${this.queue.length} calls are waiting`,
          ),
        );
        return;
      }
      signal.addEventListener("abort", task.onAbort, { once: true });
      if (worker !== undefined) {
        this.dispatch(worker, task);
        return;
      }
      this.queue.push(task);
      this.fill();
      this.failQueueIfNoWorkerCanStart();
    });
  }

  /**
   * Refuses new calls, fails those still queued (UNAVAILABLE), waits for the
   * calls running in threads, then terminates every thread. The Server closes
   * its pool only once its connections have drained, so by then nothing runs
   * but handlers of calls that were already abandoned.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    clearTimeout(this.respawnTimer);
    for (const task of this.queue.splice(0)) this.settle(task, false, new RpcError(Code.UNAVAILABLE, "server is shutting down"));
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if ([...this.workers].some((worker) => worker.task !== undefined && !worker.task.settled)) return;
        this.onSettled = undefined;
        resolve();
      };
      this.onSettled = check;
      check();
    });
    await Promise.all([...this.workers].map((worker) => worker.terminate()));
  }

  private fill(): void {
    if (this.closing !== undefined || this.respawnTimer !== undefined) return;
    const failure = this.lastStartFailure;
    if (failure !== undefined && Date.now() - failure.at < respawnDelayMs) {
      // A module that failed to load will most likely fail again: do not spin.
      this.respawnTimer = setTimeout(() => {
        this.respawnTimer = undefined;
        this.lastStartFailure = undefined;
        if (this.queue.length > 0) this.fill();
      }, respawnDelayMs);
      return;
    }
    while (this.workers.size < this.settings.threads) {
      this.workers.add(new PoolWorker<OffloadTask>(this.bootstrapSource, [...this.methods], this.settings, this.events));
    }
  }

  /** Queued calls cannot wait for threads that keep failing to load their modules. */
  private failQueueIfNoWorkerCanStart(): void {
    const failure = this.lastStartFailure;
    if (failure === undefined || this.workers.size > 0) return;
    const error = new Error(`offload workers cannot start: ${failure.message}`);
    for (const task of this.queue.splice(0)) this.settle(task, false, error);
  }

  private dispatch(worker: PoolWorker<OffloadTask>, task: OffloadTask): void {
    worker.task = task;
    task.worker = worker;
    try {
      worker.post(task.message, task.transfer);
    } catch (error) {
      // Arguments structured clone cannot copy: this call fails, the worker is still free.
      worker.task = undefined;
      task.worker = undefined;
      this.settle(task, false, error);
      this.release(worker);
    }
  }

  /** A free worker takes the oldest queued call, or waits. */
  private release(worker: PoolWorker<OffloadTask>): void {
    if (worker.exited) return;
    const next = this.queue.shift();
    if (next !== undefined) this.dispatch(worker, next);
    else this.idle.push(worker);
  }

  private onReply(worker: PoolWorker<OffloadTask>, message: FromWorker): void {
    const task = worker.task;
    if (task === undefined || (message.type !== "result" && message.type !== "thrown") || task.message.id !== message.id) return;
    worker.task = undefined;
    clearTimeout(worker.recycleTimer);
    worker.recycleTimer = undefined;
    if (message.type === "result") this.settle(task, true, message.value);
    else this.settle(task, false, rebuildThrown(task.method, message.thrown));
    this.release(worker);
  }

  private onAbort(task: OffloadTask): void {
    if (task.settled) return;
    const reason: unknown = task.signal.reason;
    this.settle(task, false, reason);
    const worker = task.worker;
    if (worker === undefined) {
      const at = this.queue.indexOf(task);
      if (at >= 0) this.queue.splice(at, 1);
      return;
    }
    const late = reason instanceof RpcError && reason.code === Code.DEADLINE_EXCEEDED;
    worker.cancel(task.message.id, late ? "deadline" : "cancelled");
    worker.recycleTimer = setTimeout(() => this.recycle(worker, task), this.settings.recycleAfterMs);
  }

  private recycle(worker: PoolWorker<OffloadTask>, task: OffloadTask): void {
    if (worker.task !== task || worker.exited) return;
    this.logger.warn(
      { method: task.method.fullName, threadId: worker.threadId, afterMs: this.settings.recycleAfterMs },
      "offload worker recycled: its handler kept running after its call was cancelled or passed its deadline",
    );
    void worker.terminate();
  }

  private onExit(worker: PoolWorker<OffloadTask>, code: number, error: Error | undefined): void {
    this.workers.delete(worker);
    const idleAt = this.idle.indexOf(worker);
    if (idleAt >= 0) this.idle.splice(idleAt, 1);
    clearTimeout(worker.recycleTimer);
    const task = worker.task;
    worker.task = undefined;
    if (task !== undefined && !task.settled) {
      const why = error === undefined ? `exited with code ${code}` : `died: ${error.message}`;
      this.logger.warn({ method: task.method.fullName, threadId: worker.threadId, code }, "offload worker died while running a call");
      this.settle(task, false, new Error(`the offload worker running ${task.method.fullName} ${why}`, { cause: error }));
    }
    if (this.closing !== undefined) return;
    if (!worker.ready) {
      // It died before loading its modules (tsx or the bootstrap failed): starting another at once would spin.
      const message = worker.loadFailure ?? error?.message ?? `exited with code ${code} while starting`;
      this.lastStartFailure = { message, at: Date.now() };
    }
    this.fill();
    this.failQueueIfNoWorkerCanStart();
  }

  private settle(task: OffloadTask, ok: boolean, value: unknown): void {
    if (task.settled) return;
    task.settled = true;
    task.signal.removeEventListener("abort", task.onAbort);
    if (ok) task.resolve(value);
    else task.reject(value);
    this.onSettled?.();
  }
}
