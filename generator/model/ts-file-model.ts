import type { Const, Enum, Service, Struct, Typedef } from "../../idl/ast.js";
import type { Program, ProgramFile } from "../../idl/program.js";
import type { GeneratorDiagnostics } from "../generate-error.js";
import { fragment, objectDoc } from "../layout/code-docs.js";
import { stringLiteral } from "../layout/literals.js";
import type { OutputPaths } from "../output-paths.js";
import { enumMemberKey, propertyKey } from "../safe-identifier.js";
import { DocBuilder } from "./doc-lines.js";
import { FileContext } from "./file-context.js";
import { FileNames } from "./file-names.js";
import { ImportCollector } from "./import-collector.js";
import type { TypeResolver } from "./resolved-type.js";
import { ancestors, serviceModel } from "./service-model.js";
import { qualifiedName, structModel } from "./struct-model.js";
import type { ConstModel, EnumModel, TsFileModel, TypedefModel } from "./template-model.js";
import { tsType } from "./type-expressions.js";

/** Shared inputs of the model builders for one generation run. */
export interface ModelInputs {
  readonly program: Program;
  readonly resolver: TypeResolver;
  readonly paths: OutputPaths;
  readonly diagnostics: GeneratorDiagnostics;
  /** Erasable syntax only: enums as const objects, relative imports ending in `.ts` (see GenerateOptions). */
  readonly erasable: boolean;
}

/** The extension relative imports of generated modules end in. */
export function moduleExtension(inputs: ModelInputs): string {
  return inputs.erasable ? ".ts" : ".js";
}

/**
 * The model of one generated `x.ts`. Sections come in an order that keeps
 * module evaluation safe: enums (their descriptors are referenced eagerly),
 * then structs, unions and exceptions, then constants (which may call struct
 * factories), then services, parents before children.
 */
export function tsFileModel(inputs: ModelInputs, file: ProgramFile): TsFileModel {
  const extension = moduleExtension(inputs);
  const imports = new ImportCollector(file, FileNames.of(file).moduleScope(), (other) =>
    inputs.paths.moduleSpecifier(file, other, extension),
  );
  const ctx = new FileContext(inputs.program, file, inputs.resolver, imports, inputs.diagnostics);
  const definitions = file.document.definitions;
  const typedefs = definitions.filter((d): d is Typedef => d.kind === "typedef").map((d) => typedefModel(ctx, d));
  const enums = definitions.filter((d): d is Enum => d.kind === "enum").map((d) => enumModel(ctx, d, inputs.erasable));
  const structs = definitions
    .filter((d): d is Struct => d.kind === "struct" || d.kind === "union" || d.kind === "exception")
    .map((d) => structModel(ctx, d));
  const consts = definitions.filter((d): d is Const => d.kind === "const").map((d) => constModel(ctx, d));
  const services = servicesInDependencyOrder(ctx, definitions.filter((d): d is Service => d.kind === "service")).map(
    (s) => serviceModel(ctx, s),
  );
  return {
    source: inputs.paths.sourceName(file),
    imports: imports.statements(),
    typedefs,
    enums,
    structs,
    consts,
    services,
  };
}

function typedefModel(ctx: FileContext, typedef: Typedef): TypedefModel {
  const repr = ctx.resolver.reprAnnotation(typedef.annotations);
  return {
    docLines: new DocBuilder(typedef.doc).deprecated(typedef.annotations).lines(),
    name: FileNames.of(ctx.file).type(typedef.name.name).type,
    tsType: tsType(ctx.resolver.resolve(ctx.file, typedef.type, repr), ctx.imports),
  };
}

function enumModel(ctx: FileContext, definition: Enum, erasable: boolean): EnumModel {
  const names = FileNames.of(ctx.file).type(definition.name.name);
  const values = erasable
    ? names.type
    : objectDoc(definition.values.map((v) => [propertyKey(v.name.name), String(v.value)]));
  return {
    docLines: new DocBuilder(definition.doc).deprecated(definition.annotations).lines(),
    typeName: names.type,
    erasable,
    members: definition.values.map((v) => ({
      docLines: new DocBuilder(v.doc).deprecated(v.annotations).lines(),
      // A const object's key follows object rules (`__proto__` must be computed), an enum member's its own.
      key: erasable ? propertyKey(v.name.name) : enumMemberKey(v.name.name),
      value: String(v.value),
    })),
    descriptorName: names.descriptor,
    descriptorType: ctx.imports.runtimeType("EnumDescriptor"),
    qualifiedName: stringLiteral(qualifiedName(ctx.file, definition.name.name)),
    values: fragment(["values: ", values, ","], 2),
  };
}

function constModel(ctx: FileContext, definition: Const): ConstModel {
  const type = ctx.resolver.resolve(ctx.file, definition.type, ctx.resolver.reprAnnotation(definition.annotations));
  const name = FileNames.of(ctx.file).constant(definition.name.name);
  const value = ctx.consts.valueDoc(definition.value, type, ctx.file);
  return {
    docLines: new DocBuilder(definition.doc).deprecated(definition.annotations).lines(),
    statement: fragment([`export const ${name}: ${tsType(type, ctx.imports)} = `, value.doc, ";"], 0),
  };
}

/** Services ordered so a parent declared later in the same file still comes before its children. */
function servicesInDependencyOrder(ctx: FileContext, services: Service[]): Service[] {
  const ordered: Service[] = [];
  const placed = new Set<Service>();
  const place = (service: Service): void => {
    if (placed.has(service)) return;
    placed.add(service);
    const parent = ancestors(ctx, { file: ctx.file, service })[0];
    if (parent !== undefined && parent.file === ctx.file) place(parent.service);
    ordered.push(service);
  };
  for (const service of services) place(service);
  return ordered;
}
