import type { ProgramFile } from "../../idl/program.js";
import { fragment } from "../layout/code-docs.js";
import { type Doc, group, ifBreak, indent, join, line } from "../layout/doc.js";
import { stringLiteral } from "../layout/literals.js";
import type { NameScope } from "../name-scope.js";
import { bindingCandidate } from "../safe-identifier.js";

/** The module generated code imports the runtime from. */
export const runtimeModule = "@rpcgen/runtime";

interface NamespaceEntry {
  readonly alias: string;
  readonly specifier: string;
  /** Whether anything refers to it: only those are imported (noUnusedLocals). */
  used: boolean;
}

/** Where one generated module sits: the specifier by which it imports another file's module. */
export type SpecifierOf = (other: ProgramFile) => string;

/**
 * Every import of one generated file, and the local name each imported thing
 * has. Names are allocated in the module's scope, so an IDL type called
 * `DeclaredException` makes the runtime's class come in as `DeclaredException_`.
 * Only what the file uses is imported.
 */
export class ImportCollector {
  private readonly namespaces = new Map<ProgramFile, NamespaceEntry>();
  private readonly runtimeTypes = new Map<string, string>();
  private readonly runtimeValues = new Map<string, string>();
  private readonly namedValues: { name: string; specifier: string }[] = [];

  /**
   * `asOutsider` builds the imports of a module that is not `file`'s generated
   * module (the `--skeleton` starter): then `file`'s own exports are imported
   * through a namespace too, and namespaces are imported as types only.
   */
  constructor(
    private readonly file: ProgramFile,
    private readonly scope: NameScope,
    private readonly specifierOf: SpecifierOf,
    private readonly asOutsider = false,
  ) {
    if (asOutsider) {
      this.addNamespace(file, file.scope);
      return;
    }
    // Aliases for the includes first, in the order written, so they mirror the IDL's own scope names.
    for (const [scopeName, included] of file.includes) this.addNamespace(included, scopeName);
  }

  /** The local name of a runtime type (imported with `import type`). */
  runtimeType(name: string): string {
    return this.runtimeValues.get(name) ?? this.claim(this.runtimeTypes, name);
  }

  /** The local name of a runtime value (class, function). */
  runtimeValue(name: string): string {
    const asType = this.runtimeTypes.get(name);
    if (asType !== undefined) {
      this.runtimeTypes.delete(name);
      this.runtimeValues.set(name, asType);
      return asType;
    }
    return this.claim(this.runtimeValues, name);
  }

  /** The local name of `name`, a value exported by the module at `specifier` (imported by name). */
  namedValue(name: string, specifier: string): string {
    const local = this.scope.claim(name);
    this.namedValues.push({ name: local === name ? name : `${name} as ${local}`, specifier });
    return local;
  }

  /** The namespace alias through which this file refers to `other`'s exports; imports it if needed. */
  namespaceOf(other: ProgramFile): string {
    const entry = this.namespaces.get(other) ?? this.addNamespace(other, other.scope);
    entry.used = true;
    return entry.alias;
  }

  /** `name` exported by `owner`, as this file refers to it. */
  qualify(owner: ProgramFile, name: string): string {
    return owner === this.file && !this.asOutsider ? name : `${this.namespaceOf(owner)}.${name}`;
  }

  /**
   * The import statements, laid out as prettier would: runtime types, runtime
   * values, then the namespaces (includes first, in the order written) and
   * named imports of other modules.
   */
  statements(): string[] {
    const statements: string[] = [];
    const types = render(this.runtimeTypes);
    const values = render(this.runtimeValues);
    if (types.length > 0) statements.push(namedImport("import type ", types, runtimeModule));
    if (values.length > 0) statements.push(namedImport("import ", values, runtimeModule));
    const keyword = this.asOutsider ? "import type * as" : "import * as";
    for (const entry of this.namespaces.values()) {
      if (entry.used) statements.push(`${keyword} ${entry.alias} from ${stringLiteral(entry.specifier)};`);
    }
    for (const { name, specifier } of this.namedValues) statements.push(namedImport("import ", [name], specifier));
    return statements;
  }

  private addNamespace(other: ProgramFile, scopeName: string): NamespaceEntry {
    const entry = { alias: this.scope.claim(bindingCandidate(scopeName)), specifier: this.specifierOf(other), used: false };
    this.namespaces.set(other, entry);
    return entry;
  }

  private claim(into: Map<string, string>, name: string): string {
    let local = into.get(name);
    if (local === undefined) {
      local = this.scope.claim(name);
      into.set(name, local);
    }
    return local;
  }
}

/** `import { A, B } from "m";`, broken one name per line when too long (a single name never breaks). */
function namedImport(keyword: string, names: readonly string[], specifier: string): string {
  const from = ` from ${stringLiteral(specifier)};`;
  if (names.length === 1) return `${keyword}{ ${names[0]} }${from}`;
  const list: Doc = group(["{", indent([line, join([",", line], names)]), ifBreak(","), line, "}"]);
  return fragment([keyword, list, from], 0);
}

function render(names: Map<string, string>): string[] {
  return [...names]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, local]) => (name === local ? name : `${name} as ${local}`));
}
