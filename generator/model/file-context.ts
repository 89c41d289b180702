import type { Field } from "../../idl/ast.js";
import type { Program, ProgramFile } from "../../idl/program.js";
import type { GeneratorDiagnostics } from "../generate-error.js";
import { ConstExpressions } from "./const-expressions.js";
import type { ImportCollector } from "./import-collector.js";
import type { ResolvedType, TypeResolver } from "./resolved-type.js";

/** Everything the model builders of one generated file share. */
export class FileContext {
  readonly consts: ConstExpressions;

  constructor(
    readonly program: Program,
    readonly file: ProgramFile,
    readonly resolver: TypeResolver,
    readonly imports: ImportCollector,
    readonly diagnostics: GeneratorDiagnostics,
  ) {
    this.consts = new ConstExpressions(program, resolver, imports, diagnostics);
  }

  /** A field's type, honouring its own `ts.type` annotation. */
  fieldType(field: Field, file: ProgramFile = this.file): ResolvedType {
    return this.resolver.resolve(file, field.type, this.resolver.reprAnnotation(field.annotations));
  }

  /** Whether a field's type is string (see fieldProperties). */
  isStringField = (field: Field, file: ProgramFile = this.file): boolean => {
    const t = this.fieldType(field, file);
    return t.kind === "scalar" && t.name === "string";
  };
}
