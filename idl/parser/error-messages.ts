import type { IParserErrorMessageProvider, IToken, TokenType } from "chevrotain";
import { EOF } from "./chevrotain.js";

/**
 * Turns chevrotain's parse failures into messages a user understands:
 * `expected a field type but found '}'` rather than token class names.
 */

/** What the parser was looking for, in words, when a rule needs a specific token. */
const expectationsByRule: Record<string, Record<string, string>> = {
  field: { Identifier: "a field name", Colon: "':' after the field id" },
  functionDefinition: { Identifier: "a function name" },
  structDefinition: { Identifier: "a struct name", RCurly: "a field or '}'" },
  enumDefinition: { Identifier: "an enum name", RCurly: "an enum value or '}'" },
  enumValue: { IntegerLiteral: "an integer value" },
  serviceDefinition: { Identifier: "a service name", RCurly: "a function or '}'" },
  typedefDefinition: { Identifier: "the new type name" },
  constDefinition: { Identifier: "a constant name", Equals: "'=' and the constant value" },
  namespaceHeader: { Identifier: "a namespace name" },
  includeHeader: { StringLiteral: "the included file as a string" },
  cppIncludeHeader: { StringLiteral: "the included file as a string" },
  annotation: { Identifier: "an annotation name", StringLiteral: "the annotation value as a string" },
  annotations: { RParen: "an annotation or ')'" },
  constList: { RSquare: "a value or ']'" },
  constMap: { RCurly: "a key or '}'" },
  constMapEntry: { Colon: "':' between key and value" },
};

/** How a token the parser did not expect is shown to the user. */
export function describeFound(token: IToken): string {
  if (token.tokenType === EOF) return "the end of the file";
  const image = token.image.length > 40 ? `${token.image.slice(0, 37)}...` : token.image;
  return `'${image}'`;
}

function describeExpected(tokenType: TokenType): string {
  return typeof tokenType.LABEL === "string" ? tokenType.LABEL : tokenType.name;
}

function joinAlternatives(words: string[]): string {
  const unique = [...new Set(words)];
  if (unique.length <= 1) return unique[0] ?? "something else";
  return `${unique.slice(0, -1).join(", ")} or ${unique[unique.length - 1]}`;
}

/** The message provider handed to the parser. */
export const thriftErrorMessages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual, ruleName }) {
    const wanted = expectationsByRule[ruleName]?.[expected.name] ?? describeExpected(expected);
    return `expected ${wanted} but found ${describeFound(actual)}`;
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    return `expected a definition such as 'struct', 'enum' or 'service' but found ${describeFound(firstRedundant)}`;
  },
  buildNoViableAltMessage({ expectedPathsPerAlt, actual, customUserDescription }) {
    const found = describeFound(actual[0]!);
    if (customUserDescription !== undefined) return `expected ${customUserDescription} but found ${found}`;
    const firsts = expectedPathsPerAlt.flatMap((paths) => paths.map((path) => describeExpected(path[0]!)));
    return `expected ${joinAlternatives(firsts)} but found ${found}`;
  },
  buildEarlyExitMessage({ expectedIterationPaths, actual, customUserDescription }) {
    const found = describeFound(actual[0]!);
    if (customUserDescription !== undefined) return `expected ${customUserDescription} but found ${found}`;
    const firsts = expectedIterationPaths.map((path) => describeExpected(path[0]!));
    return `expected ${joinAlternatives(firsts)} but found ${found}`;
  },
};
