import type { IToken } from "chevrotain";
import { cleanDocComment } from "./doc-comments.js";

/**
 * Looks tokens up by offset, and finds the doc comment that belongs to the
 * element starting at a token: the last `/** *\/` between that token and the
 * token before it. Ordinary comments in between do not break the link (Thrift
 * keeps the doc across them).
 */
export class TokenIndex {
  constructor(
    private readonly tokens: readonly IToken[],
    private readonly docComments: readonly IToken[],
  ) {}

  /** Index of the token starting at `offset` in the token stream (sorted by offset), if any. */
  tokenIndexAt(offset: number): number | undefined {
    let low = 0;
    let high = this.tokens.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const start = this.tokens[mid]!.startOffset;
      if (start === offset) return mid;
      if (start < offset) low = mid + 1;
      else high = mid - 1;
    }
    return undefined;
  }

  docBefore(startOffset: number): string | undefined {
    if (this.docComments.length === 0) return undefined;
    const index = this.tokenIndexAt(startOffset);
    if (index === undefined) return undefined;
    const previous = index > 0 ? this.tokens[index - 1] : undefined;
    const previousEnd = previous === undefined ? -1 : previous.startOffset + previous.image.length - 1;
    const comment = this.lastCommentEndingBefore(startOffset);
    if (comment === undefined || comment.startOffset <= previousEnd) return undefined;
    return cleanDocComment(comment.image);
  }

  private lastCommentEndingBefore(offset: number): IToken | undefined {
    let low = 0;
    let high = this.docComments.length - 1;
    let found: IToken | undefined;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const comment = this.docComments[mid]!;
      if (comment.startOffset < offset) {
        found = comment;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    return found;
  }
}
