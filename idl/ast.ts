/**
 * The AST of one Thrift IDL file.
 *
 * Every node carries the source range it came from so that the checker, the
 * generator and the CLI can point at the exact line and column of a problem.
 * Lines and columns are 1-based; `end` is the position just after the node.
 */

export interface Position {
  /** 0-based character offset into the file. */
  offset: number;
  /** 1-based line. */
  line: number;
  /** 1-based column, counted in UTF-16 code units like an editor would. */
  column: number;
}

export interface SourceRange {
  /** Path of the file as given to the parser (absolute after include resolution). */
  file: string;
  start: Position;
  end: Position;
}

export interface Node {
  range: SourceRange;
}

/** `(key = "value", flag)`; a flag without a value has `value: undefined`. */
export interface Annotation extends Node {
  key: string;
  value: string | undefined;
}

/** A name as written, with where it was written. */
export interface Identifier extends Node {
  name: string;
}

// ---------------------------------------------------------------- types

export type BaseTypeName =
  | "bool"
  | "byte"
  | "i8"
  | "i16"
  | "i32"
  | "i64"
  | "double"
  | "string"
  | "binary"
  | "uuid";

export interface BaseType extends Node {
  kind: "base";
  name: BaseTypeName;
  annotations: Annotation[];
}

export interface ListType extends Node {
  kind: "list";
  element: TypeRef;
  annotations: Annotation[];
}

export interface SetType extends Node {
  kind: "set";
  element: TypeRef;
  annotations: Annotation[];
}

export interface MapType extends Node {
  kind: "map";
  key: TypeRef;
  value: TypeRef;
  annotations: Annotation[];
}

/**
 * A reference by name to a typedef, enum, struct, union or exception,
 * possibly scoped through an include (`shared.SharedStruct`).
 * The checker resolves it; the parser only records the text.
 */
export interface NamedType extends Node {
  kind: "named";
  name: string;
  annotations: Annotation[];
}

export type TypeRef = BaseType | ListType | SetType | MapType | NamedType;

/** The return type of a function: any type, or `void`. */
export interface VoidType extends Node {
  kind: "void";
}

// ---------------------------------------------------------------- constant values

export interface IntConst extends Node {
  kind: "int";
  /** Exact value; hex literals are converted. Never a JS number, so i64 stays exact. */
  value: bigint;
  /** The literal as written, e.g. `0x7fffffffffffffff` or `-1`. */
  text: string;
}

export interface DoubleConst extends Node {
  kind: "double";
  value: number;
  text: string;
}

export interface StringConst extends Node {
  kind: "string";
  /** The value with escapes processed. */
  value: string;
}

export interface BoolConst extends Node {
  kind: "bool";
  value: boolean;
}

/** A reference to another constant or an enum value: `MY_CONST`, `Color.RED`, `inc.Color.RED`. */
export interface IdentifierConst extends Node {
  kind: "identifier";
  name: string;
}

export interface ListConst extends Node {
  kind: "list";
  elements: ConstValue[];
}

export interface MapConstEntry extends Node {
  key: ConstValue;
  value: ConstValue;
}

/** `{k: v, ...}`: a map, or a struct value whose keys are field names. */
export interface MapConst extends Node {
  kind: "map";
  entries: MapConstEntry[];
}

export type ConstValue =
  | IntConst
  | DoubleConst
  | StringConst
  | BoolConst
  | IdentifierConst
  | ListConst
  | MapConst;

// ---------------------------------------------------------------- definitions

export interface Documented {
  /** Text of the `/** ... *\/` comment right before the element, with the comment markers and leading `*` stripped. */
  doc: string | undefined;
}

export type Requiredness = "required" | "optional" | "default";

export interface Field extends Node, Documented {
  /**
   * The field id. For a field written without an id, Thrift assigns negative
   * ids (-1, -2, ... in order of appearance within the struct) and warns;
   * `idExplicit` tells the two apart.
   */
  id: number;
  idExplicit: boolean;
  /** Range of the id literal, when one was written (for diagnostics). */
  idRange: SourceRange | undefined;
  requiredness: Requiredness;
  type: TypeRef;
  name: Identifier;
  defaultValue: ConstValue | undefined;
  annotations: Annotation[];
}

export interface Include extends Node {
  kind: "include";
  /** The path as written in the IDL. */
  path: string;
  /** The include's scope name: the file name without directory and extension. */
  scope: string;
}

export interface CppInclude extends Node {
  kind: "cpp_include";
  path: string;
}

export interface Namespace extends Node {
  kind: "namespace";
  /** `*`, `java`, `py.twisted`, ... */
  scope: string;
  name: string;
  annotations: Annotation[];
}

export type Header = Include | CppInclude | Namespace;

export interface Typedef extends Node, Documented {
  kind: "typedef";
  name: Identifier;
  type: TypeRef;
  annotations: Annotation[];
}

export interface Const extends Node, Documented {
  kind: "const";
  name: Identifier;
  type: TypeRef;
  value: ConstValue;
  annotations: Annotation[];
}

export interface EnumValue extends Node, Documented {
  name: Identifier;
  /** The value as written, if any. */
  explicitValue: IntConst | undefined;
  /** The value after applying Thrift's auto-numbering (previous + 1, starting at 0). */
  value: number;
  annotations: Annotation[];
}

export interface Enum extends Node, Documented {
  kind: "enum";
  name: Identifier;
  values: EnumValue[];
  annotations: Annotation[];
}

export interface Struct extends Node, Documented {
  kind: "struct" | "union" | "exception";
  name: Identifier;
  fields: Field[];
  annotations: Annotation[];
}

export interface FunctionDef extends Node, Documented {
  name: Identifier;
  oneway: boolean;
  returnType: TypeRef | VoidType;
  params: Field[];
  throws: Field[];
  annotations: Annotation[];
}

export interface Service extends Node, Documented {
  kind: "service";
  name: Identifier;
  /** `extends Base` or `extends shared.Base`, as written. */
  extends: Identifier | undefined;
  functions: FunctionDef[];
  annotations: Annotation[];
}

export type Definition = Typedef | Const | Enum | Struct | Service;

export interface ThriftDocument extends Node {
  /** Path as given to the parser. */
  file: string;
  headers: Header[];
  definitions: Definition[];
}
