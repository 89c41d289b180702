import type { CstNode, IToken } from "chevrotain";
import type { Identifier, SourceRange } from "../ast.js";
import type { Diagnostic } from "../diagnostic.js";
import type { DiagnosticCode } from "../diagnostic-codes.js";
import { tokenEnd } from "./cst-access.js";
import { E_INVALID_ESCAPE } from "../diagnostic-codes.js";
import type { TokenIndex } from "./token-index.js";
import type { SourceMap } from "./source-map.js";
import { decodeStringLiteral } from "./string-escapes.js";

/** What every step of the CST-to-AST conversion needs: positions, docs, and where to report problems. */
export class BuildContext {
  constructor(
    readonly source: SourceMap,
    readonly tokens: TokenIndex,
    readonly diagnostics: Diagnostic[],
  ) {}

  error(code: DiagnosticCode, message: string, range: SourceRange): void {
    this.diagnostics.push({ severity: "error", code, message, range });
  }

  warning(code: DiagnosticCode, message: string, range: SourceRange): void {
    this.diagnostics.push({ severity: "warning", code, message, range });
  }

  tokenRange(token: IToken): SourceRange {
    return this.source.range(token.startOffset, tokenEnd(token));
  }

  /**
   * The range of a rule node, from its first to its last real token.
   * `exclude` names children (such as a trailing separator) left out of the range.
   */
  nodeRange(node: CstNode, exclude: readonly string[] = []): SourceRange {
    const location = node.location;
    if (exclude.length === 0 && location !== undefined) {
      const { startOffset, endOffset } = location;
      if (Number.isFinite(startOffset) && endOffset !== undefined && Number.isFinite(endOffset)) {
        return this.source.range(startOffset, endOffset + 1);
      }
    }
    let start = Number.POSITIVE_INFINITY;
    let end = Number.NEGATIVE_INFINITY;
    const visit = (current: CstNode, skip: readonly string[]): void => {
      for (const [key, children] of Object.entries(current.children)) {
        if (skip.includes(key)) continue;
        for (const child of children) {
          if ("children" in child) {
            visit(child, []);
          } else if (child.isInsertedInRecovery !== true) {
            start = Math.min(start, child.startOffset);
            end = Math.max(end, tokenEnd(child));
          }
        }
      }
    };
    visit(node, exclude);
    return Number.isFinite(start) ? this.source.range(start, end) : this.source.range(0, 0);
  }

  /** The doc comment of the element whose range this is. */
  doc(range: SourceRange): string | undefined {
    return this.tokens.docBefore(range.start.offset);
  }

  identifier(token: IToken | undefined): Identifier | undefined {
    if (token === undefined) return undefined;
    return { range: this.tokenRange(token), name: token.image };
  }

  /** The decoded value of a string token, reporting bad escapes at their exact place. */
  stringValue(token: IToken | undefined): string | undefined {
    if (token === undefined) return undefined;
    const decoded = decodeStringLiteral(token.image);
    for (const bad of decoded.invalidEscapes) {
      const start = token.startOffset + bad.offset;
      this.error(
        E_INVALID_ESCAPE,
        `unknown escape '${bad.text}' in string (Thrift allows \\n \\r \\t \\\\ \\" and \\')`,
        this.source.range(start, start + bad.text.length),
      );
    }
    return decoded.value;
  }
}
