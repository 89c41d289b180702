/**
 * What a handler threw in a worker, as plain data. Structured clone keeps an
 * Error's message but not its class or its own fields, so a declared IDL
 * exception would arrive as a bare Error: instead its class name, `name` and
 * fields travel, and the main thread rebuilds the generated class from the
 * method's descriptor (see rebuild-thrown.ts).
 */
export interface ThrownValue {
  /** `constructor.name` of the thrown object ("DivideByZero", "RpcError", "TypeError"); "" for a non-object. */
  readonly className: string;
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
  /** Own enumerable properties that survive structured clone (the exception's fields, an RpcError's code). */
  readonly fields: Readonly<Record<string, unknown>>;
}

/** Runs in the worker. Never throws: a value that cannot be described becomes its string form. */
export function describeThrown(thrown: unknown): ThrownValue {
  if (typeof thrown !== "object" || thrown === null) {
    return { className: "", name: "Error", message: String(thrown), stack: undefined, fields: {} };
  }
  const error = thrown as Partial<Error> & Record<string, unknown>;
  const fields: Record<string, unknown> = {};
  for (const key of Object.keys(error)) {
    if (key === "name" || key === "stack") continue;
    const value = error[key];
    if (isCloneable(value)) fields[key] = value;
  }
  return {
    className: typeof error.constructor === "function" ? error.constructor.name : "",
    name: typeof error.name === "string" ? error.name : "Error",
    message: typeof error.message === "string" ? error.message : String(thrown),
    stack: typeof error.stack === "string" ? error.stack : undefined,
    fields,
  };
}

/** Structured clone refuses functions and symbols; a field holding one would fail the whole reply. */
function isCloneable(value: unknown): boolean {
  if (typeof value === "function" || typeof value === "symbol") return false;
  try {
    structuredClone(value);
    return true;
  } catch {
    return false;
  }
}
