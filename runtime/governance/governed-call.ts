import type { CallOptions } from "../call.js";
import type { MethodDescriptor } from "../descriptor.js";
import { CallScope } from "./call-scope.js";
import type { MethodPolicy } from "./method-policy.js";
import { routeKeyOf } from "./route-key.js";

/**
 * One governed call: its scope (deadline, cancellation) and what is fixed for
 * every attempt. One object per call: the policies, the balancer and the
 * attempts read it instead of capturing it in per-call closures.
 */
export class GovernedCall extends CallScope {
  /** Addresses tried so far, created by the first attempt. */
  private tried: string[] | undefined = undefined;
  private key: string | undefined = undefined;
  private keyKnown = false;

  constructor(
    readonly method: MethodDescriptor,
    readonly args: readonly unknown[],
    readonly options: CallOptions | undefined,
    readonly policy: MethodPolicy,
  ) {
    super(method.fullName, options?.timeoutMs ?? policy.timeoutMs, options?.signal);
  }

  /**
   * The routing key (see routeKeyOf), worked out on first use: inside the
   * policy, so that a key that cannot be built fails the call like any error.
   */
  get routeKey(): string | undefined {
    if (!this.keyKnown) {
      this.key = routeKeyOf(this.method, this.args, this.options);
      this.keyKnown = true;
    }
    return this.key;
  }

  /** Addresses tried so far, in order (for fallbacks and logs). */
  get attempts(): readonly string[] {
    return this.tried ?? [];
  }

  /** Notes that an attempt was sent to `address`. */
  recordAttempt(address: string): void {
    if (this.tried === undefined) this.tried = [address];
    else this.tried.push(address);
  }
}
