import type { Annotation, FunctionDef, Service } from "../../idl/ast.js";
import type { ProgramFile } from "../../idl/program.js";
import type { MethodHints } from "@rpcgen/runtime/internal/descriptor.js";
import { arrayDoc, arrayOfObjects, type Entry, fragment, objectDoc, parenthesizedList, typeArguments } from "../layout/code-docs.js";
import type { Doc } from "../layout/doc.js";
import { stringLiteral } from "../layout/literals.js";
import { NameScope } from "../name-scope.js";
import { bindingCandidate, fieldPropertyCandidate, propertyKey } from "../safe-identifier.js";
import { type DocLines, DocBuilder, inlineDoc } from "./doc-lines.js";
import type { FileContext } from "./file-context.js";
import { methodProperty } from "./field-properties.js";
import { FileNames } from "./file-names.js";
import { methodHints } from "./method-hints.js";
import { fieldInit, qualifiedName } from "./struct-model.js";
import type { ClientMethodModel, HandlerMethodModel, ServiceModel } from "./template-model.js";
import { descriptorDoc, tsType } from "./type-expressions.js";

/** Names Object.prototype defines: an entry with such a key needs `satisfies` (see methodEntry). */
const objectMembers = new Set(Object.getOwnPropertyNames(Object.prototype));

/** A service with the file that declares it. */
export interface ServiceInFile {
  readonly file: ProgramFile;
  readonly service: Service;
}

/** A method callable through a service, with where it was declared. */
export interface CallableMethod {
  readonly owner: ServiceInFile;
  readonly method: FunctionDef;
}

/** A parameter of a generated method. */
export interface Param {
  readonly name: string;
  readonly tsType: string;
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

/** Builds the descriptor, client, handler and register function of one service. */
export function serviceModel(ctx: FileContext, service: Service): ServiceModel {
  const names = FileNames.of(ctx.file).service(service.name.name);
  const chain = ancestors(ctx, { file: ctx.file, service });
  const parent = chain[0];
  const parentNames = parent === undefined ? undefined : FileNames.of(parent.file).service(parent.service.name.name);
  const levels = [service.annotations, ...chain.map((s) => s.service.annotations)];
  const methods = callableMethods(ctx, service);
  const own = methods.filter((m) => m.owner.service === service);
  const serviceName = service.name.name;
  const version = service.annotations.filter((a) => a.key === "version").at(-1)?.value;
  const annotations = annotationEntries(service.annotations);
  return {
    docLines: new DocBuilder(service.doc ?? `Methods, argument and result types and call hints of ${serviceName}, for the runtime.`)
      .deprecated(service.annotations)
      .lines(),
    descriptorName: names.descriptor,
    descriptorType: ctx.imports.runtimeType("ServiceDescriptor"),
    defineService: ctx.imports.runtimeValue("defineService"),
    name: stringLiteral(serviceName),
    qualifiedName: stringLiteral(qualifiedName(ctx.file, serviceName)),
    version: version === undefined ? null : stringLiteral(version),
    parent: parent === undefined ? null : ctx.imports.qualify(parent.file, parentNames!.descriptor),
    methods: own.map(({ method }) => methodEntry(ctx, method, methodInit(ctx, method, methodHints(method, levels, ctx.diagnostics)))),
    inheritedHints: methods
      .filter((m) => m.owner.service !== service)
      .flatMap(({ method }) => {
        const hints = methodHints(method, levels, ctx.diagnostics);
        const parentHints = methodHints(method, levels.slice(1), ctx.diagnostics);
        return sameHints(hints, parentHints) ? [] : [methodEntry(ctx, method, hintEntries(hints), "MethodHints")];
      }),
    annotations: annotations.length === 0 ? null : fragment(["annotations: ", objectDoc(annotations), ","], 2),
    clientName: names.client,
    clientDocLines: serviceDoc(service, `Calls ${serviceName} through an Invoker (a connection, a pool or a cluster client).`),
    invokerType: ctx.imports.runtimeType("Invoker"),
    clientMethods: methods.map(({ owner, method }) => clientMethod(ctx, owner, method, names.descriptor)),
    handlerName: names.handler,
    handlerDocLines: serviceDoc(
      service,
      `What a server needs to serve ${serviceName}: each method receives the call's arguments and a CallContext.`,
    ),
    handlerExtends: parent === undefined ? null : ctx.imports.qualify(parent.file, parentNames!.handler),
    handlerMethods: own.map(({ owner, method }) => handlerMethod(ctx, owner, method)),
    registerDocLines: new DocBuilder(`Adds \`handler\` to \`server\` as the implementation of ${serviceName}.`).lines(),
    registerSignature: fragment(
      [
        "export function ",
        names.register,
        parenthesizedList([`server: ${ctx.imports.runtimeType("ServiceRegistrar")}`, `handler: ${names.handler}`]),
        ": void {",
      ],
      0,
    ),
  };
}

/**
 * The entries of a method's MethodInit (runtime/define-descriptors.ts): only
 * what differs from the defaults; the name, wire name and struct names follow
 * from the service.
 */
function methodInit(ctx: FileContext, method: FunctionDef, hints: MethodHints): Entry[] {
  const entries: Entry[] = [];
  const jsName = methodProperty(method);
  if (jsName !== method.name.name) entries.push(["jsName", stringLiteral(jsName)]);
  if (method.oneway) entries.push(["oneway", "true"]);
  if (method.params.length > 0) {
    entries.push(["args", arrayOfObjects(method.params.map((p) => fieldInit(ctx, p, fieldPropertyCandidate(p.name.name))))]);
  }
  if (method.returnType.kind !== "void") {
    entries.push(["returns", descriptorDoc(ctx.resolver.resolve(ctx.file, method.returnType), ctx.imports)]);
  }
  if (method.throws.length > 0) {
    entries.push(["throws", arrayOfObjects(method.throws.map((t) => fieldInit(ctx, t, fieldPropertyCandidate(t.name.name))))]);
  }
  const hintList = hintEntries(hints);
  if (hintList.length > 0) entries.push(["hints", objectDoc(hintList)]);
  const annotations = annotationEntries(method.annotations);
  if (annotations.length > 0) entries.push(["annotations", objectDoc(annotations)]);
  return entries;
}

/**
 * `name: {...},` in `methods` or `inheritedHints`. A method named like an
 * Object.prototype member (`toString`) gets `satisfies`: TypeScript would
 * otherwise type that property of the literal from Object, not from the
 * record, and widen its strings.
 */
function methodEntry(ctx: FileContext, method: FunctionDef, entries: readonly Entry[], type = "MethodInit"): string {
  const satisfies = objectMembers.has(method.name.name) ? ` satisfies ${ctx.imports.runtimeType(type)}` : "";
  return fragment([propertyKey(method.name.name), ": ", objectDoc(entries), satisfies, ","], 4);
}

function annotationEntries(annotations: readonly Annotation[]): Entry[] {
  const record = new Map<string, string>();
  for (const a of annotations) record.set(a.key, a.value ?? "");
  return [...record].map(([key, value]) => [propertyKey(key), stringLiteral(value)]);
}

function hintEntries(hints: MethodHints): Entry[] {
  const entries: Entry[] = [];
  if (hints.timeoutMs !== undefined) entries.push(["timeoutMs", String(hints.timeoutMs)]);
  if (hints.idempotent !== undefined) entries.push(["idempotent", String(hints.idempotent)]);
  if (hints.retries !== undefined) entries.push(["retries", String(hints.retries)]);
  if (hints.policy !== undefined) entries.push(["policy", stringLiteral(hints.policy)]);
  if (hints.routeKey !== undefined) entries.push(["routeKey", stringLiteral(hints.routeKey)]);
  return entries;
}

function sameHints(a: MethodHints, b: MethodHints): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof MethodHints>;
  return [...keys].every((key) => a[key] === b[key]);
}

/** The service's own doc comment (if any), then `summary`, with `@deprecated` when the service is. */
function serviceDoc(service: Service, summary: string): DocLines {
  const text = service.doc === undefined ? summary : `${service.doc.trimEnd()}\n\n${summary}`;
  return new DocBuilder(text).deprecated(service.annotations).lines();
}

/** Parameter names: escaped, unique, and never hiding a name the method body uses. */
export function params(ctx: FileContext, owner: ServiceInFile, method: FunctionDef, bodyNames: string[]): { scope: NameScope; list: Param[] } {
  const scope = new NameScope(bodyNames);
  const list = method.params.map((p) => ({
    name: scope.claim(bindingCandidate(p.name.name)),
    tsType: tsType(ctx.resolver.resolve(owner.file, p.type, ctx.resolver.reprAnnotation(p.annotations)), ctx.imports),
  }));
  return { scope, list };
}

/** The method's result type, `void` for a void method. */
export function returnTsType(ctx: FileContext, owner: ServiceInFile, method: FunctionDef): string {
  return method.returnType.kind === "void" ? "void" : tsType(ctx.resolver.resolve(owner.file, method.returnType), ctx.imports);
}

/** The JSDoc of a generated method: the IDL doc, its parameters' docs, `contextTag`, the exceptions it throws. */
export function methodDocs(ctx: FileContext, owner: ServiceInFile, method: FunctionDef, paramNames: readonly string[], contextTag: string | null): DocBuilder {
  const doc = new DocBuilder(method.doc);
  method.params.forEach((p, index) => {
    if (p.doc !== undefined) doc.param([p.name.name, paramNames[index]!], inlineDoc(p.doc));
  });
  if (contextTag !== null) doc.tag(contextTag);
  for (const t of method.throws) {
    const type = tsType(ctx.resolver.resolve(owner.file, t.type), ctx.imports);
    doc.throws(type, t.name.name, inlineDoc(t.doc));
  }
  return doc.deprecated(method.annotations);
}

function clientMethod(ctx: FileContext, owner: ServiceInFile, method: FunctionDef, descriptorName: string): ClientMethodModel {
  const { scope, list } = params(ctx, owner, method, [descriptorName]);
  const options = scope.claim("options");
  const result = returnTsType(ctx, owner, method);
  const returnType = `Promise<${result}>`;
  const paramNames = list.map((p) => p.name);
  const signature: Doc = [
    propertyKey(methodProperty(method)),
    parenthesizedList([...list.map((p) => `${p.name}: ${p.tsType}`), `${options}?: ${ctx.imports.runtimeType("CallOptions")}`]),
    `: ${returnType} {`,
  ];
  const call: Doc = [
    "return this.#invoker.invoke",
    parenthesizedList([`${descriptorName}.methods[${stringLiteral(method.name.name)}]!`, arrayDoc(paramNames), options]),
    " as Promise",
    typeArguments(result),
    ";",
  ];
  return {
    docLines: methodDocs(ctx, owner, method, paramNames, `@param ${options} Per-call options (timeout, cancellation, routing key, metadata).`).lines(),
    signature: fragment(signature, 2),
    body: fragment(call, 4),
  };
}

function handlerMethod(ctx: FileContext, owner: ServiceInFile, method: FunctionDef): HandlerMethodModel {
  const { scope, list } = params(ctx, owner, method, []);
  const context = scope.claim("context");
  const result = returnTsType(ctx, owner, method);
  const signature: Doc = [
    propertyKey(methodProperty(method)),
    parenthesizedList([...list.map((p) => `${p.name}: ${p.tsType}`), `${context}: ${ctx.imports.runtimeType("CallContext")}`]),
    `: ${result} | Promise<${result}>;`,
  ];
  return {
    docLines: methodDocs(ctx, owner, method, list.map((p) => p.name), null).lines(),
    signature: fragment(signature, 2),
  };
}
