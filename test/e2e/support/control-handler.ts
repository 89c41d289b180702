import { type CallContext, Code, RpcError } from "@rpcgen/runtime";
import type { GeneratedModule } from "./generated-stubs.js";

/** How a `waitForAbort` call ended on the server: the code of its signal's abort reason, or "released". */
type WaitOutcome = string;

/**
 * The Control handler: reports the deadline it saw, waits on its signal, and
 * fails in each of the ways a handler can. The test releases waits that no
 * signal will end (a RESP call has no deadline and nothing tells the server
 * a caller gave up), so every call finishes before the server closes.
 */
export class ControlHandler {
  private readonly outcomes = new Map<string, Promise<WaitOutcome>>();
  private readonly releasers = new Map<string, () => void>();
  private readonly startWaiters = new Map<string, () => void>();

  constructor(private readonly control: GeneratedModule) {}

  deadlineSeen(context: CallContext): bigint {
    return context.deadline === undefined ? -1n : BigInt(context.deadline);
  }

  /** Resolves once the `waitForAbort` call tagged `tag` is running in the handler. */
  started(tag: string): Promise<void> {
    if (this.outcomes.has(tag)) return Promise.resolve();
    return new Promise((resolve) => this.startWaiters.set(tag, resolve));
  }

  waitForAbort(tag: string, context: CallContext): Promise<string> {
    const outcome = new Promise<WaitOutcome>((resolve) => {
      const onAbort = (): void => {
        const reason: unknown = context.signal.reason;
        resolve(reason instanceof RpcError ? reason.code : String(reason));
      };
      if (context.signal.aborted) onAbort();
      else context.signal.addEventListener("abort", onAbort, { once: true });
      this.releasers.set(tag, () => resolve("released"));
    });
    this.outcomes.set(tag, outcome);
    this.startWaiters.get(tag)?.();
    return outcome;
  }

  /** Ends the wait of `tag` if its signal has not, so that the call finishes. */
  release(tag: string): void {
    this.releasers.get(tag)?.();
  }

  async abortReason(tag: string): Promise<string> {
    const outcome = this.outcomes.get(tag);
    if (outcome === undefined) throw new RpcError(Code.NOT_FOUND, `no waitForAbort call tagged ${tag}`);
    return outcome;
  }

  fail(how: string): number {
    switch (how) {
      case "declared":
        throw new this.control["Refused"]({ message: "not today", reason: 7 });
      case "rpc":
        throw new RpcError(Code.PERMISSION_DENIED, "members only");
      case "plain":
        throw new Error("secret detail: database password is hunter2");
      default:
        return 0;
    }
  }

  metadataSeen(context: CallContext): Map<string, string> {
    return new Map(Object.entries(context.metadata));
  }

  twice(v: number): number {
    return v * 2;
  }
}
