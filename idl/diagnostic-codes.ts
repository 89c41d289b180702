/**
 * Every diagnostic code rpcgen can report, in one place: the lexer's, the
 * parser's, the loader's and the checker's (which also validates the
 * annotations that steer generated code, so `--check` reports every error
 * generation would). Codes are stable: one is never reused for another
 * problem. Each has an entry with an example in docs/DIAGNOSTICS.md, and a
 * test runs every example.
 */
export const DIAGNOSTIC_CODES = {
  // reading and including files
  E_READ_FILE: "a file could not be read",
  E_INCLUDE_NOT_FOUND: "an included file was not found next to the including file nor in any -I directory",
  E_INCLUDE_CYCLE: "files include each other in a cycle",
  E_INCLUDE_SCOPE_CONFLICT: "two different included files have the same scope name",
  // lexing and parsing
  E_UNEXPECTED_CHAR: "a character that cannot start any token",
  E_UNTERMINATED_STRING: "a string literal not closed before the end of its line",
  E_UNTERMINATED_COMMENT: "a /* comment never closed by */",
  E_INVALID_ESCAPE: "an escape sequence other than \\n \\r \\t \\\\ \\\" \\' in a string",
  E_INVALID_NUMBER: "a malformed number literal",
  E_SYNTAX: "the tokens do not follow the Thrift grammar",
  E_NESTING_TOO_DEEP: "brackets nested more than 64 levels deep (the rest of the file is not parsed)",
  E_MISPLACED_HEADER: "include, cpp_include or namespace written after a definition",
  W_IMPLICIT_FIELD_ID: "a field without an explicit id (Thrift numbers it -1, -2, ...)",
  // names and types
  E_DUPLICATE_DEFINITION: "two definitions with the same name in one file",
  E_UNKNOWN_TYPE: "a type name that no definition declares",
  E_UNKNOWN_SCOPE: "scope.Name where scope is not an included file",
  E_NOT_A_TYPE: "a service or constant name used as a type",
  E_TYPEDEF_CYCLE: "typedefs that refer to each other in a cycle",
  // fields
  E_FIELD_ID_RANGE: "an explicit field id outside 1..32767",
  E_DUPLICATE_FIELD_ID: "two fields with the same id in one field list",
  E_DUPLICATE_FIELD_NAME: "two fields with the same name in one field list",
  E_UNION_REQUIRED_FIELD: "a union field marked required",
  E_UNION_MULTIPLE_DEFAULTS: "more than one union field with a default value",
  W_OPTIONAL_PARAM: "optional on a method parameter (Thrift ignores it)",
  // enums
  E_DUPLICATE_ENUM_VALUE: "two values with the same name in one enum",
  E_ENUM_VALUE_RANGE: "an enum value outside the i32 range",
  // constants and default values
  E_CONST_TYPE: "a constant or default value of the wrong kind for its type",
  E_CONST_RANGE: "an integer constant that does not fit its type",
  E_INVALID_UUID: "a uuid constant that is not a valid uuid",
  E_UNKNOWN_CONSTANT: "a reference to a constant or enum value that does not exist",
  E_UNKNOWN_ENUM_VALUE: "an enum-typed constant that is not a value of the enum",
  W_ENUM_VALUE_SCOPE: "an enum value written with the name of a different enum (Thrift ignores the prefix)",
  E_UNKNOWN_FIELD: "a struct constant with a key that names no field",
  E_CONST_FIELD_KEY: "a struct constant with a key that is not a string",
  E_CONST_CYCLE: "constants that refer to each other in a cycle",
  // services
  E_UNKNOWN_SERVICE: "extends names no service",
  E_NOT_A_SERVICE: "extends names a type or constant, not a service",
  E_EXTENDS_CYCLE: "services that extend each other in a cycle",
  E_DUPLICATE_METHOD: "two methods with the same name in a service, inherited ones included",
  E_THROWS_NOT_EXCEPTION: "a throws entry whose type is not an exception",
  E_ONEWAY_RETURN: "a oneway method that does not return void",
  E_ONEWAY_THROWS: "a oneway method with a throws list",
  // annotations that steer generated code
  E_GEN_TS_TYPE: "a ts.type annotation other than bigint, number or string",
  E_GEN_INEXACT_CONST: "an i64 constant that a JavaScript number cannot hold exactly",
  E_GEN_RPC_ANNOTATION: "an rpc.* annotation with a value the runtime cannot use",
  W_UNKNOWN_RPC_ANNOTATION: "an rpc.* annotation rpcgen does not know (a typo?)",
} as const;

/** A code of the registry. */
export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;

/** Lets call sites name a code as a constant while the registry stays the one list. */
function code<C extends DiagnosticCode>(name: C): C {
  return name;
}

export const E_READ_FILE = code("E_READ_FILE");
export const E_INCLUDE_NOT_FOUND = code("E_INCLUDE_NOT_FOUND");
export const E_INCLUDE_CYCLE = code("E_INCLUDE_CYCLE");
export const E_INCLUDE_SCOPE_CONFLICT = code("E_INCLUDE_SCOPE_CONFLICT");
export const E_UNEXPECTED_CHAR = code("E_UNEXPECTED_CHAR");
export const E_UNTERMINATED_STRING = code("E_UNTERMINATED_STRING");
export const E_UNTERMINATED_COMMENT = code("E_UNTERMINATED_COMMENT");
export const E_INVALID_ESCAPE = code("E_INVALID_ESCAPE");
export const E_INVALID_NUMBER = code("E_INVALID_NUMBER");
export const E_SYNTAX = code("E_SYNTAX");
export const E_NESTING_TOO_DEEP = code("E_NESTING_TOO_DEEP");
export const E_MISPLACED_HEADER = code("E_MISPLACED_HEADER");
export const W_IMPLICIT_FIELD_ID = code("W_IMPLICIT_FIELD_ID");
export const E_DUPLICATE_DEFINITION = code("E_DUPLICATE_DEFINITION");
export const E_UNKNOWN_TYPE = code("E_UNKNOWN_TYPE");
export const E_UNKNOWN_SCOPE = code("E_UNKNOWN_SCOPE");
export const E_NOT_A_TYPE = code("E_NOT_A_TYPE");
export const E_TYPEDEF_CYCLE = code("E_TYPEDEF_CYCLE");
export const E_FIELD_ID_RANGE = code("E_FIELD_ID_RANGE");
export const E_DUPLICATE_FIELD_ID = code("E_DUPLICATE_FIELD_ID");
export const E_DUPLICATE_FIELD_NAME = code("E_DUPLICATE_FIELD_NAME");
export const E_UNION_REQUIRED_FIELD = code("E_UNION_REQUIRED_FIELD");
export const E_UNION_MULTIPLE_DEFAULTS = code("E_UNION_MULTIPLE_DEFAULTS");
export const W_OPTIONAL_PARAM = code("W_OPTIONAL_PARAM");
export const E_DUPLICATE_ENUM_VALUE = code("E_DUPLICATE_ENUM_VALUE");
export const E_ENUM_VALUE_RANGE = code("E_ENUM_VALUE_RANGE");
export const E_CONST_TYPE = code("E_CONST_TYPE");
export const E_CONST_RANGE = code("E_CONST_RANGE");
export const E_INVALID_UUID = code("E_INVALID_UUID");
export const E_UNKNOWN_CONSTANT = code("E_UNKNOWN_CONSTANT");
export const E_UNKNOWN_ENUM_VALUE = code("E_UNKNOWN_ENUM_VALUE");
export const W_ENUM_VALUE_SCOPE = code("W_ENUM_VALUE_SCOPE");
export const E_UNKNOWN_FIELD = code("E_UNKNOWN_FIELD");
export const E_CONST_FIELD_KEY = code("E_CONST_FIELD_KEY");
export const E_CONST_CYCLE = code("E_CONST_CYCLE");
export const E_UNKNOWN_SERVICE = code("E_UNKNOWN_SERVICE");
export const E_NOT_A_SERVICE = code("E_NOT_A_SERVICE");
export const E_EXTENDS_CYCLE = code("E_EXTENDS_CYCLE");
export const E_DUPLICATE_METHOD = code("E_DUPLICATE_METHOD");
export const E_THROWS_NOT_EXCEPTION = code("E_THROWS_NOT_EXCEPTION");
export const E_ONEWAY_RETURN = code("E_ONEWAY_RETURN");
export const E_ONEWAY_THROWS = code("E_ONEWAY_THROWS");
export const E_GEN_TS_TYPE = code("E_GEN_TS_TYPE");
export const E_GEN_INEXACT_CONST = code("E_GEN_INEXACT_CONST");
export const E_GEN_RPC_ANNOTATION = code("E_GEN_RPC_ANNOTATION");
export const W_UNKNOWN_RPC_ANNOTATION = code("W_UNKNOWN_RPC_ANNOTATION");
