/**
 * Stable diagnostic codes produced while loading and checking a program
 * (after parsing). The parser's own codes live in ../parser/diagnostic-codes.ts.
 * Every code is documented with an example in docs/DIAGNOSTICS.md.
 */

/** A file (a root file, or an include that was found) could not be read. */
export const E_READ_FILE = "E_READ_FILE";
/** An include names a file found neither next to the including file nor in any `-I` directory. */
export const E_INCLUDE_NOT_FOUND = "E_INCLUDE_NOT_FOUND";
/** Files include each other in a cycle. */
export const E_INCLUDE_CYCLE = "E_INCLUDE_CYCLE";
/** Two includes of different files would be referred to by the same scope name. */
export const E_INCLUDE_SCOPE_CONFLICT = "E_INCLUDE_SCOPE_CONFLICT";
/** A type name that no definition declares. */
export const E_UNKNOWN_TYPE = "E_UNKNOWN_TYPE";
/** `scope.Name` where `scope` is not the scope of an included file. */
export const E_UNKNOWN_SCOPE = "E_UNKNOWN_SCOPE";
/** A name used as a type that names a service or a constant. */
export const E_NOT_A_TYPE = "E_NOT_A_TYPE";
/** Typedefs that refer to each other in a cycle. */
export const E_TYPEDEF_CYCLE = "E_TYPEDEF_CYCLE";
/** Two definitions with the same name in one file. */
export const E_DUPLICATE_DEFINITION = "E_DUPLICATE_DEFINITION";
/** Two fields with the same id in one struct, union, exception, parameter list or throws list. */
export const E_DUPLICATE_FIELD_ID = "E_DUPLICATE_FIELD_ID";
/** Two fields with the same name in one field list. */
export const E_DUPLICATE_FIELD_NAME = "E_DUPLICATE_FIELD_NAME";
/** Two methods with the same name in a service, counting the methods it inherits. */
export const E_DUPLICATE_METHOD = "E_DUPLICATE_METHOD";
/** Two values with the same name in one enum. */
export const E_DUPLICATE_ENUM_VALUE = "E_DUPLICATE_ENUM_VALUE";
/** An explicit field id outside 1..32767. */
export const E_FIELD_ID_RANGE = "E_FIELD_ID_RANGE";
/** An enum value outside the i32 range. */
export const E_ENUM_VALUE_RANGE = "E_ENUM_VALUE_RANGE";
/** A constant or default value of the wrong kind for its declared type. */
export const E_CONST_TYPE = "E_CONST_TYPE";
/** An integer constant that does not fit its declared type. */
export const E_CONST_RANGE = "E_CONST_RANGE";
/** A uuid constant that is not a valid uuid string. */
export const E_INVALID_UUID = "E_INVALID_UUID";
/** A constant reference that names no constant or enum value. */
export const E_UNKNOWN_CONSTANT = "E_UNKNOWN_CONSTANT";
/** An enum-typed constant whose value is not a value of that enum. */
export const E_UNKNOWN_ENUM_VALUE = "E_UNKNOWN_ENUM_VALUE";
/** A struct-typed constant whose key names no field of the struct. */
export const E_UNKNOWN_FIELD = "E_UNKNOWN_FIELD";
/** A struct-typed constant with a key that is not a string. */
export const E_CONST_FIELD_KEY = "E_CONST_FIELD_KEY";
/** Constants that refer to each other in a cycle. */
export const E_CONST_CYCLE = "E_CONST_CYCLE";
/** An enum value written with the name of another enum; Thrift ignores the prefix. */
export const W_ENUM_VALUE_SCOPE = "W_ENUM_VALUE_SCOPE";
/** `extends` names nothing. */
export const E_UNKNOWN_SERVICE = "E_UNKNOWN_SERVICE";
/** `extends` names a type or constant instead of a service. */
export const E_NOT_A_SERVICE = "E_NOT_A_SERVICE";
/** Services that extend each other in a cycle. */
export const E_EXTENDS_CYCLE = "E_EXTENDS_CYCLE";
/** A throws list entry whose type is not an exception. */
export const E_THROWS_NOT_EXCEPTION = "E_THROWS_NOT_EXCEPTION";
/** A oneway method with a return type other than void. */
export const E_ONEWAY_RETURN = "E_ONEWAY_RETURN";
/** A oneway method with a throws list. */
export const E_ONEWAY_THROWS = "E_ONEWAY_THROWS";
/** A union field marked `required`. */
export const E_UNION_REQUIRED_FIELD = "E_UNION_REQUIRED_FIELD";
/** More than one field of a union with a default value. */
export const E_UNION_MULTIPLE_DEFAULTS = "E_UNION_MULTIPLE_DEFAULTS";
/** `optional` on a method parameter; Thrift ignores it. */
export const W_OPTIONAL_PARAM = "W_OPTIONAL_PARAM";

/** Every code the loader and checker can emit, with its one-line meaning (for docs and the CLI). */
export const CHECKER_DIAGNOSTIC_CODES: Readonly<Record<string, string>> = {
  [E_READ_FILE]: "a file could not be read",
  [E_INCLUDE_NOT_FOUND]: "an included file was not found next to the including file nor in any -I directory",
  [E_INCLUDE_CYCLE]: "files include each other in a cycle",
  [E_INCLUDE_SCOPE_CONFLICT]: "two different included files have the same scope name",
  [E_UNKNOWN_TYPE]: "a type name that no definition declares",
  [E_UNKNOWN_SCOPE]: "scope.Name where scope is not an included file",
  [E_NOT_A_TYPE]: "a service or constant name used as a type",
  [E_TYPEDEF_CYCLE]: "typedefs that refer to each other in a cycle",
  [E_DUPLICATE_DEFINITION]: "two definitions with the same name in one file",
  [E_DUPLICATE_FIELD_ID]: "two fields with the same id in one field list",
  [E_DUPLICATE_FIELD_NAME]: "two fields with the same name in one field list",
  [E_DUPLICATE_METHOD]: "two methods with the same name in a service, inherited ones included",
  [E_DUPLICATE_ENUM_VALUE]: "two values with the same name in one enum",
  [E_FIELD_ID_RANGE]: "an explicit field id outside 1..32767",
  [E_ENUM_VALUE_RANGE]: "an enum value outside the i32 range",
  [E_CONST_TYPE]: "a constant or default value of the wrong kind for its type",
  [E_CONST_RANGE]: "an integer constant that does not fit its type",
  [E_INVALID_UUID]: "a uuid constant that is not a valid uuid",
  [E_UNKNOWN_CONSTANT]: "a reference to a constant or enum value that does not exist",
  [E_UNKNOWN_ENUM_VALUE]: "an enum-typed constant that is not a value of the enum",
  [E_UNKNOWN_FIELD]: "a struct constant with a key that names no field",
  [E_CONST_FIELD_KEY]: "a struct constant with a key that is not a string",
  [E_CONST_CYCLE]: "constants that refer to each other in a cycle",
  [W_ENUM_VALUE_SCOPE]: "an enum value written with another enum's name (Thrift ignores the prefix)",
  [E_UNKNOWN_SERVICE]: "extends names no service",
  [E_NOT_A_SERVICE]: "extends names a type or constant, not a service",
  [E_EXTENDS_CYCLE]: "services that extend each other in a cycle",
  [E_THROWS_NOT_EXCEPTION]: "a throws entry whose type is not an exception",
  [E_ONEWAY_RETURN]: "a oneway method that does not return void",
  [E_ONEWAY_THROWS]: "a oneway method with a throws list",
  [E_UNION_REQUIRED_FIELD]: "a union field marked required",
  [E_UNION_MULTIPLE_DEFAULTS]: "more than one union field with a default value",
  [W_OPTIONAL_PARAM]: "optional on a method parameter (Thrift ignores it)",
};
