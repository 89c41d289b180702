import type { Annotation } from "../ast.js";

/**
 * The meaning of the annotations that steer generated code and the runtime:
 * `ts.type` and the `rpc.*` call hints. The checker reports every bad value
 * with these rules and the generator reads the values with them, so the two
 * can never disagree.
 */

/** The JavaScript representations of an i64 that `ts.type` can ask for. */
export const I64_REPRESENTATIONS = ["bigint", "number", "string"] as const;
export type I64Repr = (typeof I64_REPRESENTATIONS)[number];

/** The fault policies `rpc.policy` can name. */
export const RPC_POLICIES = ["failfast", "failtry", "failover", "failsafe", "forking"] as const;
export type RpcPolicy = (typeof RPC_POLICIES)[number];

/** The `rpc.*` keys rpcgen reads. */
export const RPC_HINT_KEYS = ["rpc.timeout", "rpc.retries", "rpc.idempotent", "rpc.policy", "rpc.routekey", "rpc.offload"] as const;

/** Where `rpc.offload` runs a method's handler (the runtime reads it from the method's annotations: docs/OFFLOAD.md). */
export const RPC_OFFLOAD_VALUES = ["worker", "inline"] as const;

/** Checks an `rpc.offload` annotation; the runtime, not the generator, acts on it. */
export function readRpcOffload(annotation: Annotation): Reading<(typeof RPC_OFFLOAD_VALUES)[number]> {
  const value = annotation.value;
  return (RPC_OFFLOAD_VALUES as readonly (string | undefined)[]).includes(value)
    ? { ok: true, value: value as (typeof RPC_OFFLOAD_VALUES)[number] }
    : { ok: false, expected: `"worker" or "inline"` };
}

/** An annotation's value read by its rules, or what it should have been. */
export type Reading<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly expected: string };

/** A parsed `rpc.*` hint, by the MethodHints property it sets. */
export type RpcHint =
  | { readonly key: "timeoutMs"; readonly value: number }
  | { readonly key: "retries"; readonly value: number }
  | { readonly key: "idempotent"; readonly value: boolean }
  | { readonly key: "policy"; readonly value: RpcPolicy }
  | { readonly key: "routeKey"; readonly value: string };

/** The `ts.type` annotations among `annotations` (the last one counts). */
export function tsTypeAnnotations(annotations: readonly Annotation[]): Annotation[] {
  return annotations.filter((a) => a.key === "ts.type");
}

/** The representation the valid `ts.type` annotations among `annotations` ask for (the last one wins). */
export function tsTypeOf(annotations: readonly Annotation[]): I64Repr | undefined {
  let found: I64Repr | undefined;
  for (const annotation of tsTypeAnnotations(annotations)) {
    const reading = readTsType(annotation);
    if (reading.ok) found = reading.value;
  }
  return found;
}

/** Reads a `ts.type` annotation. */
export function readTsType(annotation: Annotation): Reading<I64Repr> {
  const value = annotation.value ?? "";
  return (I64_REPRESENTATIONS as readonly string[]).includes(value)
    ? { ok: true, value: value as I64Repr }
    : { ok: false, expected: `"bigint", "number" or "string"` };
}

/**
 * Reads an `rpc.*` hint; undefined for a key that is not a hint. `argNames`
 * are the parameters of the method the annotation applies to, which
 * `rpc.routekey` must name.
 */
export function readRpcHint(annotation: Annotation, argNames: ReadonlySet<string>): Reading<RpcHint> | undefined {
  const value = annotation.value;
  switch (annotation.key) {
    case "rpc.timeout": {
      const n = decimal(value);
      return n !== undefined && n > 0
        ? { ok: true, value: { key: "timeoutMs", value: n } }
        : { ok: false, expected: "a positive number of milliseconds" };
    }
    case "rpc.retries": {
      const n = decimal(value);
      return n !== undefined && Number.isInteger(n)
        ? { ok: true, value: { key: "retries", value: n } }
        : { ok: false, expected: "a non-negative integer" };
    }
    case "rpc.idempotent":
      if (value === undefined || value === "true") return { ok: true, value: { key: "idempotent", value: true } };
      if (value === "false") return { ok: true, value: { key: "idempotent", value: false } };
      return { ok: false, expected: `"true" or "false"` };
    case "rpc.policy":
      return (RPC_POLICIES as readonly (string | undefined)[]).includes(value)
        ? { ok: true, value: { key: "policy", value: value as RpcPolicy } }
        : { ok: false, expected: `one of ${RPC_POLICIES.join(", ")}` };
    case "rpc.routekey":
      return value !== undefined && argNames.has(value)
        ? { ok: true, value: { key: "routeKey", value } }
        : { ok: false, expected: "the name of one of the method's arguments" };
    default:
      return undefined;
  }
}

/** The message for an annotation whose value its rules reject. */
export function badValueMessage(annotation: Annotation, expected: string): string {
  return `${annotation.key} must be ${expected}, not ${JSON.stringify(annotation.value ?? "")}`;
}

/** A plain decimal number (`500`, `2.5`), as the hints are written; anything else is undefined. */
function decimal(text: string | undefined): number | undefined {
  return text !== undefined && /^\d+(\.\d+)?$/.test(text) ? Number(text) : undefined;
}
