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
    // A regular expression finds the line ends far faster than a loop over every character.
    const lineEnd = /\r\n?|\n/g;
    for (let match = lineEnd.exec(text); match !== null; match = lineEnd.exec(text)) {
      this.lineStarts.push(match.index + match[0].length);
    }
  }

  /** Length of the text in UTF-16 code units. */
  get length(): number {
    return this.text.length;
  }

  /** The line of the last position asked for: the parser asks in nearly increasing order. */
  private lastLine = 0;

  position(offset: number): Position {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    const line = this.lastLine;
    const starts = this.lineStarts;
    if (starts[line]! <= clamped && (line + 1 === starts.length || clamped < starts[line + 1]!)) {
      return { offset: clamped, line: line + 1, column: clamped - starts[line]! + 1 };
    }
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.lineStarts[mid]! <= clamped) low = mid;
      else high = mid - 1;
    }
    this.lastLine = low;
    return { offset: clamped, line: low + 1, column: clamped - this.lineStarts[low]! + 1 };
  }

  /** The range from `startOffset` up to (not including) `endOffset`. */
  range(startOffset: number, endOffset: number): SourceRange {
    return { file: this.file, start: this.position(startOffset), end: this.position(endOffset) };
  }
}
