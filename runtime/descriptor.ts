/**
 * Descriptors: the plain objects that generated code hands to the runtime.
 *
 * The runtime never reads IDL. Everything a codec, the server dispatcher or a
 * governance policy needs to know about a service is in these objects, which
 * the generator writes out as TypeScript constants next to the typed stubs.
 * Typedefs are already resolved away; a descriptor names concrete types only.
 * Generated code builds them with the functions of define-descriptors.ts,
 * which fill in what it leaves out.
 */
export * from "./define-descriptors.js";

/** How an i64 is represented in JavaScript (`--i64` on the CLI, `ts.type` per field). */
export type I64Representation = "bigint" | "number" | "string";

export type ScalarKind = "bool" | "i8" | "i16" | "i32" | "double" | "string" | "binary" | "uuid";

export type TypeDescriptor =
  | { readonly kind: ScalarKind }
  | { readonly kind: "i64"; readonly repr: I64Representation }
  | { readonly kind: "list"; readonly element: TypeDescriptor }
  | { readonly kind: "set"; readonly element: TypeDescriptor }
  | { readonly kind: "map"; readonly key: TypeDescriptor; readonly value: TypeDescriptor }
  | { readonly kind: "enum"; readonly enum: EnumDescriptor }
  /** `struct` is a thunk so that recursive and mutually recursive structs can be described. */
  | { readonly kind: "struct"; readonly struct: () => StructDescriptor };

export interface EnumDescriptor {
  /** Qualified IDL name: `<file scope>.<Enum>`, e.g. `tutorial.Operation`. */
  readonly name: string;
  /** IDL value name → numeric value. */
  readonly values: Readonly<Record<string, number>>;
}

export type Requiredness = "required" | "optional" | "default";

export interface FieldDescriptor {
  /** Thrift field id (negative for fields written without an id; 0 for a result's `success`). */
  readonly id: number;
  /** The field name in the IDL: used as the key by the JSON codec and in error paths. */
  readonly name: string;
  /**
   * The property name on the JavaScript object. Equal to `name` except where the
   * IDL name cannot be a safe property (e.g. `__proto__`), as decided by the generator.
   */
  readonly jsName: string;
  /** Field number used by the binary (protobuf) codec; see docs/PROTO-MAPPING.md. */
  readonly protoNumber: number;
  readonly type: TypeDescriptor;
  readonly requiredness: Requiredness;
  /** Produces a fresh copy of the IDL default value, if one was declared. */
  readonly defaultValue?: () => unknown;
}

export interface StructDescriptor {
  /** Qualified IDL name: `<file scope>.<Name>`, e.g. `shared.SharedStruct`. */
  readonly name: string;
  readonly kind: "struct" | "union" | "exception";
  readonly fields: readonly FieldDescriptor[];
  /**
   * For exceptions only: the generated class. Every generated exception class
   * takes one argument, an object with its fields, so a codec can rebuild it.
   */
  readonly exceptionClass?: new (fields: any) => Error;
}

export type Policy = "failfast" | "failtry" | "failover" | "failsafe" | "forking";

/** The `rpc.*` annotations of a method (or inherited from its service), parsed. */
export interface MethodHints {
  readonly timeoutMs?: number;
  readonly idempotent?: boolean;
  readonly retries?: number;
  readonly policy?: Policy;
  /** Name of the argument whose value is the routing key for consistent hashing. */
  readonly routeKey?: string;
}

export interface MethodDescriptor {
  /** Method name in the IDL; on the wire a call names `<service>.<name>`. */
  readonly name: string;
  /** Property name of the method on the generated client and handler (differs only for unsafe names). */
  readonly jsName: string;
  /** `<service>.<name>`, the string that goes on the wire. */
  readonly fullName: string;
  /** Name of the service the call goes through (a child service for inherited methods). */
  readonly service: string;
  readonly oneway: boolean;
  /** The arguments as a struct: field ids, names and types as in the IDL parameter list. */
  readonly args: StructDescriptor;
  /**
   * The result as a struct, Thrift style: field id 0 named `success` holds the return
   * value (absent for void), and each declared exception is a field with its declared id.
   */
  readonly result: StructDescriptor;
  readonly hints: MethodHints;
  /** Every annotation on the method as written (`rpc.*` included). */
  readonly annotations: Readonly<Record<string, string>>;
}

export interface ServiceDescriptor {
  /** Service name as written in the IDL; the prefix of every method's wire name. */
  readonly name: string;
  /** Qualified IDL name: `<file scope>.<Service>`. */
  readonly qualifiedName: string;
  /** Semver from the `version` annotation, if any. */
  readonly version: string | undefined;
  /** Parent service, for `extends`. Its methods are also present in `methods`. */
  readonly parent: ServiceDescriptor | undefined;
  /** Every callable method, inherited ones included, keyed by IDL method name. */
  readonly methods: Readonly<Record<string, MethodDescriptor>>;
  readonly annotations: Readonly<Record<string, string>>;
}
