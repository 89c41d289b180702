import type { Const, Enum, Service, Struct, Typedef } from "../../idl/ast.js";
import type { Program, ProgramFile } from "../../idl/program.js";
import type { GeneratorDiagnostics } from "../generate-error.js";
import { NameScope } from "../name-scope.js";
import type { OutputPaths } from "../output-paths.js";
import { enumMemberKey, propertyKey } from "../safe-identifier.js";
import { DocBuilder } from "./doc-lines.js";
import { FileContext } from "./file-context.js";
import { FileNames } from "./file-names.js";
import { ImportCollector, runtimeModule } from "./import-collector.js";
import type { TypeResolver } from "./resolved-type.js";
import { allHandlerMethods, ancestors, serviceModel } from "./service-model.js";
import { qualifiedName, structModel } from "./struct-model.js";
import type { ConstModel, EnumModel, SkeletonModel, TsFileModel, TypedefModel } from "./template-model.js";
import { tsType } from "./type-expressions.js";

/** Shared inputs of the model builders for one generation run. */
export interface ModelInputs {
  readonly program: Program;
  readonly resolver: TypeResolver;
  readonly paths: OutputPaths;
  readonly diagnostics: GeneratorDiagnostics;
}

/**
 * The model of one generated `x.ts`. Sections come in an order that keeps
 * module evaluation safe: enums (their descriptors are referenced eagerly),
 * then structs, unions and exceptions, then constants (which may call struct
 * factories), then services, parents before children.
 */
export function tsFileModel(inputs: ModelInputs, file: ProgramFile): TsFileModel {
  const imports = new ImportCollector(file, FileNames.of(file).moduleScope(), inputs.paths);
  const ctx = new FileContext(inputs.program, file, inputs.resolver, imports, inputs.diagnostics);
  const definitions = file.document.definitions;
  const typedefs = definitions.filter((d): d is Typedef => d.kind === "typedef").map((d) => typedefModel(ctx, d));
  const enums = definitions.filter((d): d is Enum => d.kind === "enum").map((d) => enumModel(ctx, d));
  const structs = definitions.filter((d): d is Struct => d.kind === "struct" || d.kind === "union" || d.kind === "exception").map((d) => structModel(ctx, d));
  const consts = definitions.filter((d): d is Const => d.kind === "const").map((d) => constModel(ctx, d));
  const services = servicesInDependencyOrder(ctx, definitions.filter((d): d is Service => d.kind === "service")).map((s) => serviceModel(ctx, s));
  const runtime = imports.runtimeImports();
  return {
    source: inputs.paths.sourceName(file),
    imports: { types: runtime.types, values: runtime.values, runtimeModule, namespaces: imports.namespaceImports() },
    typedefs,
    enums,
    structs,
    consts,
    services,
  };
}

/** The model of the `--skeleton` starter implementation of one service. */
export function skeletonModel(inputs: ModelInputs, file: ProgramFile, service: Service): SkeletonModel {
  const names = FileNames.of(file).service(service.name.name);
  const imports = new ImportCollector(file, new NameScope([names.handlerImpl]), inputs.paths, true);
  const ctx = new FileContext(inputs.program, file, inputs.resolver, imports, inputs.diagnostics);
  const methods = allHandlerMethods(ctx, service);
  const handlerName = imports.qualify(file, names.handler);
  const contextType = imports.runtimeType("CallContext");
  const rpcError = imports.runtimeValue("RpcError");
  const code = imports.runtimeValue("Code");
  const runtime = imports.runtimeImports();
  return {
    source: inputs.paths.sourceName(file),
    className: names.handlerImpl,
    handlerName,
    contextType,
    rpcError,
    code,
    methods,
    namespaces: imports.namespaceImports(),
    runtimeTypes: runtime.types,
    runtimeValues: runtime.values,
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

function enumModel(ctx: FileContext, definition: Enum): EnumModel {
  const names = FileNames.of(ctx.file).type(definition.name.name);
  return {
    docLines: new DocBuilder(definition.doc).deprecated(definition.annotations).lines(),
    typeName: names.type,
    members: definition.values.map((v) => ({
      docLines: new DocBuilder(v.doc).deprecated(v.annotations).lines(),
      key: enumMemberKey(v.name.name),
      value: String(v.value),
    })),
    descriptorName: names.descriptor,
    descriptorType: ctx.imports.runtimeType("EnumDescriptor"),
    qualifiedName: JSON.stringify(qualifiedName(ctx.file, definition.name.name)),
    values: definition.values.map((v) => ({ key: propertyKey(v.name.name), value: String(v.value) })),
  };
}

function constModel(ctx: FileContext, definition: Const): ConstModel {
  const type = ctx.resolver.resolve(ctx.file, definition.type, ctx.resolver.reprAnnotation(definition.annotations));
  return {
    docLines: new DocBuilder(definition.doc).deprecated(definition.annotations).lines(),
    name: FileNames.of(ctx.file).constant(definition.name.name),
    tsType: tsType(type, ctx.imports),
    value: ctx.consts.expression(definition.value, type, ctx.file),
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
