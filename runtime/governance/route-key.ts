import type { CallOptions } from "../call.js";
import type { MethodDescriptor } from "../descriptor.js";

/**
 * The routing key of a call: `CallOptions.routeKey` if given, else the value of
 * the argument named by the method's `rpc.routekey` hint, as a string.
 */
export function routeKeyOf(
  method: MethodDescriptor,
  args: readonly unknown[],
  options: CallOptions | undefined,
): string | undefined {
  if (options?.routeKey !== undefined) return options.routeKey;
  const argumentName = method.hints.routeKey;
  if (argumentName === undefined) return undefined;
  const index = method.args.fields.findIndex((f) => f.name === argumentName || f.jsName === argumentName);
  if (index < 0) return undefined;
  const value = args[index];
  if (value === undefined || value === null) return undefined;
  return keyString(value);
}

function keyString(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") return String(value);
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  // Structs and collections: a canonical JSON form (bigint-safe) so equal values route alike.
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
}
