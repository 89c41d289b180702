import { defineService, defineStruct, type FieldInit } from "../../define-descriptors.js";
import type { EnumDescriptor, ServiceDescriptor, StructDescriptor, TypeDescriptor } from "../../descriptor.js";
import type { ReflectedField, ReflectedType, ReflectionDocument } from "./reflection-schema.js";

/**
 * A declared exception as a client without generated code receives it: an Error
 * named after the IDL exception, with its fields as properties.
 */
export class ReflectedException extends Error {
  constructor(
    readonly exceptionName: string,
    readonly fields: Record<string, unknown>,
  ) {
    super(typeof fields["message"] === "string" ? fields["message"] : exceptionName);
    this.name = exceptionName;
  }
}

/**
 * Working descriptors rebuilt from a reflection document, so that a client with
 * no IDL (the `rpcgen call` CLI) can encode arguments and decode results with
 * the ordinary codecs. Declared exceptions come back as ReflectedException.
 */
export function descriptorsFromReflection(document: ReflectionDocument): ServiceDescriptor[] {
  const structs = new Map<string, StructDescriptor>();
  const enums = new Map<string, EnumDescriptor>();

  const structOf = (name: string): StructDescriptor => {
    let struct = structs.get(name);
    if (struct !== undefined) return struct;
    const entry = document.types[name];
    if (entry === undefined || entry.kind === "enum") throw new Error(`reflection names struct ${name} but does not describe it`);
    const short = name.slice(name.lastIndexOf(".") + 1);
    const exceptionClass =
      entry.kind === "exception"
        ? class extends ReflectedException {
            constructor(fields: Record<string, unknown>) {
              super(short, fields);
            }
          }
        : undefined;
    // Fields are typed lazily (struct thunks), so a struct may refer to itself.
    struct = defineStruct({ name, kind: entry.kind, fields: entry.fields.map(fieldInit), exceptionClass });
    structs.set(name, struct);
    return struct;
  };

  const enumOf = (name: string): EnumDescriptor => {
    let descriptor = enums.get(name);
    if (descriptor === undefined) {
      const entry = document.types[name];
      if (entry === undefined || entry.kind !== "enum") throw new Error(`reflection names enum ${name} but does not describe it`);
      descriptor = { name, values: entry.values };
      enums.set(name, descriptor);
    }
    return descriptor;
  };

  const typeOf = (type: ReflectedType): TypeDescriptor => {
    switch (type.kind) {
      case "list":
      case "set":
        return { kind: type.kind, element: typeOf(type.element) };
      case "map":
        return { kind: "map", key: typeOf(type.key), value: typeOf(type.value) };
      case "enum":
        return { kind: "enum", enum: enumOf(type.name) };
      case "struct": {
        const name = type.name;
        return { kind: "struct", struct: () => structOf(name) };
      }
      case "i64":
        return { kind: "i64", repr: type.repr };
      default:
        return { kind: type.kind };
    }
  };

  function fieldInit(field: ReflectedField): FieldInit {
    return { id: field.id, name: field.name, type: typeOf(field.type), requiredness: field.requiredness };
  }

  return document.services.map((service) =>
    defineService({
      name: service.name,
      qualifiedName: service.qualifiedName,
      version: service.version,
      methods: Object.fromEntries(
        service.methods.map((method) => [
          method.name,
          {
            oneway: method.oneway,
            args: method.args.map(fieldInit),
            returns: method.returns === undefined ? undefined : typeOf(method.returns),
            throws: method.throws.map(fieldInit),
            annotations: method.annotations,
          },
        ]),
      ),
    }),
  );
}
