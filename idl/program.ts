import type {
  Const,
  Definition,
  Enum,
  EnumValue,
  Service,
  Struct,
  ThriftDocument,
  Typedef,
} from "./ast.js";

/** One parsed file of a program, with its includes resolved to other files. */
export interface ProgramFile {
  /** Absolute, normalised path. */
  readonly path: string;
  /** The file's Thrift scope: its base name without extension (`shared` for `shared.thrift`). */
  readonly scope: string;
  /** The file's text, kept so diagnostics can show the source line. */
  readonly source: string;
  readonly document: ThriftDocument;
  /** Included files by the scope name used to refer to them (`shared` in `shared.Type`). */
  readonly includes: ReadonlyMap<string, ProgramFile>;
  /**
   * The `-I` directory (absolute) the file was found through when it was
   * first included: directly, or next to a file found through it. Undefined
   * for files named on the command line and the files they reach without `-I`.
   */
  readonly includeDir: string | undefined;
}

/** A definition together with the file that declares it. */
export interface Resolved<D extends Definition> {
  readonly file: ProgramFile;
  readonly definition: D;
}

export type ResolvedConstant =
  | { readonly kind: "const"; readonly file: ProgramFile; readonly definition: Const }
  | {
      readonly kind: "enumValue";
      readonly file: ProgramFile;
      readonly definition: Enum;
      readonly value: EnumValue;
    };

/**
 * A set of IDL files checked as a whole: the files named on the command line
 * (roots) and everything they include. Produced by `loadProgram`; consumed by
 * the generator. Name lookups follow Thrift's rules: an unscoped name is looked
 * up in the file itself, `scope.Name` in the included file with that scope.
 */
export interface Program {
  readonly roots: readonly ProgramFile[];
  /** Every file, by absolute path, roots and includes alike, in a stable order (includes first). */
  readonly files: ReadonlyMap<string, ProgramFile>;
  /** Resolves a type name as written in `from` (one level: a typedef is returned as the typedef). */
  resolveType(from: ProgramFile, name: string): Resolved<Typedef | Enum | Struct> | undefined;
  /** Resolves a service name as written in `from` (for `extends`). */
  resolveService(from: ProgramFile, name: string): Resolved<Service> | undefined;
  /** Resolves a constant reference (`MAX`, `Color.RED`, `inc.Color.RED`, `inc.MAX`) as written in `from`. */
  resolveConstant(from: ProgramFile, name: string): ResolvedConstant | undefined;
}
