import { readSmallDecimal } from "./small-decimal.js";

const noBytes = Buffer.alloc(0);
/** Commands up to this many words reuse the room the last one had. */
const keptWords = 64;

/**
 * One command as RespRequestParser read it: where each word lies (a chunk, an
 * offset, a length), not a Buffer per word. A server looks at most words only as
 * bytes (the command name, `CALL`, the method name, small integers), and a Buffer
 * view costs about as much as the rest of a call's parsing; `word(i)` makes one
 * when it is wanted. The parser reuses one RespCommand: it is valid until the next
 * `nextCommand()`, and `toWords()` gives Buffers that stay.
 */
export class RespCommand {
  /** Number of words. */
  count = 0;
  /** Bytes of all the words. */
  byteLength = 0;
  private readonly sources: Buffer[] = [];
  private readonly starts: number[] = [];
  private readonly lengths: number[] = [];

  /** @internal Appends a word: `length` bytes of `source` from `start`. */
  add(source: Buffer, start: number, length: number): void {
    const i = this.count++;
    this.sources[i] = source;
    this.starts[i] = start;
    this.lengths[i] = length;
    this.byteLength += length;
  }

  /** @internal Forgets the words (and the chunks they lie in). */
  clear(): void {
    if (this.count > keptWords) {
      // Don't keep the room of one long command for the life of the connection.
      this.sources.length = 0;
      this.starts.length = 0;
      this.lengths.length = 0;
    } else {
      // Shrinking an array frees its store, to be grown again by the next command: overwrite instead.
      for (let i = 0; i < this.count; i++) this.sources[i] = noBytes;
    }
    this.count = 0;
    this.byteLength = 0;
  }

  /** Word `i` as a Buffer: a view of its chunk, not a copy. */
  word(i: number): Buffer {
    const source = this.sources[i]!;
    const start = this.starts[i]!;
    const length = this.lengths[i]!;
    return start === 0 && length === source.length ? source : source.subarray(start, start + length);
  }

  /** Every word as a Buffer. */
  toWords(): Buffer[] {
    const words: Buffer[] = new Array(this.count);
    for (let i = 0; i < this.count; i++) words[i] = this.word(i);
    return words;
  }

  /** Word `i` decoded as UTF-8. */
  text(i: number): string {
    const start = this.starts[i]!;
    return this.sources[i]!.toString("utf8", start, start + this.lengths[i]!);
  }

  /** Word `i` as a short decimal integer, or undefined if it is not one (see readSmallDecimal). */
  smallDecimal(i: number): number | undefined {
    const start = this.starts[i]!;
    return readSmallDecimal(this.sources[i]!, start, start + this.lengths[i]!);
  }

  wordLength(i: number): number {
    return this.lengths[i]!;
  }

  /** Byte `at` of word `i`. */
  byteAt(i: number, at: number): number {
    return this.sources[i]![this.starts[i]! + at]!;
  }

  /** True when word `i` holds exactly the bytes of `bytes`. */
  wordEquals(i: number, bytes: Buffer): boolean {
    const length = this.lengths[i]!;
    if (length !== bytes.length) return false;
    const source = this.sources[i]!;
    const start = this.starts[i]!;
    for (let j = 0; j < length; j++) if (source[start + j] !== bytes[j]) return false;
    return true;
  }
}

/** Commands kept for reuse at most: one per connection reading a command in the same turn is plenty. */
const maxFreeCommands = 16;
const freeCommands: RespCommand[] = [];

/**
 * A RespCommand for a parser to read a request into, shared by the parsers of the
 * process: a parser takes one when a request starts and gives it back when it has
 * nothing left to read, so an idle connection holds no word arrays (grown arrays
 * kept per connection cost ~0.5 KB each) and a busy one still allocates none.
 */
export function takeRespCommand(): RespCommand {
  return freeCommands.pop() ?? new RespCommand();
}

/** Gives back a command from takeRespCommand(), cleared, that its parser no longer hands out. */
export function returnRespCommand(command: RespCommand): void {
  if (freeCommands.length < maxFreeCommands) freeCommands.push(command);
}
