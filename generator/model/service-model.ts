import type { Annotation, FunctionDef, Service } from "../../idl/ast.js";
import type { ProgramFile } from "../../idl/program.js";
import type { MethodHints } from "../../runtime/descriptor.js";
import { NameScope } from "../name-scope.js";
import { protoNumber } from "../proto-number.js";
import { bindingCandidate, fieldPropertyCandidate, propertyKey } from "../safe-identifier.js";
import { type DocLines, DocBuilder, inlineDoc } from "./doc-lines.js";
import type { FileContext } from "./file-context.js";
import { methodProperty } from "./field-properties.js";
import { FileNames } from "./file-names.js";
import { methodHints } from "./method-hints.js";
import { fieldDescriptor, qualifiedName } from "./struct-model.js";
import type {
  ClientMethodModel,
  HandlerMethodModel,
  KeyValue,
  MethodDescriptorModel,
  ParamModel,
  ServiceModel,
  StructDescriptorModel,
} from "./template-model.js";
import { descriptorExpression, tsType } from "./type-expressions.js";

/** Names Object.prototype defines; see MethodDescriptorModel.satisfies. */
const objectMembers = new Set(Object.getOwnPropertyNames(Object.prototype));

/** A service with the file that declares it. */
interface ServiceInFile {
  readonly file: ProgramFile;
  readonly service: Service;
}

/** A method callable through a service, with where it was declared. */
interface CallableMethod {
  readonly owner: ServiceInFile;
  readonly method: FunctionDef;
}

/** The ancestors of `service`, nearest first (cycles, rejected by the checker, are cut). */
export function ancestors(ctx: FileContext, start: ServiceInFile): ServiceInFile[] {
  const chain: ServiceInFile[] = [];
  const seen = new Set<Service>([start.service]);
  let current = start;
  while (current.service.extends !== undefined) {
    const parent = ctx.program.resolveService(current.file, current.service.extends.name);
    if (parent === undefined || seen.has(parent.definition)) break;
    seen.add(parent.definition);
    current = { file: parent.file, service: parent.definition };
    chain.push(current);
  }
  return chain;
}

/** Every method callable through `service`: inherited ones first (root ancestor first), then its own. */
export function callableMethods(ctx: FileContext, service: Service): CallableMethod[] {
  const self = { file: ctx.file, service };
  const byName = new Map<string, CallableMethod>();
  for (const owner of [...ancestors(ctx, self).reverse(), self]) {
    for (const method of owner.service.functions) {
      byName.delete(method.name.name);
      byName.set(method.name.name, { owner, method });
    }
  }
  return [...byName.values()];
}

function annotationEntries(annotations: readonly Annotation[]): KeyValue[] {
  const record = new Map<string, string>();
  for (const a of annotations) record.set(a.key, a.value ?? "");
  return [...record].map(([key, value]) => ({ key: propertyKey(key), value: JSON.stringify(value) }));
}

function hintEntries(hints: MethodHints): KeyValue[] {
  const entries: KeyValue[] = [];
  if (hints.timeoutMs !== undefined) entries.push({ key: "timeoutMs", value: String(hints.timeoutMs) });
  if (hints.idempotent !== undefined) entries.push({ key: "idempotent", value: String(hints.idempotent) });
  if (hints.retries !== undefined) entries.push({ key: "retries", value: String(hints.retries) });
  if (hints.policy !== undefined) entries.push({ key: "policy", value: JSON.stringify(hints.policy) });
  if (hints.routeKey !== undefined) entries.push({ key: "routeKey", value: JSON.stringify(hints.routeKey) });
  return entries;
}

/** Builds the descriptor, client, handler and register function of one service. */
export function serviceModel(ctx: FileContext, service: Service): ServiceModel {
  const names = FileNames.of(ctx.file).service(service.name.name);
  const self = { file: ctx.file, service };
  const chain = ancestors(ctx, self);
  const parent = chain[0];
  const parentDescriptor =
    parent === undefined ? undefined : ctx.imports.qualify(parent.file, FileNames.of(parent.file).service(parent.service.name.name).descriptor);
  const serviceLevels = [service.annotations, ...chain.map((s) => s.service.annotations)];
  const methods = callableMethods(ctx, service);
  const serviceName = service.name.name;

  const descriptorMethods = methods.map(({ owner, method }): MethodDescriptorModel => {
    const inherited = owner.service !== service;
    const hints = hintEntries(methodHints(method, serviceLevels, ctx.diagnostics));
    return {
      key: propertyKey(method.name.name),
      satisfies: objectMembers.has(method.name.name) ? ctx.imports.runtimeType("MethodDescriptor") : null,
      inheritedFrom: inherited ? `${parentDescriptor}.methods[${JSON.stringify(method.name.name)}]!` : null,
      name: JSON.stringify(method.name.name),
      jsName: JSON.stringify(methodProperty(method)),
      fullName: JSON.stringify(`${serviceName}.${method.name.name}`),
      service: JSON.stringify(serviceName),
      oneway: method.oneway,
      args: inherited ? null : argsDescriptor(ctx, serviceName, method),
      result: inherited ? null : resultDescriptor(ctx, serviceName, method),
      hints,
      annotations: annotationEntries(method.annotations),
    };
  });

  const version = service.annotations.filter((a) => a.key === "version").at(-1)?.value;
  const parentNames = parent === undefined ? undefined : FileNames.of(parent.file).service(parent.service.name.name);
  return {
    docLines: new DocBuilder(service.doc ?? `Methods, argument and result types and call hints of ${serviceName}, for the runtime.`)
      .deprecated(service.annotations)
      .lines(),
    descriptorName: names.descriptor,
    descriptorType: ctx.imports.runtimeType("ServiceDescriptor"),
    name: JSON.stringify(serviceName),
    qualifiedName: JSON.stringify(qualifiedName(ctx.file, serviceName)),
    version: version === undefined ? "undefined" : JSON.stringify(version),
    parent: parentDescriptor ?? "undefined",
    methods: descriptorMethods,
    annotations: annotationEntries(service.annotations),
    clientName: names.client,
    clientDocLines: serviceDoc(service, `Calls ${serviceName} through an Invoker (a connection, a pool or a cluster client).`),
    invokerType: ctx.imports.runtimeType("Invoker"),
    optionsType: ctx.imports.runtimeType("CallOptions"),
    clientMethods: methods.map(({ owner, method }) => clientMethod(ctx, owner, method, names.descriptor)),
    handlerName: names.handler,
    handlerDocLines: serviceDoc(
      service,
      `What a server needs to serve ${serviceName}: each method receives the call's arguments and a CallContext.`,
    ),
    handlerExtends: parent === undefined ? null : ctx.imports.qualify(parent.file, parentNames!.handler),
    contextType: ctx.imports.runtimeType("CallContext"),
    handlerMethods: methods.filter((m) => m.owner.service === service).map(({ owner, method }) => handlerMethod(ctx, owner, method, serviceName)),
    registerName: names.register,
    registerDocLines: new DocBuilder(`Adds \`handler\` to \`server\` as the implementation of ${serviceName}.`).lines(),
    registrarType: ctx.imports.runtimeType("ServiceRegistrar"),
  };
}

/** The service's own doc comment (if any), then `summary`, with `@deprecated` when the service is. */
function serviceDoc(service: Service, summary: string): DocLines {
  const text = service.doc === undefined ? summary : `${service.doc.trimEnd()}\n\n${summary}`;
  return new DocBuilder(text).deprecated(service.annotations).lines();
}

/** The handler methods of every callable method (for the skeleton implementation). */
export function allHandlerMethods(ctx: FileContext, service: Service): HandlerMethodModel[] {
  return callableMethods(ctx, service).map(({ owner, method }) => handlerMethod(ctx, owner, method, service.name.name));
}

function argsDescriptor(ctx: FileContext, serviceName: string, method: FunctionDef): StructDescriptorModel {
  return {
    name: JSON.stringify(qualifiedName(ctx.file, `${serviceName}_${method.name.name}_args`)),
    kind: '"struct"',
    fields: method.params.map((p) => fieldDescriptor(ctx, p, fieldPropertyCandidate(p.name.name))),
    exceptionClass: null,
  };
}

function resultDescriptor(ctx: FileContext, serviceName: string, method: FunctionDef): StructDescriptorModel {
  const fields = method.throws.map((t) => fieldDescriptor(ctx, t, fieldPropertyCandidate(t.name.name)));
  if (method.returnType.kind !== "void") {
    const type = ctx.resolver.resolve(ctx.file, method.returnType);
    fields.unshift({
      id: "0",
      name: '"success"',
      jsName: '"success"',
      protoNumber: String(protoNumber(0)),
      type: descriptorExpression(type, ctx.imports),
      requiredness: '"optional"',
      defaultValue: null,
    });
  }
  return {
    name: JSON.stringify(qualifiedName(ctx.file, `${serviceName}_${method.name.name}_result`)),
    kind: '"struct"',
    fields,
    exceptionClass: null,
  };
}

/** Parameter names: escaped, unique, and never hiding a name the method body uses. */
function params(ctx: FileContext, owner: ServiceInFile, method: FunctionDef, bodyNames: string[]): { scope: NameScope; list: ParamModel[] } {
  const scope = new NameScope(bodyNames);
  const list = method.params.map((p) => ({
    name: scope.claim(bindingCandidate(p.name.name)),
    tsType: tsType(ctx.resolver.resolve(owner.file, p.type, ctx.resolver.reprAnnotation(p.annotations)), ctx.imports),
  }));
  return { scope, list };
}

function returnTsType(ctx: FileContext, owner: ServiceInFile, method: FunctionDef): string {
  return method.returnType.kind === "void" ? "void" : tsType(ctx.resolver.resolve(owner.file, method.returnType), ctx.imports);
}

function methodDocs(ctx: FileContext, owner: ServiceInFile, method: FunctionDef, contextTag: string | null): DocBuilder {
  const doc = new DocBuilder(method.doc);
  for (const p of method.params) if (p.doc !== undefined) doc.tag(`@param ${bindingCandidate(p.name.name)} ${inlineDoc(p.doc)}`);
  if (contextTag !== null) doc.tag(contextTag);
  for (const t of method.throws) {
    const type = tsType(ctx.resolver.resolve(owner.file, t.type), ctx.imports);
    const text = inlineDoc(t.doc);
    doc.tag(`@throws {${type}} ${t.name.name}${text === "" ? "" : ` ${text}`}`);
  }
  return doc.deprecated(method.annotations);
}

function clientMethod(ctx: FileContext, owner: ServiceInFile, method: FunctionDef, descriptorName: string): ClientMethodModel {
  const { scope, list } = params(ctx, owner, method, [descriptorName]);
  const optionsName = scope.claim("options");
  return {
    docLines: methodDocs(ctx, owner, method, `@param ${optionsName} Per-call options (timeout, cancellation, routing key, metadata).`).lines(),
    key: propertyKey(methodProperty(method)),
    params: list,
    optionsName,
    returnType: `Promise<${returnTsType(ctx, owner, method)}>`,
    descriptor: `${descriptorName}.methods[${JSON.stringify(method.name.name)}]!`,
    argList: list.map((p) => p.name).join(", "),
  };
}

function handlerMethod(ctx: FileContext, owner: ServiceInFile, method: FunctionDef, serviceName: string): HandlerMethodModel {
  const { scope, list } = params(ctx, owner, method, []);
  const contextName = scope.claim("context");
  const result = returnTsType(ctx, owner, method);
  return {
    docLines: methodDocs(ctx, owner, method, null).lines(),
    key: propertyKey(methodProperty(method)),
    params: list,
    contextName,
    returnType: `${result} | Promise<${result}>`,
    promiseType: `Promise<${result}>`,
    notImplemented: JSON.stringify(`${serviceName}.${method.name.name} is not implemented yet`),
  };
}
