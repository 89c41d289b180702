import type { Position, SourceRange } from "../ast.js";

/**
 * Turns 0-based offsets into 1-based line/column positions for one file.
 * Lines end at `\n`, `\r\n` or a lone `\r`, like the lexer counts them.
 */
export class SourceMap {
  private readonly lineStarts: number[] = [0];

  constructor(
    readonly file: string,
    private readonly text: string,
  ) {
    for (let i = 0; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      if (ch === 10 /* \n */) {
        this.lineStarts.push(i + 1);
      } else if (ch === 13 /* \r */) {
        if (text.charCodeAt(i + 1) === 10) i++;
        this.lineStarts.push(i + 1);
      }
    }
  }

  /** Length of the text in UTF-16 code units. */
  get length(): number {
    return this.text.length;
  }

  position(offset: number): Position {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.lineStarts[mid]! <= clamped) low = mid;
      else high = mid - 1;
    }
    return { offset: clamped, line: low + 1, column: clamped - this.lineStarts[low]! + 1 };
  }

  /** The range from `startOffset` up to (not including) `endOffset`. */
  range(startOffset: number, endOffset: number): SourceRange {
    return { file: this.file, start: this.position(startOffset), end: this.position(endOffset) };
  }
}
