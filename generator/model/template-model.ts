import type { DocLines } from "./doc-lines.js";

/**
 * The prepared data the handlebars templates render. Every name and every
 * expression is final here, and so is the layout of every part whose line
 * breaks depend on its width (a "fragment": printed for the indentation at
 * which its template places it, see layout/code-docs.ts): templates only loop,
 * test flags and print. Fields are never left out (null stands for "none"),
 * because templates are compiled in strict mode and a missing field is an error.
 */

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

export interface ExceptionPropertyModel extends MemberModel {
  /** The declared type: `T | undefined` for an optional property without a default (exactOptionalPropertyTypes). */
  propertyType: string;
  /** The value assigned in the constructor. */
  value: string;
}

export interface ExceptionModel {
  /** The constructor's signature line, `constructor(fields: {...}) {`. */
  constructorSignature: string;
  /** The super(...) argument: the message field, a summary of the fields, or "". */
  superArgument: string;
  /** Fields that become class properties (a string `message` field is the Error's own). */
  properties: ExceptionPropertyModel[];
  /** String literal of the IDL name, assigned to `name`. */
  idlName: string;
  /** Local name of the runtime's DeclaredException. */
  baseClass: string;
}

export interface StructDescriptorModel {
  /** String literal of the qualified name. */
  name: string;
  /** String literal of the kind. */
  kind: string;
  /** Fragment at indentation 2: `fields: [...],`. */
  fields: string;
  /** Local name of the exception class, or null. */
  exceptionClass: string | null;
}

export interface StructModel {
  isStruct: boolean;
  isUnion: boolean;
  isException: boolean;
  docLines: DocLines;
  typeName: string;
  members: MemberModel[];
  /** Union variants: none (`never`), one (a plain object type) or several. */
  variants: UnionVariantModel[];
  singleVariant: UnionVariantModel | null;
  exception: ExceptionModel | null;
  descriptorName: string;
  descriptorType: string;
  defineStruct: string;
  descriptor: StructDescriptorModel;
  /** Fragment: `export function createX(fields: ...): X {`. */
  createSignature: string;
  /** Members with defaults, for the factory. */
  defaulted: MemberModel[];
  /** Fragment: `export function validateX(value: unknown, path = "X"): asserts value is X {`. */
  validateSignature: string;
  /** Fragment at indentation 2: the body of validateX. */
  validateBody: string;
}

export interface EnumModel {
  docLines: DocLines;
  typeName: string;
  /** Written as a const object and a union type instead of a TypeScript enum (`--erasable`). */
  erasable: boolean;
  members: { docLines: DocLines; key: string; value: string }[];
  descriptorName: string;
  descriptorType: string;
  qualifiedName: string;
  /** Fragment at indentation 2: `values: {...},` (or `values: Enum,` for an erasable enum). */
  values: string;
}

export interface TypedefModel {
  docLines: DocLines;
  name: string;
  tsType: string;
}

export interface ConstModel {
  docLines: DocLines;
  /** Fragment: `export const NAME: Type = value;`, the value laid out as prettier would. */
  statement: string;
}

export interface ClientMethodModel {
  docLines: DocLines;
  /** Fragment at indentation 2: `name(a: A, options?: CallOptions): Promise<R> {`. */
  signature: string;
  /** Fragment at indentation 4: the `return this.#invoker.invoke(...)` statement. */
  body: string;
}

export interface HandlerMethodModel {
  docLines: DocLines;
  /** Fragment at indentation 2: `name(a: A, context: CallContext): R | Promise<R>;`. */
  signature: string;
}

export interface SkeletonMethodModel {
  docLines: DocLines;
  /** Fragment at indentation 2: `async name(_a: A, _context: CallContext): Promise<R> {`. */
  signature: string;
  /** Fragment at indentation 4: the `throw new RpcError(...)` statement. */
  body: string;
}

export interface ServiceModel {
  docLines: DocLines;
  descriptorName: string;
  descriptorType: string;
  defineService: string;
  name: string;
  qualifiedName: string;
  /** String literal, or null without a `version` annotation. */
  version: string | null;
  /** The parent's descriptor, or null. */
  parent: string | null;
  /** Fragments at indentation 4: `name: {...},` per method the service declares. */
  methods: string[];
  /** Fragments at indentation 4: `name: {...},` per inherited method whose hints differ from the parent's. */
  inheritedHints: string[];
  /** Fragment at indentation 2: `annotations: {...},`, or null for none. */
  annotations: string | null;
  clientName: string;
  clientDocLines: DocLines;
  invokerType: string;
  clientMethods: ClientMethodModel[];
  handlerName: string;
  handlerDocLines: DocLines;
  handlerExtends: string | null;
  handlerMethods: HandlerMethodModel[];
  registerDocLines: DocLines;
  /** Fragment: `export function registerX(server: ServiceRegistrar, handler: XHandler): void {`. */
  registerSignature: string;
}

export interface TsFileModel {
  source: string;
  /** Complete import statements. */
  imports: string[];
  typedefs: TypedefModel[];
  enums: EnumModel[];
  structs: StructModel[];
  consts: ConstModel[];
  services: ServiceModel[];
}

export interface SkeletonModel {
  source: string;
  /** Complete import statements. */
  imports: string[];
  /** `export class XHandlerImpl extends ... implements ...`, up to the body. */
  classHeader: string;
  methods: SkeletonMethodModel[];
}
