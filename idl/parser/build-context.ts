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
  nodeRange(node: CstNode, exclude: readonly string[] = NO_KEYS): SourceRange {
    const start = exclude.length === 0 ? childStart(node) : firstStart(node, exclude);
    if (Number.isNaN(start)) return this.source.range(0, 0);
    // Down the last child only: its last token is the node's last token.
    let child = lastChild(node, exclude);
    while (child !== undefined && "children" in child) child = lastChild(child, NO_KEYS);
    return this.source.range(start, child === undefined ? start : tokenEnd(child));
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

const NO_KEYS: readonly string[] = [];

/*
 * The lexer tracks start offsets only, so a rule node's location has its
 * start (`startOffset`, NaN when the node has no real token) but no end: the
 * end is found by following the last child down to the node's last token.
 * Tokens inserted by error recovery have no position and are left out.
 */

/** Where the node's first real token starts, leaving out the children under `exclude`; NaN when none. */
function firstStart(node: CstNode, exclude: readonly string[]): number {
  let first = Number.NaN;
  const children = node.children;
  for (const key in children) {
    if (exclude.includes(key)) continue;
    for (const child of children[key]!) {
      const start = childStart(child);
      if (Number.isNaN(start)) continue;
      if (!(start >= first)) first = start;
      break;
    }
  }
  return first;
}

/** The node's child (token or rule node) that holds its last real token, leaving out `exclude`. */
function lastChild(node: CstNode, exclude: readonly string[]): IToken | CstNode | undefined {
  let lastStart = Number.NEGATIVE_INFINITY;
  let last: IToken | CstNode | undefined;
  const children = node.children;
  for (const key in children) {
    if (exclude.length !== 0 && exclude.includes(key)) continue;
    const list = children[key]!;
    for (let i = list.length - 1; i >= 0; i--) {
      const child = list[i]!;
      const start = childStart(child);
      if (Number.isNaN(start)) continue;
      if (start > lastStart) {
        lastStart = start;
        last = child;
      }
      break;
    }
  }
  return last;
}

/** Where a child's first real token starts; NaN when it has none. */
function childStart(child: IToken | CstNode): number {
  if ("children" in child) {
    const start = child.location?.startOffset;
    return start === undefined || !Number.isFinite(start) ? Number.NaN : start;
  }
  return child.isInsertedInRecovery === true || !Number.isFinite(child.startOffset) ? Number.NaN : child.startOffset;
}
