import type { Definition, Enum, Service, Struct, Typedef } from "../ast.js";
import type { Program, ProgramFile, Resolved, ResolvedConstant } from "../program.js";
import type { FileSymbols } from "./symbol-table.js";

/** A name split at its last dot: `shared.Type` has scope `shared`. */
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
    return this.lookUp(from, name, (symbols) => symbols.types);
  }

  resolveService(from: ProgramFile, name: string): Resolved<Service> | undefined {
    return this.lookUp(from, name, (symbols) => symbols.services);
  }

  /**
   * Like Thrift, a constant reference is looked up as a whole: `MAX` and
   * `Color.RED` in the file itself first, then `inc.MAX` and `inc.Color.RED`
   * in the included file whose scope is `inc` (which may hold dots itself).
   */
  resolveConstant(from: ProgramFile, name: string): ResolvedConstant | undefined {
    const local = this.constIn(from, name);
    if (local !== undefined) return local;
    const { scope: prefix, name: last } = splitScope(name);
    if (prefix === undefined) return undefined;
    const localValue = this.enumValueIn(from, prefix, last);
    if (localValue !== undefined) return localValue;
    const included = from.includes.get(prefix);
    const includedConst = included === undefined ? undefined : this.constIn(included, last);
    if (includedConst !== undefined) return includedConst;
    const { scope, name: enumName } = splitScope(prefix);
    const enumFile = scope === undefined ? undefined : from.includes.get(scope);
    return enumFile === undefined ? undefined : this.enumValueIn(enumFile, enumName, last);
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

  /** `name` as a definition of `from` itself, else as `scope.Name` of an included file (Thrift's order). */
  private lookUp<D extends Definition>(
    from: ProgramFile,
    name: string,
    table: (symbols: FileSymbols) => ReadonlyMap<string, D>,
  ): Resolved<D> | undefined {
    const local = table(this.symbolsOf(from)).get(name);
    if (local !== undefined) return { file: from, definition: local };
    const { scope, name: last } = splitScope(name);
    const file = scope === undefined ? undefined : from.includes.get(scope);
    const definition = file === undefined ? undefined : table(this.symbolsOf(file)).get(last);
    return definition === undefined ? undefined : { file: file!, definition };
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

/**
 * Splits `scope.Name` at its last dot: an include's scope is its file name
 * without the extension, which may hold dots (`include "Foo.bar.thrift"` is
 * `Foo.bar`), while the names it defines are referred to without dots.
 */
export function splitScope(name: string): ScopedName {
  const dot = name.lastIndexOf(".");
  return dot < 0 ? { scope: undefined, name } : { scope: name.slice(0, dot), name: name.slice(dot + 1) };
}
