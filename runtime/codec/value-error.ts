import { Code, RpcError } from "../errors.js";
import type { MethodDescriptor } from "../descriptor.js";

/**
 * A value that does not fit its descriptor, found while encoding or decoding.
 * Struct and container walkers prepend their segment as the error unwinds, so the
 * happy path never builds a path string.
 */
export class ValueError extends Error {
  private readonly segments: string[] = [];

  constructor(readonly detail: string) {
    super(detail);
  }

  override get name(): string {
    return "ValueError";
  }

  /** Adds the enclosing segment: a field name, `[3]` for an element, `[key]` for a map value. */
  within(segment: string): this {
    this.segments.push(segment);
    return this;
  }

  get path(): string {
    let path = "";
    for (let i = this.segments.length - 1; i >= 0; i--) {
      const segment = this.segments[i]!;
      path += path === "" || segment.startsWith("[") ? segment : `.${segment}`;
    }
    return path;
  }
}

/** Rethrows `error` with `segment` prepended to its path when it is a ValueError. */
export function rethrowWithin(error: unknown, segment: string): never {
  if (error instanceof ValueError) throw error.within(segment);
  throw error;
}

/** Short, bounded description of a value for error messages. */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
      return value.length > 40 ? `string ${JSON.stringify(value.slice(0, 40))}…` : `string ${JSON.stringify(value)}`;
    case "number":
    case "boolean":
      return `${typeof value} ${String(value)}`;
    case "bigint":
      return `bigint ${value}n`;
    case "undefined":
      return "undefined";
    case "object":
      if (Array.isArray(value)) return "an array";
      if (value instanceof Uint8Array) return "a Uint8Array";
      return `an object (${value.constructor?.name ?? "null prototype"})`;
    default:
      return typeof value;
  }
}

export type CodecOperation = "encode args" | "decode args" | "encode outcome" | "decode outcome";

/**
 * Turns anything thrown by a codec walk into the RpcError the MessageCodec
 * contract promises: bad arguments are the caller's fault (INVALID_ARGUMENT),
 * a result that cannot be written or read is the service's (INTERNAL).
 */
export function codecFailure(method: MethodDescriptor, operation: CodecOperation, error: unknown): RpcError {
  if (error instanceof RpcError) return error;
  const code = operation === "encode args" || operation === "decode args" ? Code.INVALID_ARGUMENT : Code.INTERNAL;
  if (error instanceof ValueError) {
    const where = error.path === "" ? "" : ` at ${error.path}`;
    return new RpcError(code, `${method.fullName}: cannot ${operation}${where}: ${error.detail}`, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new RpcError(code, `${method.fullName}: cannot ${operation}: ${message}`, { cause: error });
}
