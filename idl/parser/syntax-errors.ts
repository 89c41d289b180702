import type { IRecognitionException, IToken } from "chevrotain";
import { EOF } from "./chevrotain.js";
import type { Diagnostic } from "../diagnostic.js";
import { E_SYNTAX } from "../diagnostic-codes.js";
import type { TokenIndex } from "./token-index.js";
import type { SourceMap } from "./source-map.js";

/** Syntax errors this close (in tokens) after a reported one are follow-on noise. */
const QUIET_TOKENS_AFTER_ERROR = 3;

export interface SyntaxErrorReport {
  diagnostics: Diagnostic[];
  /** Offsets of every token the parser stumbled on, reported or not. */
  errorOffsets: Set<number>;
}

/**
 * Turns the parser's recognition errors into diagnostics. Like yacc, it stays
 * quiet until a few tokens have parsed after a reported error: the parser's
 * recovery often trips again right away over the same mistake.
 */
export function reportSyntaxErrors(
  errors: readonly IRecognitionException[],
  tokens: TokenIndex,
  tokenCount: number,
  source: SourceMap,
): SyntaxErrorReport {
  const diagnostics: Diagnostic[] = [];
  const errorOffsets = new Set<number>();
  let lastReportedIndex = Number.NEGATIVE_INFINITY;
  for (const error of errors) {
    const offset = error.token.startOffset;
    if (Number.isFinite(offset)) errorOffsets.add(offset);
    const index = tokens.tokenIndexAt(offset) ?? tokenCount;
    if (index - lastReportedIndex < QUIET_TOKENS_AFTER_ERROR) continue;
    lastReportedIndex = index;
    diagnostics.push(syntaxDiagnostic(error, source));
  }
  return { diagnostics, errorOffsets };
}

function syntaxDiagnostic(error: IRecognitionException, source: SourceMap): Diagnostic {
  const token = error.token;
  let start: number;
  let end: number;
  if (token.tokenType !== EOF && Number.isFinite(token.startOffset)) {
    start = token.startOffset;
    end = token.startOffset + token.image.length;
  } else {
    // At the end of the file there is nothing to underline: point just after the last token.
    const previous = (error as IRecognitionException & { previousToken?: IToken }).previousToken;
    const hasPrevious = previous !== undefined && Number.isFinite(previous.startOffset);
    start = hasPrevious ? previous.startOffset + previous.image.length : source.length;
    end = start;
  }
  return { severity: "error", code: E_SYNTAX, message: error.message, range: source.range(start, end) };
}
