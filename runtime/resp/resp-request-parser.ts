import { defaultRespParserLimits, type RespParserLimits } from "./resp-parser-limits.js";
import { returnRespCommand, takeRespCommand, type RespCommand } from "./resp-command.js";
import { describeByte, RespReader, typeTable } from "./resp-reader.js";

/**
 * Heap one argument of a request costs while the parser holds it: a Buffer (a view
 * of the socket's chunk, or a copy when it spans chunks) and its slot in the words
 * array. Measured at 104–106 bytes on Node 20 x64 (1M views kept in an array,
 * heapUsed after gc); rounded up so a declared count never costs more than charged.
 */
export const requestWordCostBytes = 112;

/** A server's defaults: inline commands on, one request (its bytes and its arguments' cost) at most 4 MiB. */
export const defaultRespRequestLimits: RespParserLimits = {
  ...defaultRespParserLimits,
  maxBulkBytes: 4 * 1024 * 1024,
  maxValueBytes: 4 * 1024 * 1024,
  inlineCommands: true,
};

/** What the byte-level reader returns when a command is complete: the command itself is `this.command`. */
const commandReady: Buffer[] = [];
/** A request starts with `*`; its words are all `$`. */
const requestStart = typeTable("*");
const requestWord = typeTable("$");

/**
 * An incremental parser of client commands, for servers: each request is an array of
 * bulk strings (or, when `inlineCommands` is on, a telnet-style line), and `next()`
 * returns its words as Buffers, without a RespValue per word. Anything else inside a
 * request (an integer, a nested array, a null bulk) is a protocol error as soon as its
 * type byte arrives, as in Redis (`expected '$', got ':'`); `*0` and `*-1` are skipped,
 * as Redis does.
 *
 * Memory is charged before it is allocated, against `maxValueBytes` per request: an
 * array header `*N` charges N × requestWordCostBytes, a bulk `$N` its N bytes (plus
 * CRLF), and every byte read counts too; a request over the limit is refused at the
 * header that would pass it. `heldBytes` reports what the parser holds now (what has
 * arrived, not what was declared), for a server-wide budget. Input handling is
 * RespReader's (words are views of the pushed chunks where they can be).
 *
 * A server reads with `nextCommand()`, which hands out the words as a reused
 * RespCommand (where they lie, no Buffer per word); `next()` gives Buffers.
 */
export class RespRequestParser extends RespReader<Buffer[]> {
  /** True while a request's words are being read. */
  private reading = false;
  private wordsWanted = 0;
  /** The request being read or handed out; from the shared pool while there is one, none while idle. */
  private command: RespCommand | undefined;
  /** The command was handed out: forget it (and its chunks) before reading on. */
  private handedOut = false;

  constructor(limits: Partial<RespParserLimits> = {}) {
    super({ ...defaultRespRequestLimits, ...limits }, requestStart);
  }

  /** The next complete command's words as Buffers, or undefined if more input is needed. */
  override next(): Buffer[] | undefined {
    return this.nextCommand()?.toWords();
  }

  /** The next complete command, or undefined if more input is needed; valid until the next call. */
  nextCommand(): RespCommand | undefined {
    if (this.handedOut) {
      this.handedOut = false;
      this.command!.clear();
    }
    if (super.next() === undefined) {
      this.rest();
      return undefined;
    }
    this.handedOut = true;
    return this.command;
  }

  /**
   * For a reader with no input left to read for now (the command handed out is
   * done with): gives the command back to the shared pool unless a request is
   * partly read into it, so an idle connection holds no word arrays.
   */
  rest(): void {
    const command = this.command;
    if (command === undefined || this.reading) return;
    if (this.handedOut) {
      this.handedOut = false;
      command.clear();
    }
    returnRespCommand(command);
    this.command = undefined;
  }

  protected override atTop(): boolean {
    return !this.reading;
  }

  // Refused on the type byte, so a request never holds anything but bulk strings.
  protected override rejectTypeByte(byte: number): never {
    return this.fail(`expected '${this.reading ? "$" : "*"}', got ${describeByte(byte)}`);
  }

  protected override finishLine(source: Buffer, start: number, end: number): Buffer[] | undefined {
    const length = this.readLengthLine(source, start, end);
    if (!this.reading) return this.startRequest(length);
    if (length === -1) this.fail("invalid bulk length -1 in a request");
    return this.startBulk(length);
  }

  private startRequest(count: number): undefined {
    // Redis skips empty and null multibulks rather than failing on them.
    if (count <= 0) {
      this.valueBytes = 0;
      return undefined;
    }
    if (count > this.limits.maxAggregateLength) {
      this.fail(`array length ${count} exceeds the limit of ${this.limits.maxAggregateLength}`);
    }
    this.chargeWords(count);
    // Charged now, but held only as the words arrive: heldBytes leaves the rest out.
    this.reservedBytes = count * requestWordCostBytes;
    this.command ??= takeRespCommand();
    this.reading = true;
    this.wordsWanted = count;
    this.allowedTypes = requestWord;
    return undefined;
  }

  protected override finishBulk(data: Buffer): Buffer[] | undefined {
    return this.finishBulkIn(data, 0, data.length);
  }

  protected override finishBulkIn(source: Buffer, start: number, length: number): Buffer[] | undefined {
    const command = this.command!;
    command.add(source, start, length);
    this.reservedBytes -= requestWordCostBytes;
    if (command.count < this.wordsWanted) return undefined;
    this.reading = false;
    this.allowedTypes = requestStart;
    this.valueBytes = 0;
    return commandReady;
  }

  protected override finishInlineCommand(words: Buffer[]): Buffer[] {
    // The words exist already (an inline line is at most maxLineBytes); charged for the same limit as an array.
    this.chargeWords(words.length);
    this.valueBytes = 0;
    const command = (this.command ??= takeRespCommand());
    for (const word of words) command.add(word, 0, word.length);
    return commandReady;
  }

  /** Charges `count` words' object cost to the request, refusing it if that passes maxValueBytes. */
  private chargeWords(count: number): void {
    const needed = this.valueBytes + count * requestWordCostBytes;
    if (needed > this.limits.maxValueBytes) {
      this.fail(`request of ${count} arguments needs about ${needed} bytes, over the limit of ${this.limits.maxValueBytes} bytes per request`);
    }
    this.valueBytes = needed;
  }
}
