import type { MethodDescriptor } from "../descriptor.js";

interface ExceptionField {
  id: number;
  exceptionClass: new (fields: any) => Error;
}

const cache = new WeakMap<MethodDescriptor, readonly ExceptionField[]>();

function exceptionFields(method: MethodDescriptor): readonly ExceptionField[] {
  let cached = cache.get(method);
  if (cached === undefined) {
    const fields: ExceptionField[] = [];
    for (const field of method.result.fields) {
      if (field.id === 0 || field.type.kind !== "struct") continue;
      const struct = field.type.struct();
      if (struct.kind === "exception" && struct.exceptionClass !== undefined) {
        fields.push({ id: field.id, exceptionClass: struct.exceptionClass });
      }
    }
    cache.set(method, fields);
    cached = fields;
  }
  return cached;
}

/**
 * The result field id under which `error` travels if it is one of the exceptions
 * `method` declares (`throws (...)`), or undefined if it is not: then it is an
 * undeclared failure and must not leak to the caller.
 */
export function declaredExceptionFieldId(method: MethodDescriptor, error: unknown): number | undefined {
  if (!(error instanceof Error)) return undefined;
  for (const field of exceptionFields(method)) {
    if (error instanceof field.exceptionClass) return field.id;
  }
  return undefined;
}
