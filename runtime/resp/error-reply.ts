import type { MethodDescriptor, StructDescriptor } from "../descriptor.js";
import { Code, isCode, RpcError } from "../errors.js";
import { fromJsonValue, toJsonValue } from "./json-value.js";
import { shortName } from "./type-names.js";

/**
 * How a connection spells declared exceptions: `text` (`-DivideByZero cannot
 * divide 1 by 0`, for people) or `json` (`-DivideByZero {"dividend":1,...}`, the
 * exception's fields, so a RespChannel can rebuild the exact instance).
 */
export type ExceptionFormat = "text" | "json";

/** Declared exceptions of a method: the result fields other than `success`. */
export function declaredExceptions(method: MethodDescriptor): StructDescriptor[] {
  const found: StructDescriptor[] = [];
  for (const field of method.result.fields) {
    if (field.id === 0 || field.type.kind !== "struct") continue;
    const struct = field.type.struct();
    if (struct.kind === "exception") found.push(struct);
  }
  return found;
}

/** An error reply line (without the leading `-`), or the reason it must be hidden. */
export interface ErrorLine {
  readonly line: string;
  /** Set when the error was not declared: the caller logs it, the peer only sees INTERNAL. */
  readonly hidden?: unknown;
}

/**
 * The error line for what a handler threw: a declared exception of the method by
 * its IDL name, an RpcError by its code and message, and anything else as
 * `INTERNAL internal error`, its details kept for the server log.
 */
export function errorToLine(method: MethodDescriptor | undefined, error: unknown, format: ExceptionFormat): ErrorLine {
  if (method) {
    for (const struct of declaredExceptions(method)) {
      if (struct.exceptionClass && error instanceof struct.exceptionClass) {
        const detail = format === "json" ? JSON.stringify(toJsonValue(error, { kind: "struct", struct: () => struct }, "")) : error.message;
        return { line: `${shortName(struct.name)} ${detail}` };
      }
    }
  }
  if (error instanceof RpcError && error.code !== Code.INTERNAL && error.code !== Code.UNKNOWN) {
    return { line: `${error.code} ${error.message}` };
  }
  return { line: `${Code.INTERNAL} internal error`, hidden: error };
}

/**
 * The inverse, for clients: a declared exception named in the line becomes an
 * instance of its generated class (rebuilt from the JSON fields of the `json` format),
 * a known code becomes an RpcError with it, anything else RpcError(UNKNOWN).
 */
export function lineToError(method: MethodDescriptor, line: string): Error {
  const space = line.indexOf(" ");
  const name = space === -1 ? line : line.slice(0, space);
  const rest = space === -1 ? "" : line.slice(space + 1);
  for (const struct of declaredExceptions(method)) {
    if (shortName(struct.name) !== name && struct.name !== name) continue;
    const exception = rebuildException(struct, rest);
    if (exception) return exception;
  }
  if (isCode(name)) return new RpcError(name, rest);
  // Redis's words for "log in first" and "wrong credentials".
  if (name === "NOAUTH" || name === "WRONGPASS") return new RpcError(Code.UNAUTHENTICATED, line);
  return new RpcError(Code.UNKNOWN, line);
}

function rebuildException(struct: StructDescriptor, detail: string): Error | undefined {
  if (!struct.exceptionClass || !detail.startsWith("{")) return undefined;
  try {
    const value = fromJsonValue(JSON.parse(detail), { kind: "struct", struct: () => struct }, "", { rejectUnknownFields: false });
    return value instanceof Error ? value : undefined;
  } catch {
    return undefined;
  }
}
