/**
 * Generated code writes its descriptors compactly: what equals its default is
 * left out and what follows from the rest (a method's name, its wire name, its
 * argument and result structs, protobuf numbers) is not repeated. These
 * functions build the complete descriptors of descriptor.ts from that, once,
 * when a generated module is loaded, so every reader sees every field.
 */
import type {
  FieldDescriptor,
  MethodDescriptor,
  MethodHints,
  Requiredness,
  ServiceDescriptor,
  StructDescriptor,
  TypeDescriptor,
} from "./descriptor.js";

/** A field as generated code writes it. */
export interface FieldInit {
  readonly id: number;
  readonly name: string;
  /** Default: `name`. */
  readonly jsName?: string;
  readonly type: TypeDescriptor;
  /** Default: `"default"`. */
  readonly requiredness?: Requiredness;
  readonly defaultValue?: () => unknown;
}

/** A struct, union or exception as generated code writes it. */
export interface StructInit {
  readonly name: string;
  readonly kind: StructDescriptor["kind"];
  readonly fields: readonly FieldInit[];
  readonly exceptionClass?: new (fields: any) => Error;
}

/** A method as generated code writes it; its name is its key in `ServiceInit.methods`. */
export interface MethodInit {
  /** Default: the method's name. */
  readonly jsName?: string;
  /** Default: false. */
  readonly oneway?: boolean;
  /** The parameters in IDL order. Default: none. */
  readonly args?: readonly FieldInit[];
  /** The return type; absent for void. */
  readonly returns?: TypeDescriptor;
  /** The declared exceptions, with their ids. Default: none. */
  readonly throws?: readonly FieldInit[];
  /** Default: no hints. */
  readonly hints?: MethodHints;
  /** Default: no annotations. */
  readonly annotations?: Readonly<Record<string, string>>;
}

/** A service as generated code writes it. */
export interface ServiceInit {
  readonly name: string;
  readonly qualifiedName: string;
  readonly version?: string;
  /** The service this one extends: its methods are callable through this one too. */
  readonly parent?: ServiceDescriptor;
  /** The methods the service declares itself, keyed by IDL name. */
  readonly methods: Readonly<Record<string, MethodInit>>;
  /**
   * Hints of inherited methods, where this service's own annotations make them
   * differ from the parent's; the others keep the parent's hints.
   */
  readonly inheritedHints?: Readonly<Record<string, MethodHints>>;
  /** Default: no annotations. */
  readonly annotations?: Readonly<Record<string, string>>;
}

/**
 * The protobuf field number of a Thrift field id (docs/PROTO-MAPPING.md):
 * 1..18999 stay, 19000..32767 move past protobuf's reserved 19000-19999 range,
 * and 0 and negative ids (a result's `success`, fields written without an id)
 * map to 100000 - id.
 */
export function protoNumberOf(thriftId: number): number {
  if (thriftId >= 1 && thriftId <= 18999) return thriftId;
  if (thriftId >= 19000) return thriftId + 40000;
  return 100000 - thriftId;
}

const noHints: MethodHints = Object.freeze({});
const noAnnotations: Readonly<Record<string, string>> = Object.freeze({});

/** The complete descriptor of a struct, union or exception. */
export function defineStruct(init: StructInit): StructDescriptor {
  const fields = init.fields.map(defineField);
  return init.exceptionClass === undefined
    ? { name: init.name, kind: init.kind, fields }
    : { name: init.name, kind: init.kind, fields, exceptionClass: init.exceptionClass };
}

/**
 * The complete descriptor of a service: the parent's methods first (called
 * through this service, so with its name on the wire), then its own.
 */
export function defineService(init: ServiceInit): ServiceDescriptor {
  const methods: [string, MethodDescriptor][] = [];
  for (const [name, inherited] of Object.entries(init.parent?.methods ?? {})) {
    const hints = init.inheritedHints?.[name] ?? inherited.hints;
    methods.push([name, { ...inherited, fullName: `${init.name}.${name}`, service: init.name, hints }]);
  }
  for (const [name, method] of Object.entries(init.methods)) methods.push([name, defineMethod(init, name, method)]);
  return {
    name: init.name,
    qualifiedName: init.qualifiedName,
    version: init.version,
    parent: init.parent,
    // fromEntries defines own properties, so even a method called `__proto__` is a plain key.
    methods: Object.fromEntries(methods),
    annotations: init.annotations ?? noAnnotations,
  };
}

function defineMethod(service: ServiceInit, name: string, init: MethodInit): MethodDescriptor {
  const resultFields: FieldInit[] = [];
  if (init.returns !== undefined) {
    resultFields.push({ id: 0, name: "success", type: init.returns, requiredness: "optional" });
  }
  resultFields.push(...(init.throws ?? []));
  return {
    name,
    jsName: init.jsName ?? name,
    fullName: `${service.name}.${name}`,
    service: service.name,
    oneway: init.oneway ?? false,
    args: defineStruct({ name: `${service.qualifiedName}_${name}_args`, kind: "struct", fields: init.args ?? [] }),
    result: defineStruct({ name: `${service.qualifiedName}_${name}_result`, kind: "struct", fields: resultFields }),
    hints: init.hints ?? noHints,
    annotations: init.annotations ?? noAnnotations,
  };
}

function defineField(init: FieldInit): FieldDescriptor {
  const field = {
    id: init.id,
    name: init.name,
    jsName: init.jsName ?? init.name,
    protoNumber: protoNumberOf(init.id),
    type: init.type,
    requiredness: init.requiredness ?? "default",
  };
  return init.defaultValue === undefined ? field : { ...field, defaultValue: init.defaultValue };
}
