import type { Enum, Service, Struct, Typedef } from "../ast.js";
import type { Program, ProgramFile, Resolved, ResolvedConstant } from "../program.js";
import type { FileSymbols } from "./symbol-table.js";

/** A name split at its first dot: `shared.Type` has scope `shared`. */
interface ScopedName {
  readonly scope: string | undefined;
  readonly name: string;
}

/** The `Program` handed to the generator, answering name lookups with Thrift's rules. */
export class CheckedProgram implements Program {
  constructor(
    readonly roots: readonly ProgramFile[],
    readonly files: ReadonlyMap<string, ProgramFile>,
    private readonly symbols: ReadonlyMap<ProgramFile, FileSymbols>,
  ) {}

  /** The names declared by one file of the program. */
  symbolsOf(file: ProgramFile): FileSymbols {
    const symbols = this.symbols.get(file);
    if (symbols === undefined) throw new Error(`file ${file.path} is not part of this program`);
    return symbols;
  }

  resolveType(from: ProgramFile, name: string): Resolved<Typedef | Enum | Struct> | undefined {
    const target = this.scopeTarget(from, splitScope(name));
    if (target === undefined) return undefined;
    const definition = this.symbolsOf(target.file).types.get(target.name);
    return definition === undefined ? undefined : { file: target.file, definition };
  }

  resolveService(from: ProgramFile, name: string): Resolved<Service> | undefined {
    const target = this.scopeTarget(from, splitScope(name));
    if (target === undefined) return undefined;
    const definition = this.symbolsOf(target.file).services.get(target.name);
    return definition === undefined ? undefined : { file: target.file, definition };
  }

  resolveConstant(from: ProgramFile, name: string): ResolvedConstant | undefined {
    const parts = name.split(".");
    if (parts.length === 1) return this.constIn(from, name);
    if (parts.length === 2) {
      // `A.B` is a local enum value first, then a constant of an included file (Thrift's order).
      const [first, second] = parts as [string, string];
      const local = this.enumValueIn(from, first, second);
      if (local !== undefined) return local;
      const included = from.includes.get(first);
      return included === undefined ? undefined : this.constIn(included, second);
    }
    if (parts.length === 3) {
      const [scope, enumName, valueName] = parts as [string, string, string];
      const included = from.includes.get(scope);
      return included === undefined ? undefined : this.enumValueIn(included, enumName, valueName);
    }
    return undefined;
  }

  /**
   * Every name of `kind` that `from` can write, local ones bare and included
   * ones with their scope; constants include `Enum.VALUE` forms. For suggestions.
   */
  *visibleNames(from: ProgramFile, kind: "type" | "service" | "constant"): Generator<string> {
    const visible: [string, ProgramFile][] = [
      ["", from],
      ...[...from.includes].map(([scope, file]): [string, ProgramFile] => [`${scope}.`, file]),
    ];
    for (const [prefix, file] of visible) {
      const symbols = this.symbolsOf(file);
      if (kind === "service") {
        for (const name of symbols.services.keys()) yield prefix + name;
      } else if (kind === "type") {
        for (const name of symbols.types.keys()) yield prefix + name;
      } else {
        for (const name of symbols.consts.keys()) yield prefix + name;
        for (const definition of symbols.types.values()) {
          if (definition.kind !== "enum") continue;
          for (const value of definition.values) yield `${prefix}${definition.name.name}.${value.name.name}`;
        }
      }
    }
  }

  private scopeTarget(from: ProgramFile, scoped: ScopedName): { file: ProgramFile; name: string } | undefined {
    if (scoped.scope === undefined) return { file: from, name: scoped.name };
    const file = from.includes.get(scoped.scope);
    if (file === undefined || scoped.name.includes(".")) return undefined;
    return { file, name: scoped.name };
  }

  private constIn(file: ProgramFile, name: string): ResolvedConstant | undefined {
    const definition = this.symbolsOf(file).consts.get(name);
    return definition === undefined ? undefined : { kind: "const", file, definition };
  }

  private enumValueIn(file: ProgramFile, enumName: string, valueName: string): ResolvedConstant | undefined {
    const definition = this.symbolsOf(file).types.get(enumName);
    if (definition?.kind !== "enum") return undefined;
    const value = definition.values.find((v) => v.name.name === valueName);
    return value === undefined ? undefined : { kind: "enumValue", file, definition, value };
  }
}

/** Splits `scope.Name` at the first dot; a name without a dot has no scope. */
export function splitScope(name: string): ScopedName {
  const dot = name.indexOf(".");
  return dot < 0 ? { scope: undefined, name } : { scope: name.slice(0, dot), name: name.slice(dot + 1) };
}
