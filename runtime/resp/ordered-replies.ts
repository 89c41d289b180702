import type { ExceptionFormat } from "./error-reply.js";
import type { RespValue, RespVersion } from "./resp-value.js";

/**
 * A reserved place in the reply order; filled once, when its command completes.
 * It also keeps the dialect the connection spoke when the command was read, so a
 * method call needs no object of its own for that (it is the call's tag).
 */
export interface ReplySlot {
  value: RespValue | undefined;
  /** The protocol version the reply is written in. */
  version: RespVersion;
  /** How a declared exception is spelled in this reply. */
  readonly exceptionFormat: ExceptionFormat;
  /** Runs after the reply was written, e.g. to close the connection after `QUIT`. */
  after: (() => void) | undefined;
}

/** Where written replies go: the connection's write batch. */
export interface ReplySink {
  value(value: RespValue, version: RespVersion): void;
  /** Hands everything queued so far to the socket (before an `after` callback runs). */
  flush(): void;
}

/** Up to this many slots stay allocated between bursts (the first room an array grows to is 17). */
const keptSlots = 16;

/** What a written slot's place in the array holds until it is reused. */
const writtenSlot: ReplySlot = { value: undefined, version: 2, exceptionFormat: "text", after: undefined };

/**
 * Keeps replies in request order although commands finish in any order: each
 * command reserves a slot when it is read; a filled slot is written only once
 * every slot before it has been written.
 */
export class OrderedReplies {
  /** Slots [head, tail) wait for their turn; those below head are written (and kept only for their place in the array). */
  private readonly slots: ReplySlot[] = [];
  private head = 0;
  private tail = 0;
  private readonly sink: ReplySink;

  constructor(sink: ReplySink) {
    this.sink = sink;
  }

  /** Replies reserved and not yet written. */
  get pending(): number {
    return this.tail - this.head;
  }

  reserve(version: RespVersion = 2, exceptionFormat: ExceptionFormat = "text"): ReplySlot {
    const slot: ReplySlot = { value: undefined, version, exceptionFormat, after: undefined };
    // The array keeps its length once grown: a connection answering each command at once reuses index 0.
    if (this.tail < this.slots.length) this.slots[this.tail] = slot;
    else this.slots.push(slot);
    this.tail++;
    return slot;
  }

  fill(slot: ReplySlot, value: RespValue, version: RespVersion, after?: () => void): void {
    slot.value = value;
    slot.version = version;
    slot.after = after;
    this.flush();
  }

  /** Forgets every unwritten reply (the connection is gone). */
  clear(): void {
    this.slots.length = 0;
    this.head = 0;
    this.tail = 0;
  }

  private flush(): void {
    const slots = this.slots;
    while (this.head < this.tail) {
      const slot = slots[this.head]!;
      const value = slot.value;
      if (value === undefined) break;
      // The array should not keep a written reply alive.
      slots[this.head++] = writtenSlot;
      this.sink.value(value, slot.version);
      if (slot.after !== undefined) {
        this.sink.flush();
        slot.after();
      }
    }
    if (this.head === this.tail) {
      // Everything is written: start over at index 0. A connection answering each command at
      // once keeps its small array; one grown by a pipelined burst frees it rather than hold it idle.
      if (slots.length > keptSlots) slots.length = 0;
      this.head = 0;
      this.tail = 0;
    } else if (this.head > 1024) {
      // Drop written slots in batches so the array does not grow without bound.
      slots.splice(0, this.head);
      this.tail -= this.head;
      this.head = 0;
    }
  }
}
