import type { IToken } from "chevrotain";
import { Lexer } from "./chevrotain.js";
import type { Diagnostic } from "../diagnostic.js";
import {
  E_INVALID_NUMBER,
  E_UNEXPECTED_CHAR,
  E_UNTERMINATED_COMMENT,
  E_UNTERMINATED_STRING,
} from "../diagnostic-codes.js";
import type { SourceMap } from "./source-map.js";
import { DocComment, InvalidNumber, UnterminatedComment, UnterminatedString, allTokens } from "./tokens.js";

/** One reused lexer: building it analyses every pattern, which is too slow to repeat per file. */
const thriftLexer = new Lexer(allTokens, {
  // Start offsets only: lines and columns come from SourceMap, and a node's end from its last
  // token (BuildContext.nodeRange). Tracking lines, columns and ends doubles the lexing time.
  positionTracking: "onlyOffset",
  ensureOptimizations: true,
  // The token definitions are fixed, and a test builds a lexer from them with validation on.
  skipValidations: true,
});

export interface LexResult {
  tokens: IToken[];
  /** `/** ... *\/` comments in source order, for attaching docs. */
  docComments: IToken[];
  diagnostics: Diagnostic[];
}

/** Splits `text` into tokens; problems become diagnostics, never exceptions. */
export function lex(text: string, source: SourceMap): LexResult {
  const result = thriftLexer.tokenize(text);
  const diagnostics: Diagnostic[] = [];

  for (const error of result.errors) {
    const found = text.slice(error.offset, error.offset + error.length);
    diagnostics.push({
      severity: "error",
      code: E_UNEXPECTED_CHAR,
      message:
        error.length === 1 ? `unexpected character ${quoteChars(found)}` : `unexpected characters ${quoteChars(found)}`,
      range: source.range(error.offset, error.offset + error.length),
    });
  }

  const docComments: IToken[] = [];
  for (const comment of result.groups["comments"] ?? []) {
    if (comment.tokenType === DocComment) {
      docComments.push(comment);
    } else if (comment.tokenType === UnterminatedComment) {
      diagnostics.push({
        severity: "error",
        code: E_UNTERMINATED_COMMENT,
        message: "this comment is never closed: '*/' is missing",
        range: source.range(comment.startOffset, comment.startOffset + 2),
      });
    }
  }

  for (const token of result.tokens) {
    if (token.tokenType === UnterminatedString) {
      diagnostics.push({
        severity: "error",
        code: E_UNTERMINATED_STRING,
        message: `this string is not closed before the end of the line: ${token.image[0]} is missing`,
        range: source.range(token.startOffset, token.startOffset + token.image.length),
      });
    } else if (token.tokenType === InvalidNumber) {
      diagnostics.push({
        severity: "error",
        code: E_INVALID_NUMBER,
        message: `'${token.image}' is not a valid number (expected e.g. 42, -7, 0x7fff, 1.5 or 1e-10)`,
        range: source.range(token.startOffset, token.startOffset + token.image.length),
      });
    }
  }

  diagnostics.sort((a, b) => a.range.start.offset - b.range.start.offset);
  return { tokens: result.tokens, docComments, diagnostics };
}

function quoteChars(chars: string): string {
  const printable = [...chars]
    .map((ch) => {
      const code = ch.codePointAt(0)!;
      return code < 0x20 || code === 0x7f ? `\\u${code.toString(16).padStart(4, "0")}` : ch;
    })
    .join("");
  return `'${printable}'`;
}
