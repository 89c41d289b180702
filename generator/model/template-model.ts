import type { DocLines } from "./doc-lines.js";

/**
 * The prepared data the handlebars templates render. Every name and every
 * expression is final here: templates only loop, test flags and print. Fields
 * are never left out (null stands for "none"), because templates are compiled
 * in strict mode and a missing field is an error.
 */

export interface KeyValue {
  /** Rendered object-literal key. */
  key: string;
  /** Rendered expression. */
  value: string;
}

export interface FieldDescriptorModel {
  id: string;
  name: string;
  jsName: string;
  protoNumber: string;
  type: string;
  requiredness: string;
  /** `(): T => expr`, or null without an IDL default. */
  defaultValue: string | null;
}

export interface StructDescriptorModel {
  /** JSON string of the qualified name. */
  name: string;
  kind: string;
  fields: FieldDescriptorModel[];
  /** Local name of the exception class, or null. */
  exceptionClass: string | null;
}

export interface MemberModel {
  docLines: DocLines;
  /** Rendered property key. */
  key: string;
  optional: boolean;
  tsType: string;
  /** `fields.x` style read of the member from the factory/constructor argument. */
  source: string;
  /** `this.x` style write target (exceptions). */
  target: string;
  /** Default value expression, or null. */
  defaultExpr: string | null;
}

export interface UnionVariantModel {
  members: { docLines: DocLines; key: string; tsType: string; selected: boolean }[];
}

export interface ExceptionModel {
  /** The super(...) argument: the message field read (with its default), or "" for none. */
  superArgument: string;
  /** Type of the constructor's one argument, as an object type literal. */
  paramType: string;
  /** Whether the argument may be left out (no field must be given). */
  paramOptional: boolean;
  /** Fields that become class properties (a string `message` field is the Error's own). */
  properties: MemberModel[];
  /** JSON string of the IDL name, assigned to `name`. */
  idlName: string;
  /** Local name of the runtime's DeclaredException. */
  baseClass: string;
}

export interface StructModel {
  isStruct: boolean;
  isUnion: boolean;
  isException: boolean;
  docLines: DocLines;
  typeName: string;
  members: MemberModel[];
  variants: UnionVariantModel[];
  exception: ExceptionModel | null;
  descriptorName: string;
  descriptorType: string;
  descriptor: StructDescriptorModel;
  createName: string;
  /** The factory's parameter type. */
  initType: string;
  /** Members with defaults, for the factory. */
  defaulted: MemberModel[];
  validateName: string;
  assertFunction: string;
  /** JSON string: the default root of validation paths. */
  rootPath: string;
}

export interface EnumModel {
  docLines: DocLines;
  typeName: string;
  members: { docLines: DocLines; key: string; value: string }[];
  descriptorName: string;
  descriptorType: string;
  qualifiedName: string;
  values: KeyValue[];
}

export interface TypedefModel {
  docLines: DocLines;
  name: string;
  tsType: string;
}

export interface ConstModel {
  docLines: DocLines;
  name: string;
  tsType: string;
  value: string;
}

export interface ParamModel {
  name: string;
  tsType: string;
}

export interface MethodDescriptorModel {
  key: string;
  /**
   * `MethodDescriptor` for a method named like an Object.prototype member
   * (`constructor`, `toString`): TypeScript would otherwise type that property
   * of the literal from Object, not from the record, and widen its strings.
   */
  satisfies: string | null;
  /** For an inherited method: the parent's method descriptor to spread. */
  inheritedFrom: string | null;
  name: string;
  jsName: string;
  fullName: string;
  service: string;
  oneway: boolean;
  /** Null for an inherited method, which spreads its parent's descriptor. */
  args: StructDescriptorModel | null;
  result: StructDescriptorModel | null;
  hints: KeyValue[];
  annotations: KeyValue[];
}

export interface ClientMethodModel {
  docLines: DocLines;
  key: string;
  params: ParamModel[];
  optionsName: string;
  returnType: string;
  descriptor: string;
  argList: string;
}

export interface HandlerMethodModel {
  docLines: DocLines;
  key: string;
  params: ParamModel[];
  contextName: string;
  returnType: string;
  /** Return type of the async skeleton implementation. */
  promiseType: string;
  /** JSON string: the skeleton's "not implemented" error message. */
  notImplemented: string;
}

export interface ServiceModel {
  docLines: DocLines;
  descriptorName: string;
  descriptorType: string;
  name: string;
  qualifiedName: string;
  version: string;
  parent: string;
  methods: MethodDescriptorModel[];
  annotations: KeyValue[];
  clientName: string;
  clientDocLines: DocLines;
  invokerType: string;
  optionsType: string;
  clientMethods: ClientMethodModel[];
  handlerName: string;
  handlerDocLines: DocLines;
  handlerExtends: string | null;
  contextType: string;
  handlerMethods: HandlerMethodModel[];
  registerName: string;
  registerDocLines: DocLines;
  registrarType: string;
}

export interface ImportsModel {
  types: string[];
  values: string[];
  runtimeModule: string;
  namespaces: { alias: string; specifier: string }[];
}

export interface TsFileModel {
  source: string;
  imports: ImportsModel;
  typedefs: TypedefModel[];
  enums: EnumModel[];
  structs: StructModel[];
  consts: ConstModel[];
  services: ServiceModel[];
}

export interface SkeletonModel {
  source: string;
  className: string;
  /** The handler interface, qualified through the namespace import of the generated module. */
  handlerName: string;
  contextType: string;
  rpcError: string;
  code: string;
  methods: HandlerMethodModel[];
  namespaces: { alias: string; specifier: string }[];
  runtimeTypes: string[];
  runtimeValues: string[];
}
