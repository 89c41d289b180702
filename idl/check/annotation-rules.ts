import type { Annotation, ThriftDocument } from "../ast.js";
import { E_GEN_RPC_ANNOTATION, E_GEN_TS_TYPE, W_UNKNOWN_RPC_ANNOTATION } from "../diagnostic-codes.js";
import type { ProgramFile } from "../program.js";
import { RPC_HINT_KEYS, badValueMessage, readRpcHint, readRpcOffload, readTsType } from "./annotation-values.js";
import type { DiagnosticSink } from "./diagnostic-sink.js";
import { didYouMean } from "../suggest-name.js";
import { fieldListsOf, forEachTypeRef } from "./walk.js";

/**
 * Checks the annotations that steer generated code: every `ts.type` the
 * generator reads names a representation, and every `rpc.*` hint on a service
 * or method has a value the runtime can use (a method's `rpc.routekey` names
 * one of its arguments). An unknown `rpc.*` key is likely a typo: a warning.
 */
export function checkAnnotations(file: ProgramFile, sink: DiagnosticSink): void {
  checkTsTypes(file.document, sink);
  for (const definition of file.document.definitions) {
    if (definition.kind !== "service") continue;
    for (const annotation of definition.annotations) checkServiceHint(annotation, sink);
    for (const fn of definition.functions) {
      const argNames = new Set(fn.params.map((p) => p.name.name));
      for (const annotation of fn.annotations) checkMethodHint(annotation, argNames, sink);
    }
  }
}

/** Where the generator reads `ts.type`: fields, parameters, constants, typedefs and any written type. */
function checkTsTypes(document: ThriftDocument, sink: DiagnosticSink): void {
  for (const list of fieldListsOf(document)) for (const field of list.fields) checkTsType(field.annotations, sink);
  for (const definition of document.definitions) {
    if (definition.kind === "const" || definition.kind === "typedef") checkTsType(definition.annotations, sink);
  }
  forEachTypeRef(document, (type) => {
    if (type.annotations.length > 0) checkTsType(type.annotations, sink);
  });
}

function checkTsType(annotations: readonly Annotation[], sink: DiagnosticSink): void {
  for (const annotation of annotations) {
    if (annotation.key !== "ts.type") continue;
    const reading = readTsType(annotation);
    if (!reading.ok) sink.error(E_GEN_TS_TYPE, badValueMessage(annotation, reading.expected), annotation.range);
  }
}

function checkMethodHint(annotation: Annotation, argNames: ReadonlySet<string>, sink: DiagnosticSink): void {
  if (!annotation.key.startsWith("rpc.")) return;
  if (annotation.key === "rpc.offload") {
    const offload = readRpcOffload(annotation);
    if (!offload.ok) sink.error(E_GEN_RPC_ANNOTATION, badValueMessage(annotation, offload.expected), annotation.range);
    return;
  }
  const reading = readRpcHint(annotation, argNames);
  if (reading === undefined) warnUnknown(annotation, sink);
  else if (!reading.ok) sink.error(E_GEN_RPC_ANNOTATION, badValueMessage(annotation, reading.expected), annotation.range);
}

/** A service-level `rpc.routekey` applies to the methods that have such an argument, so any name will do. */
function checkServiceHint(annotation: Annotation, sink: DiagnosticSink): void {
  if (annotation.key !== "rpc.routekey") return checkMethodHint(annotation, new Set(), sink);
  if (annotation.value === undefined || annotation.value === "") {
    sink.error(E_GEN_RPC_ANNOTATION, badValueMessage(annotation, "the name of an argument"), annotation.range);
  }
}

function warnUnknown(annotation: Annotation, sink: DiagnosticSink): void {
  sink.warning(
    W_UNKNOWN_RPC_ANNOTATION,
    `rpcgen does not know the annotation ${annotation.key}; it has no effect${didYouMean(annotation.key, RPC_HINT_KEYS)}`,
    annotation.range,
  );
}
