import type { EnumDescriptor, FieldDescriptor, MethodDescriptor, ServiceDescriptor, StructDescriptor, TypeDescriptor } from "../../descriptor.js";
import type { MethodTable } from "../../dispatch-contract.js";
import { typeName } from "../../resp/type-names.js";

/**
 * A type in a reflection document: scalars by kind, containers with their
 * parts, and structs and enums by their qualified name (described once under
 * `types`, so recursive structs can be written down).
 */
export type ReflectedType =
  | { readonly kind: "bool" | "i8" | "i16" | "i32" | "double" | "string" | "binary" | "uuid" }
  | { readonly kind: "i64"; readonly repr: "bigint" | "number" | "string" }
  | { readonly kind: "list" | "set"; readonly element: ReflectedType }
  | { readonly kind: "map"; readonly key: ReflectedType; readonly value: ReflectedType }
  | { readonly kind: "enum"; readonly name: string }
  | { readonly kind: "struct"; readonly name: string };

export interface ReflectedField {
  readonly id: number;
  readonly name: string;
  /** The type as a person reads it: `i32`, `list<Work>`. */
  readonly typeName: string;
  readonly type: ReflectedType;
  readonly requiredness: "required" | "optional" | "default";
}

export interface ReflectedMethod {
  readonly name: string;
  /** The wire name, `<Service>.<method>`. */
  readonly fullName: string;
  readonly oneway: boolean;
  readonly args: readonly ReflectedField[];
  /** The return type's name (`void` for none), and the type itself. */
  readonly returnsName: string;
  readonly returns: ReflectedType | undefined;
  readonly throws: readonly ReflectedField[];
  readonly annotations: Readonly<Record<string, string>>;
}

export interface ReflectedService {
  readonly name: string;
  readonly qualifiedName: string;
  readonly version: string | undefined;
  readonly methods: readonly ReflectedMethod[];
}

export type ReflectedNamedType =
  | { readonly kind: "struct" | "union" | "exception"; readonly fields: readonly ReflectedField[] }
  | { readonly kind: "enum"; readonly values: Readonly<Record<string, number>> };

/**
 * What a server says about itself (`rpcgen.Reflection.describe`, `GET /`): its
 * services with their methods, argument and result types, and every struct,
 * union, exception and enum those name. A client with no IDL rebuilds working
 * descriptors from it (reflected-descriptors.ts).
 */
export interface ReflectionDocument {
  readonly server: "rpcgen";
  readonly services: readonly ReflectedService[];
  readonly types: Readonly<Record<string, ReflectedNamedType>>;
}

/** Describes every service of `table` (built-in ones are not in it). */
export function describeServices(table: MethodTable): ReflectionDocument {
  const services = new Map<string, ServiceDescriptor>();
  for (const registered of table.all()) services.set(registered.service.name, registered.service);
  const types: Record<string, ReflectedNamedType> = {};
  const collector = new TypeCollector(types);
  const described = [...services.values()]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((service): ReflectedService => ({
      name: service.name,
      qualifiedName: service.qualifiedName,
      version: service.version,
      methods: Object.values(service.methods).map((method) => describeMethod(method, collector)),
    }));
  return { server: "rpcgen", services: described, types };
}

function describeMethod(method: MethodDescriptor, collector: TypeCollector): ReflectedMethod {
  const success = method.result.fields.find((field) => field.id === 0);
  return {
    name: method.name,
    fullName: method.fullName,
    oneway: method.oneway,
    args: method.args.fields.map((field) => collector.field(field)),
    returnsName: success === undefined ? "void" : typeName(success.type),
    returns: success === undefined ? undefined : collector.type(success.type),
    throws: method.result.fields.filter((field) => field.id !== 0).map((field) => collector.field(field)),
    annotations: method.annotations,
  };
}

/** Writes types down, adding each named struct and enum to `types` the first time it is seen. */
class TypeCollector {
  constructor(private readonly types: Record<string, ReflectedNamedType>) {}

  field(field: FieldDescriptor): ReflectedField {
    return { id: field.id, name: field.name, typeName: typeName(field.type), type: this.type(field.type), requiredness: field.requiredness };
  }

  type(type: TypeDescriptor): ReflectedType {
    switch (type.kind) {
      case "list":
      case "set":
        return { kind: type.kind, element: this.type(type.element) };
      case "map":
        return { kind: "map", key: this.type(type.key), value: this.type(type.value) };
      case "enum":
        this.enum(type.enum);
        return { kind: "enum", name: type.enum.name };
      case "struct": {
        const struct = type.struct();
        this.struct(struct);
        return { kind: "struct", name: struct.name };
      }
      case "i64":
        return { kind: "i64", repr: type.repr };
      default:
        return { kind: type.kind };
    }
  }

  private enum(descriptor: EnumDescriptor): void {
    if (Object.hasOwn(this.types, descriptor.name)) return;
    this.types[descriptor.name] = { kind: "enum", values: { ...descriptor.values } };
  }

  private struct(descriptor: StructDescriptor): void {
    if (Object.hasOwn(this.types, descriptor.name)) return;
    // Registered before its fields are walked, so a struct that contains itself ends here.
    const entry: { kind: StructDescriptor["kind"]; fields: ReflectedField[] } = { kind: descriptor.kind, fields: [] };
    this.types[descriptor.name] = entry;
    for (const field of descriptor.fields) entry.fields.push(this.field(field));
  }
}

/** `add(a: i32, b: i32) -> i32`, the line `rpcgen list` prints after the service name. */
export function methodSignature(method: ReflectedMethod): string {
  const args = method.args.map((arg) => `${arg.name}: ${arg.typeName}`).join(", ");
  const throws = method.throws.length === 0 ? "" : ` throws ${method.throws.map((field) => field.typeName).join(", ")}`;
  return `${method.name}(${args}) -> ${method.returnsName}${throws}${method.oneway ? " (oneway)" : ""}`;
}
