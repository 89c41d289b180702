import type { RpcError } from "../errors.js";
import { ConnectionLostError } from "./connection-lost-error.js";

/**
 * The two errors of the calls a lost connection fails, one per kind of
 * delivery, each made on first use and shared by the calls: failing a
 * connection costs no allocation per call.
 */
export class LostCallErrors {
  private neverSent: ConnectionLostError | undefined;
  private unanswered: ConnectionLostError | undefined;

  constructor(
    private readonly address: string,
    private readonly reason: RpcError,
  ) {}

  /** The error of a call that was (`sent`) or was not handed to the socket before the connection died. */
  of(sent: boolean): ConnectionLostError {
    if (sent) return (this.unanswered ??= ConnectionLostError.of("unanswered", this.address, this.reason));
    return (this.neverSent ??= ConnectionLostError.of("never-sent", this.address, this.reason));
  }
}
