import type { IncomingHttpHeaders } from "node:http";
import { constants, type ClientHttp2Stream } from "node:http2";
import { gunzip } from "node:zlib";
import type { DeadlineEntry } from "../../deadline/deadline-wheel.js";
import { sharedDeadlineWheel, type ExpiringEntry } from "../../deadline/shared-deadline-wheel.js";
import type { MethodDescriptor } from "../../descriptor.js";
import { Code, RpcError } from "../../errors.js";
import { UnaryRequestReader } from "./grpc-message.js";
import { httpStatusError, responseValue, statusError } from "./grpc-outcome.js";

/**
 * One unary call on a gRPC client stream: collects the response message and the
 * status (from the trailers, or from a trailers-only response), then settles
 * once. The deadline lives on the shared deadline wheel (no timer per call);
 * when it passes, or the caller's signal aborts, the stream is reset with
 * CANCEL so the server stops too.
 */
export class GrpcClientCall implements ExpiringEntry {
  deadlineAt = 0;
  wheelBucket: DeadlineEntry[] | undefined = undefined;
  wheelSlot = 0;
  private settled = false;
  private headers: IncomingHttpHeaders | undefined;
  private readonly reader: UnaryRequestReader;
  private abortListener: (() => void) | undefined;
  private abortSignal: AbortSignal | undefined;

  constructor(
    private readonly method: MethodDescriptor,
    private readonly stream: ClientHttp2Stream,
    maxMessageBytes: number,
    private readonly resolve: (value: unknown) => void,
    private readonly reject: (error: unknown) => void,
    private readonly settledHook: () => void,
  ) {
    this.reader = new UnaryRequestReader(maxMessageBytes);
    stream.on("response", (headers) => (this.headers = headers));
    stream.on("data", (chunk: Buffer) => {
      const problem = this.reader.push(chunk);
      if (problem === undefined) return;
      const detail = problem.kind === "too-large" ? `a response message of ${problem.length} bytes is over the limit` : problem.detail;
      this.fail(new RpcError(problem.kind === "too-large" ? Code.RESOURCE_EXHAUSTED : Code.INTERNAL, `${method.fullName}: ${detail}`), true);
    });
    stream.on("trailers", (trailers) => this.finish(trailers));
    stream.on("error", (error) => this.fail(streamError(method, error), false));
    stream.on("close", () => {
      if (this.settled) return;
      // Closed without trailers: a trailers-only response, or a reset.
      if (this.headers?.["grpc-status"] !== undefined) return this.finish(this.headers);
      const code = stream.rstCode;
      this.fail(
        this.headers === undefined || code !== constants.NGHTTP2_NO_ERROR
          ? new RpcError(code === constants.NGHTTP2_REFUSED_STREAM ? Code.UNAVAILABLE : code === constants.NGHTTP2_ENHANCE_YOUR_CALM ? Code.RESOURCE_EXHAUSTED : Code.UNAVAILABLE, `${method.fullName}: the stream closed before a status (HTTP/2 code ${code})`)
          : new RpcError(Code.INTERNAL, `${method.fullName}: the response ended without a gRPC status`),
        false,
      );
    });
  }

  /** Aborts the call when `signal` does. */
  watch(signal: AbortSignal): void {
    this.abortListener = () => this.fail(new RpcError(Code.CANCELLED, `${this.method.fullName} was cancelled`, { cause: signal.reason }), true);
    signal.addEventListener("abort", this.abortListener, { once: true });
    this.abortSignal = signal;
  }

  expire(): void {
    this.fail(new RpcError(Code.DEADLINE_EXCEEDED, `${this.method.fullName}: deadline exceeded`), true);
  }

  private finish(trailers: IncomingHttpHeaders): void {
    if (this.settled) return;
    const headers = this.headers;
    const httpStatus = Number(headers?.[":status"] ?? 200);
    const status = trailers["grpc-status"];
    if (status === undefined) return this.fail(httpStatus === 200 ? new RpcError(Code.INTERNAL, `${this.method.fullName}: no gRPC status`) : httpStatusError(this.method, httpStatus), false);
    if (status !== "0") {
      const details = trailers["grpc-status-details-bin"];
      return this.fail(statusError(this.method, Number(status), trailers["grpc-message"] as string | undefined, typeof details === "string" ? details : undefined), false);
    }
    const message = this.reader.finish();
    if ("kind" in message) {
      // A oneway or void call may answer with the empty message; anything else must carry one.
      const detail = message.kind === "too-large" ? "the response message is over the limit" : message.detail;
      return this.fail(new RpcError(Code.INTERNAL, `${this.method.fullName}: ${detail}`), false);
    }
    if (!message.compressed) return this.succeed(message.message);
    if (headers?.["grpc-encoding"] !== "gzip") return this.fail(new RpcError(Code.INTERNAL, `${this.method.fullName}: a compressed response without grpc-encoding gzip`), false);
    gunzip(message.message, (error, inflated) => (error === null ? this.succeed(inflated) : this.fail(new RpcError(Code.INTERNAL, error.message), false)));
  }

  private succeed(message: Buffer): void {
    let value: unknown;
    try {
      value = responseValue(this.method, message);
    } catch (error) {
      return this.fail(error, false);
    }
    if (!this.settle()) return;
    this.resolve(value);
  }

  private fail(error: unknown, cancelStream: boolean): void {
    if (!this.settle()) return;
    if (cancelStream && !this.stream.closed) this.stream.close(constants.NGHTTP2_CANCEL);
    this.reject(error);
  }

  private settle(): boolean {
    if (this.settled) return false;
    this.settled = true;
    if (this.wheelBucket !== undefined) sharedDeadlineWheel.remove(this);
    if (this.abortListener !== undefined) this.abortSignal?.removeEventListener("abort", this.abortListener);
    this.settledHook();
    return true;
  }
}

function streamError(method: MethodDescriptor, error: Error): RpcError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ERR_HTTP2_GOAWAY_SESSION" || code === "ERR_HTTP2_STREAM_CANCEL") return new RpcError(Code.UNAVAILABLE, `${method.fullName}: ${error.message}`, { cause: error });
  const converted = RpcError.from(error, Code.UNAVAILABLE);
  return converted.code === Code.UNKNOWN ? new RpcError(Code.UNAVAILABLE, `${method.fullName}: ${error.message}`, { cause: error }) : converted;
}
