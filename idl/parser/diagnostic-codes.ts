/**
 * Stable diagnostic codes produced by the IDL lexer and parser.
 *
 * - E_UNEXPECTED_CHAR       a character that cannot start any token (e.g. `@`, `$`, a lone `.`)
 * - E_UNTERMINATED_STRING   a string literal not closed before the end of its line
 * - E_UNTERMINATED_COMMENT  a `/*` comment never closed by `*\/`
 * - E_INVALID_ESCAPE        an unknown escape in a string literal (Thrift allows \n \r \t \\ \" \' only)
 * - E_INVALID_NUMBER        a malformed number literal (e.g. `0x`, `12abc`, `1.`, `0XFF`)
 * - E_SYNTAX                the tokens do not follow the grammar; the message says what was expected and what was found
 * - E_NESTING_TOO_DEEP     brackets nested more than 64 levels deep; the rest of the file is not parsed
 * - E_MISPLACED_HEADER      an `include`, `cpp_include` or `namespace` after the first definition (Thrift requires headers first)
 * - W_IMPLICIT_FIELD_ID     a field written without an id; Thrift numbers it -1, -2, ... and warns
 */

/** A character that cannot start any token. */
export const E_UNEXPECTED_CHAR = "E_UNEXPECTED_CHAR";
/** A string literal not closed before the end of its line. */
export const E_UNTERMINATED_STRING = "E_UNTERMINATED_STRING";
/** A block comment never closed. */
export const E_UNTERMINATED_COMMENT = "E_UNTERMINATED_COMMENT";
/** An escape sequence Thrift does not know. */
export const E_INVALID_ESCAPE = "E_INVALID_ESCAPE";
/** A malformed number literal. */
export const E_INVALID_NUMBER = "E_INVALID_NUMBER";
/** Tokens that do not follow the grammar. */
export const E_SYNTAX = "E_SYNTAX";
/** Brackets nested too deeply to parse safely. */
export const E_NESTING_TOO_DEEP = "E_NESTING_TOO_DEEP";
/** A header (include, cpp_include, namespace) written after a definition. */
export const E_MISPLACED_HEADER = "E_MISPLACED_HEADER";
/** A field without an explicit id. */
export const W_IMPLICIT_FIELD_ID = "W_IMPLICIT_FIELD_ID";

/** Every code the parser can emit, with its one-line meaning (for docs and the CLI). */
export const PARSER_DIAGNOSTIC_CODES: Readonly<Record<string, string>> = {
  [E_UNEXPECTED_CHAR]: "a character that cannot start any token",
  [E_UNTERMINATED_STRING]: "a string literal not closed before the end of its line",
  [E_UNTERMINATED_COMMENT]: "a /* comment never closed by */",
  [E_INVALID_ESCAPE]: "an escape sequence other than \\n \\r \\t \\\\ \\\" \\' in a string",
  [E_INVALID_NUMBER]: "a malformed number literal",
  [E_SYNTAX]: "the tokens do not follow the Thrift grammar",
  [E_NESTING_TOO_DEEP]: "brackets nested more than 64 levels deep (the rest of the file is not parsed)",
  [E_MISPLACED_HEADER]: "include, cpp_include or namespace written after a definition",
  [W_IMPLICIT_FIELD_ID]: "a field without an explicit id (Thrift numbers it -1, -2, ...)",
};
