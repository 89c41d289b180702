import { expect } from "vitest";
import type {
  Const,
  Definition,
  Enum,
  Service,
  SourceRange,
  Struct,
  ThriftDocument,
  Typedef,
} from "../../../idl/ast.js";
import type { Diagnostic } from "../../../idl/diagnostic.js";
import { parse } from "../../../idl/parse.js";

/** `line:column-line:column` of a range, to compare positions compactly. */
export function at(range: SourceRange | undefined): string {
  if (range === undefined) return "none";
  return `${range.start.line}:${range.start.column}-${range.end.line}:${range.end.column}`;
}

/** Parses text that must have no diagnostics at all. */
export function parseClean(text: string): ThriftDocument {
  const result = parse(text, "test.thrift");
  expect(result.diagnostics.map(show)).toEqual([]);
  return result.document;
}

/** The only definition of a document, narrowed to the kind the test expects. */
interface DefinitionsByKind {
  typedef: Typedef;
  const: Const;
  enum: Enum;
  struct: Struct;
  union: Struct;
  exception: Struct;
  service: Service;
}

export function only<K extends Definition["kind"]>(document: ThriftDocument, kind: K): DefinitionsByKind[K] {
  expect(document.definitions).toHaveLength(1);
  const definition = document.definitions[0]!;
  expect(definition.kind).toBe(kind);
  return definition as DefinitionsByKind[K];
}

/** `CODE at line:col-line:col: message`, one string per diagnostic. */
export function show(diagnostic: Diagnostic): string {
  return `${diagnostic.code} at ${at(diagnostic.range)}: ${diagnostic.message}`;
}

/** Diagnostics of a text as `CODE at range` (no message). */
export function codesAt(text: string): string[] {
  return parse(text, "test.thrift").diagnostics.map((d) => `${d.code} at ${at(d.range)}`);
}
