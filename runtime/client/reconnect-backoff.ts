import type { RpcError } from "../errors.js";

/**
 * When a pool slot may try to connect again: after each consecutive failure the
 * wait doubles from `baseMs` up to `maxMs`, and is drawn uniformly from its upper
 * half so that many clients that lost the same server do not return in lockstep.
 */
export class ReconnectBackoff {
  private failures = 0;
  private retryAt = 0;
  lastError: RpcError | undefined;

  constructor(
    private readonly baseMs: number,
    private readonly maxMs: number,
  ) {
    if (!(baseMs >= 0) || !(maxMs >= baseMs)) {
      throw new TypeError(`reconnect backoff needs 0 <= baseMs <= maxMs, got baseMs=${baseMs} maxMs=${maxMs}`);
    }
  }

  /** Milliseconds until the next attempt is allowed; 0 when it is now. */
  remainingMs(): number {
    return Math.max(0, this.retryAt - Date.now());
  }

  failed(error: RpcError): void {
    this.lastError = error;
    const ceiling = Math.min(this.maxMs, this.baseMs * 2 ** this.failures);
    this.failures++;
    this.retryAt = Date.now() + ceiling / 2 + Math.random() * (ceiling / 2);
  }

  succeeded(): void {
    this.failures = 0;
    this.retryAt = 0;
    this.lastError = undefined;
  }
}
