import type { ProgramFile } from "../../idl/program.js";
import type { NameScope } from "../name-scope.js";
import type { OutputPaths } from "../output-paths.js";
import { bindingCandidate } from "../safe-identifier.js";

/** The module generated code imports the runtime from. */
export const runtimeModule = "rpcgen/runtime";

/** One `import * as alias from "./y.js"` line. */
export interface NamespaceImport {
  readonly alias: string;
  readonly specifier: string;
}

/** Named imports of one module, rendered as `Name` or `Name as Alias`, sorted. */
export interface NamedImports {
  readonly specifier: string;
  readonly types: string[];
  readonly values: string[];
}

/**
 * Every import of one generated file, and the local name each imported thing
 * has. Names are allocated in the module's scope, so an IDL type called
 * `DeclaredException` makes the runtime's class come in as `DeclaredException_`.
 */
export class ImportCollector {
  private readonly namespaces = new Map<ProgramFile, NamespaceImport>();
  private readonly runtimeTypes = new Map<string, string>();
  private readonly runtimeValues = new Map<string, string>();

  /**
   * `asOutsider` builds the imports of a module that sits next to `file`'s
   * generated module but is not it (the `--skeleton` starter): then `file`'s own
   * exports are imported through a namespace too.
   */
  constructor(
    private readonly file: ProgramFile,
    private readonly scope: NameScope,
    private readonly paths: OutputPaths,
    private readonly asOutsider = false,
  ) {
    if (asOutsider) {
      // A hand-edited starter imports only what it uses.
      this.addNamespace(file, file.scope);
      return;
    }
    // Includes first, in the order written, so aliases mirror the IDL's own scope names.
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

  /** The namespace alias through which this file refers to `other`'s exports; imports it if needed. */
  namespaceOf(other: ProgramFile): string {
    return (this.namespaces.get(other) ?? this.addNamespace(other, other.scope)).alias;
  }

  /** `name` exported by `owner`, as this file refers to it. */
  qualify(owner: ProgramFile, name: string): string {
    return owner === this.file && !this.asOutsider ? name : `${this.namespaceOf(owner)}.${name}`;
  }

  namespaceImports(): NamespaceImport[] {
    return [...this.namespaces.values()];
  }

  runtimeImports(): NamedImports {
    return {
      specifier: runtimeModule,
      types: render(this.runtimeTypes),
      values: render(this.runtimeValues),
    };
  }

  private addNamespace(other: ProgramFile, scopeName: string): NamespaceImport {
    const entry = { alias: this.scope.claim(bindingCandidate(scopeName)), specifier: this.paths.moduleSpecifier(this.file, other) };
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

function render(names: Map<string, string>): string[] {
  return [...names]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, local]) => (name === local ? name : `${name} as ${local}`));
}
