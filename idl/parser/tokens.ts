import type { TokenType } from "chevrotain";
import { Lexer, createToken } from "./chevrotain.js";

/**
 * The token vocabulary of Thrift IDL, following Apache Thrift's thriftl.ll.
 *
 * Labels are what error messages print, so they are written for users.
 * Order matters: chevrotain takes the first pattern that matches, so comments
 * come before symbols, valid numbers before the catch-all invalid number, and
 * keywords before `Identifier` (with `longer_alt` so `structure` stays a name).
 */

// Categories: the parser matches on these, the concrete types tell the details apart.
export const StringLiteral = createToken({ name: "StringLiteral", pattern: Lexer.NA, label: "a string" });
export const IntegerLiteral = createToken({ name: "IntegerLiteral", pattern: Lexer.NA, label: "an integer" });
export const BaseTypeKeyword = createToken({ name: "BaseTypeKeyword", pattern: Lexer.NA, label: "a base type" });

/**
 * Every token that cannot start a header or definition. At top level such a
 * token is skipped (and reported): this keeps the top-level choice LL(1) and
 * makes error recovery resume at the next definition keyword.
 */
/** Keywords Thrift also accepts as field names (thrifty.yy `FieldName`): `1: string type`, `2: i32 required`. */
export const FieldNameKeyword = createToken({ name: "FieldNameKeyword", pattern: Lexer.NA, label: "a field name" });

export const StrayToken = createToken({ name: "StrayToken", pattern: Lexer.NA, label: "a stray token" });

export const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /[ \t\r\n\f\v\uFEFF]+/, group: Lexer.SKIPPED });
export const LineComment = createToken({ name: "LineComment", pattern: /(?:\/\/|#)[^\r\n]*/, group: Lexer.SKIPPED });
/** `/** ... *\/` but not the empty `/**\/` (Thrift's "silly comment"). */
export const DocComment = createToken({
  name: "DocComment",
  pattern: /\/\*\*(?!\/)[\s\S]*?\*\//,
  group: "comments",
  line_breaks: true,
});
export const BlockComment = createToken({
  name: "BlockComment",
  pattern: /\/\*[\s\S]*?\*\//,
  group: Lexer.SKIPPED,
  line_breaks: true,
});
/** A `/*` with no closing `*\/`: reported by the lexer wrapper, then skipped. */
export const UnterminatedComment = createToken({
  name: "UnterminatedComment",
  pattern: /\/\*[\s\S]*/,
  group: "comments",
  line_breaks: true,
});

function keyword(name: string, image: string, categories: TokenType[] = [StrayToken, FieldNameKeyword]): TokenType {
  return createToken({ name, pattern: new RegExp(image), label: `'${image}'`, longer_alt: Identifier, categories });
}

/** A keyword that starts a header or a definition. */
function topLevelKeyword(name: string, image: string): TokenType {
  return keyword(name, image, [FieldNameKeyword]);
}

export const Identifier = createToken({
  name: "Identifier",
  pattern: /[a-zA-Z_](?:\.?[a-zA-Z_0-9])*/,
  label: "a name",
  categories: [StrayToken],
});

export const Include = topLevelKeyword("Include", "include");
export const CppInclude = topLevelKeyword("CppInclude", "cpp_include");
export const Namespace = topLevelKeyword("Namespace", "namespace");
export const Typedef = topLevelKeyword("Typedef", "typedef");
export const Const = topLevelKeyword("Const", "const");
export const Enum = topLevelKeyword("Enum", "enum");
export const Struct = topLevelKeyword("Struct", "struct");
export const Union = topLevelKeyword("Union", "union");
export const Exception = topLevelKeyword("Exception", "exception");
export const Service = topLevelKeyword("Service", "service");
export const Extends = keyword("Extends", "extends");
export const Oneway = keyword("Oneway", "oneway");
export const Throws = keyword("Throws", "throws");
export const Void = keyword("Void", "void");
export const Required = keyword("Required", "required");
export const Optional = keyword("Optional", "optional");
export const True = keyword("True", "true", [StrayToken]);
export const False = keyword("False", "false", [StrayToken]);
export const Map = keyword("Map", "map");
export const Set = keyword("Set", "set");
export const List = keyword("List", "list");
export const CppType = keyword("CppType", "cpp_type", [StrayToken]);
/** Deprecated spelling of `oneway`. */
export const Async = keyword("Async", "async");
// XML-schema markers: still in Thrift's grammar, with no meaning outside its XSD generator.
export const XsdAll = keyword("XsdAll", "xsd_all", [StrayToken]);
export const XsdOptional = keyword("XsdOptional", "xsd_optional", [StrayToken]);
export const XsdNillable = keyword("XsdNillable", "xsd_nillable", [StrayToken]);
export const XsdAttrs = keyword("XsdAttrs", "xsd_attrs", [StrayToken]);
export const Bool = keyword("Bool", "bool", [StrayToken, FieldNameKeyword, BaseTypeKeyword]);
export const Byte = keyword("Byte", "byte", [StrayToken, FieldNameKeyword, BaseTypeKeyword]);
export const I8 = keyword("I8", "i8", [StrayToken, FieldNameKeyword, BaseTypeKeyword]);
export const I16 = keyword("I16", "i16", [StrayToken, FieldNameKeyword, BaseTypeKeyword]);
export const I32 = keyword("I32", "i32", [StrayToken, FieldNameKeyword, BaseTypeKeyword]);
export const I64 = keyword("I64", "i64", [StrayToken, FieldNameKeyword, BaseTypeKeyword]);
export const Double = keyword("Double", "double", [StrayToken, FieldNameKeyword, BaseTypeKeyword]);
export const StringType = keyword("StringType", "string", [StrayToken, FieldNameKeyword, BaseTypeKeyword]);
export const Binary = keyword("Binary", "binary", [StrayToken, FieldNameKeyword, BaseTypeKeyword]);
export const Uuid = keyword("Uuid", "uuid", [StrayToken, FieldNameKeyword, BaseTypeKeyword]);

// A number must not run straight into letters, digits or dots: `12abc`, `1.` and
// `0x` are one malformed literal, not a number followed by something else.
export const HexLiteral = createToken({
  name: "HexLiteral",
  pattern: /[+-]?0x[0-9A-Fa-f]+(?![\w.])/,
  label: "an integer",
  categories: [StrayToken, IntegerLiteral],
  start_chars_hint: ["+", "-", "0"],
});
export const DoubleLiteral = createToken({
  name: "DoubleLiteral",
  pattern: /[+-]?(?:\d+\.\d+(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+)(?![\w.])/,
  label: "a number",
  categories: [StrayToken],
  start_chars_hint: ["+", "-", ".", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
});
export const DecimalLiteral = createToken({
  name: "DecimalLiteral",
  pattern: /[+-]?\d+(?![\w.])/,
  label: "an integer",
  categories: [StrayToken, IntegerLiteral],
  start_chars_hint: ["+", "-", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
});
/** Anything number-like that is not a valid number; parsed as an integer so one typo gives one error. */
export const InvalidNumber = createToken({
  name: "InvalidNumber",
  pattern: /[+-]?\.?\d[\w.]*/,
  label: "an integer",
  categories: [StrayToken, IntegerLiteral],
});

export const DoubleQuotedString = createToken({
  name: "DoubleQuotedString",
  pattern: /"(?:[^"\\\r\n]|\\[^\r\n])*"/,
  label: "a string",
  categories: [StrayToken, StringLiteral],
});
export const SingleQuotedString = createToken({
  name: "SingleQuotedString",
  pattern: /'(?:[^'\\\r\n]|\\[^\r\n])*'/,
  label: "a string",
  categories: [StrayToken, StringLiteral],
});
/** A string cut off by the end of the line or file: reported, but still parsed as a string. */
export const UnterminatedString = createToken({
  name: "UnterminatedString",
  pattern: /["'](?:[^\\\r\n]|\\[^\r\n])*\\?/,
  label: "a string",
  categories: [StrayToken, StringLiteral],
});

function symbol(name: string, image: string): TokenType {
  const escaped = image.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&");
  return createToken({ name, pattern: new RegExp(escaped), label: `'${image}'`, categories: [StrayToken] });
}

export const LCurly = symbol("LCurly", "{");
export const RCurly = symbol("RCurly", "}");
export const LParen = symbol("LParen", "(");
export const RParen = symbol("RParen", ")");
export const LSquare = symbol("LSquare", "[");
export const RSquare = symbol("RSquare", "]");
export const LAngle = symbol("LAngle", "<");
export const RAngle = symbol("RAngle", ">");
export const Comma = symbol("Comma", ",");
export const Semicolon = symbol("Semicolon", ";");
export const Colon = symbol("Colon", ":");
export const Equals = symbol("Equals", "=");
export const Star = symbol("Star", "*");
export const Ampersand = symbol("Ampersand", "&");

/** Lexing order (see the note at the top). */
export const allTokens: TokenType[] = [
  WhiteSpace,
  LineComment,
  DocComment,
  BlockComment,
  UnterminatedComment,
  DoubleQuotedString,
  SingleQuotedString,
  UnterminatedString,
  HexLiteral,
  DoubleLiteral,
  DecimalLiteral,
  InvalidNumber,
  Include,
  CppInclude,
  Namespace,
  Typedef,
  Const,
  Enum,
  Struct,
  Union,
  Exception,
  Service,
  Extends,
  Oneway,
  Throws,
  Void,
  Required,
  Optional,
  True,
  False,
  Map,
  Set,
  List,
  CppType,
  Async,
  XsdAll,
  XsdOptional,
  XsdNillable,
  XsdAttrs,
  Bool,
  Byte,
  I8,
  I16,
  I32,
  I64,
  Double,
  StringType,
  Binary,
  Uuid,
  Identifier,
  LCurly,
  RCurly,
  LParen,
  RParen,
  LSquare,
  RSquare,
  LAngle,
  RAngle,
  Comma,
  Semicolon,
  Colon,
  Equals,
  Star,
  Ampersand,
  StringLiteral,
  IntegerLiteral,
  BaseTypeKeyword,
  FieldNameKeyword,
  StrayToken,
];
