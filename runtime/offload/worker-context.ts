import { Code, RpcError } from "../errors.js";
import type { TaskMessage } from "./worker-messages.js";
import type { WorkerCallContext } from "./worker-call-context.js";

/**
 * The context of one task in a worker. Its signal is created on first read, and
 * every read checks the cancel flag the main thread writes and the deadline,
 * so a handler that loops on `context.signal.aborted` stops even though the
 * worker's event loop never turns while it computes.
 */
export class WorkerContext implements WorkerCallContext {
  readonly deadline: number | undefined;
  readonly metadata: Readonly<Record<string, string>>;
  readonly peer: string;
  private controller: AbortController | undefined;

  constructor(
    private readonly task: TaskMessage,
    private readonly methodName: string,
    private readonly cancelFlag: Int32Array,
  ) {
    this.deadline = task.deadline;
    this.metadata = task.metadata;
    this.peer = task.peer;
  }

  get taskId(): number {
    return this.task.id;
  }

  get signal(): AbortSignal {
    this.controller ??= new AbortController();
    if (!this.controller.signal.aborted) {
      if (this.late()) this.abort("deadline");
      else if (Atomics.load(this.cancelFlag, 0) === this.task.id) this.abort("cancelled");
    }
    return this.controller.signal;
  }

  /** Called when the main thread's cancel message arrives (a handler that awaits sees it this way). */
  abort(reason: "cancelled" | "deadline"): void {
    this.controller ??= new AbortController();
    if (this.controller.signal.aborted) return;
    // A client gives up at its deadline and says "cancel": past the deadline, the deadline is the better reason.
    this.controller.abort(
      reason === "deadline" || this.late()
        ? new RpcError(Code.DEADLINE_EXCEEDED, `${this.methodName} passed its deadline`)
        : new RpcError(Code.CANCELLED, `${this.methodName} was cancelled`),
    );
  }

  private late(): boolean {
    return this.deadline !== undefined && Date.now() >= this.deadline;
  }
}
