import type { FunctionDef, Service } from "../ast.js";
import type { ProgramFile, Resolved } from "../program.js";
import {
  E_DUPLICATE_METHOD,
  E_EXTENDS_CYCLE,
  E_NOT_A_SERVICE,
  E_ONEWAY_RETURN,
  E_ONEWAY_THROWS,
  E_THROWS_NOT_EXCEPTION,
  E_UNKNOWN_SCOPE,
  E_UNKNOWN_SERVICE,
} from "../diagnostic-codes.js";
import type { DiagnosticSink } from "./diagnostic-sink.js";
import { type CheckedProgram, splitScope } from "./program-model.js";
import { where } from "./source-location.js";
import { didYouMean } from "../suggest-name.js";
import { resolveTrueType } from "./type-resolution.js";

/**
 * Service rules: `extends` names a service and never loops; method names are
 * unique across the whole extends chain; throws lists hold exceptions only;
 * oneway methods return void and throw nothing.
 */
export function checkServices(program: CheckedProgram, sink: DiagnosticSink): void {
  const reportedCycles = new Set<Service>();
  for (const file of program.files.values()) {
    for (const service of program.symbolsOf(file).services.values()) {
      checkExtends(program, file, service, sink);
      checkExtendsCycle(program, file, service, reportedCycles, sink);
      checkMethodNames(program, file, service, sink);
      for (const fn of service.functions) {
        checkThrows(program, file, service, fn, sink);
        checkOneway(service, fn, sink);
      }
    }
  }
}

function checkExtends(program: CheckedProgram, file: ProgramFile, service: Service, sink: DiagnosticSink): void {
  const base = service.extends;
  if (base === undefined || program.resolveService(file, base.name) !== undefined) return;
  const { scope } = splitScope(base.name);
  if (scope !== undefined && !file.includes.has(scope)) {
    sink.error(
      E_UNKNOWN_SCOPE,
      `unknown scope "${scope}" in "${base.name}": no included file is named ${scope}.thrift`,
      base.range,
    );
    return;
  }
  const type = program.resolveType(file, base.name);
  if (type !== undefined) {
    sink.error(
      E_NOT_A_SERVICE,
      `service ${service.name.name} cannot extend ${type.definition.kind} ${base.name}`,
      base.range,
    );
    return;
  }
  if (program.resolveConstant(file, base.name) !== undefined) {
    sink.error(E_NOT_A_SERVICE, `service ${service.name.name} cannot extend constant ${base.name}`, base.range);
    return;
  }
  const suggestion = didYouMean(base.name, program.visibleNames(file, "service"));
  sink.error(E_UNKNOWN_SERVICE, `unknown service "${base.name}"${suggestion}`, base.range);
}

/** The services `service` extends, nearest first, stopping before any repeat. */
function ancestorsOf(program: CheckedProgram, file: ProgramFile, service: Service): Resolved<Service>[] {
  const ancestors: Resolved<Service>[] = [];
  let current: Resolved<Service> = { file, definition: service };
  for (;;) {
    const base = current.definition.extends;
    if (base === undefined) return ancestors;
    const next = program.resolveService(current.file, base.name);
    if (next === undefined || next.definition === service) return ancestors;
    if (ancestors.some((a) => a.definition === next.definition)) return ancestors;
    ancestors.push(next);
    current = next;
  }
}

function checkExtendsCycle(
  program: CheckedProgram,
  file: ProgramFile,
  service: Service,
  reported: Set<Service>,
  sink: DiagnosticSink,
): void {
  if (service.extends === undefined || reported.has(service)) return;
  const ancestors = ancestorsOf(program, file, service);
  const last = ancestors.at(-1) ?? { file, definition: service };
  const closing = last.definition.extends;
  if (closing === undefined || program.resolveService(last.file, closing.name)?.definition !== service) return;
  for (const ancestor of ancestors) reported.add(ancestor.definition);
  reported.add(service);
  const names = [service, ...ancestors.map((a) => a.definition), service].map((s) => s.name.name);
  sink.error(E_EXTENDS_CYCLE, `service extends cycle: ${names.join(" -> ")}`, service.extends.range);
}

function checkMethodNames(program: CheckedProgram, file: ProgramFile, service: Service, sink: DiagnosticSink): void {
  const inherited = new Map<string, { service: Service; fn: FunctionDef }>();
  // Nearest ancestor first, so a clash is reported against the closest definition.
  for (const ancestor of ancestorsOf(program, file, service)) {
    for (const fn of ancestor.definition.functions) {
      if (!inherited.has(fn.name.name)) inherited.set(fn.name.name, { service: ancestor.definition, fn });
    }
  }
  const own = new Map<string, FunctionDef>();
  for (const fn of service.functions) {
    const name = fn.name.name;
    const first = own.get(name);
    if (first !== undefined) {
      sink.error(
        E_DUPLICATE_METHOD,
        `method "${name}" is already defined in service ${service.name.name} (${where(first)})`,
        fn.name.range,
      );
      continue;
    }
    own.set(name, fn);
    const base = inherited.get(name);
    if (base !== undefined) {
      sink.error(
        E_DUPLICATE_METHOD,
        `method "${name}" is already defined in base service ${base.service.name.name} (${where(base.fn)})`,
        fn.name.range,
      );
    }
  }
}

function checkThrows(
  program: CheckedProgram,
  file: ProgramFile,
  service: Service,
  fn: FunctionDef,
  sink: DiagnosticSink,
): void {
  for (const field of fn.throws) {
    const type = resolveTrueType(program, file, field.type);
    if (type.kind === "unresolved") continue;
    if (type.kind === "struct" && type.definition.kind === "exception") continue;
    const what =
      type.kind === "struct" ? `${type.definition.kind} ${type.definition.name.name}` : describeTrueKind(type.kind);
    sink.error(
      E_THROWS_NOT_EXCEPTION,
      `${service.name.name}.${fn.name.name} can only throw exceptions, but "${field.name.name}" is ${what}`,
      field.type.range,
    );
  }
}

function describeTrueKind(kind: "base" | "list" | "set" | "map" | "enum"): string {
  return kind === "base" ? "a base type" : kind === "enum" ? "an enum" : `a ${kind}`;
}

function checkOneway(service: Service, fn: FunctionDef, sink: DiagnosticSink): void {
  if (!fn.oneway) return;
  const method = `${service.name.name}.${fn.name.name}`;
  if (fn.returnType.kind !== "void") {
    sink.error(
      E_ONEWAY_RETURN,
      `oneway method ${method} must return void: the caller never gets a reply`,
      fn.returnType.range,
    );
  }
  const firstThrows = fn.throws[0];
  if (firstThrows !== undefined) {
    sink.error(
      E_ONEWAY_THROWS,
      `oneway method ${method} cannot throw: the caller never gets a reply`,
      firstThrows.range,
    );
  }
}
