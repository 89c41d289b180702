import type { Const, Definition, Enum, Service, Struct, Typedef } from "../ast.js";
import type { ProgramFile } from "../program.js";
import { E_DUPLICATE_DEFINITION } from "../diagnostic-codes.js";
import type { DiagnosticSink } from "./diagnostic-sink.js";
import { where } from "./source-location.js";

/** The names one file declares, split by what they can be used as. */
export interface FileSymbols {
  readonly types: ReadonlyMap<string, Typedef | Enum | Struct>;
  readonly services: ReadonlyMap<string, Service>;
  readonly consts: ReadonlyMap<string, Const>;
}

/**
 * Collects the definitions of one file by name. All definitions share one
 * namespace: a second definition with a taken name is reported and ignored,
 * so later passes see the first one only.
 */
export function buildSymbols(file: ProgramFile, sink: DiagnosticSink): FileSymbols {
  const seen = new Map<string, Definition>();
  const types = new Map<string, Typedef | Enum | Struct>();
  const services = new Map<string, Service>();
  const consts = new Map<string, Const>();
  for (const definition of file.document.definitions) {
    const name = definition.name.name;
    const first = seen.get(name);
    if (first !== undefined) {
      sink.error(
        E_DUPLICATE_DEFINITION,
        `"${name}" is already defined (${first.kind} at ${where(first)})`,
        definition.name.range,
      );
      continue;
    }
    seen.set(name, definition);
    if (definition.kind === "service") services.set(name, definition);
    else if (definition.kind === "const") consts.set(name, definition);
    else types.set(name, definition);
  }
  return { types, services, consts };
}
