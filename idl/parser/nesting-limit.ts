import type { IToken, TokenType } from "chevrotain";
import type { Diagnostic } from "../diagnostic.js";
import { E_NESTING_TOO_DEEP } from "../diagnostic-codes.js";
import type { SourceMap } from "./source-map.js";
import { LAngle, LCurly, LParen, LSquare, RAngle, RCurly, RParen, RSquare } from "./tokens.js";

/**
 * How deeply brackets (`{ [ ( <`) may nest. The parser recurses once or more
 * per level, so unbounded nesting would overflow the stack; real IDL files
 * stay far below this, and the parser handles several times this depth.
 */
export const MAX_NESTING_DEPTH = 64;

const openers: ReadonlySet<TokenType> = new Set([LCurly, LSquare, LParen, LAngle]);
const closers: ReadonlySet<TokenType> = new Set([RCurly, RSquare, RParen, RAngle]);

/** Index of the first token that opens a bracket deeper than `maxDepth`, if any. */
export function findTooDeepNesting(
  tokens: readonly IToken[],
  maxDepth: number = MAX_NESTING_DEPTH,
): number | undefined {
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const type = tokens[i]!.tokenType;
    if (openers.has(type)) {
      depth++;
      if (depth > maxDepth) return i;
    } else if (closers.has(type) && depth > 0) {
      depth--;
    }
  }
  return undefined;
}

/**
 * The tokens the parser may safely see: all of them, or those before the first
 * too-deep bracket, with a diagnostic saying where the file was cut.
 */
export function limitNesting(
  tokens: IToken[],
  source: SourceMap,
): { tokens: IToken[]; truncated: boolean; diagnostic?: Diagnostic } {
  const tooDeep = findTooDeepNesting(tokens);
  if (tooDeep === undefined) return { tokens, truncated: false };
  const token = tokens[tooDeep]!;
  return {
    tokens: tokens.slice(0, tooDeep),
    truncated: true,
    diagnostic: {
      severity: "error",
      code: E_NESTING_TOO_DEEP,
      message: `brackets are nested more than ${MAX_NESTING_DEPTH} levels deep here; the rest of the file is not parsed`,
      range: source.range(token.startOffset, token.startOffset + token.image.length),
    },
  };
}
