/** A reserved place in the reply order; filled once, when its command completes. */
export interface ReplySlot {
  bytes: Buffer | undefined;
  /** Runs after the reply was written, e.g. to close the connection after `QUIT`. */
  after: (() => void) | undefined;
}

/**
 * Keeps replies in request order although commands finish in any order: each
 * command reserves a slot when it is read; a filled slot is written only once
 * every slot before it has been written.
 */
export class OrderedReplies {
  private readonly slots: ReplySlot[] = [];
  private head = 0;
  private readonly write: (bytes: Buffer) => void;

  constructor(write: (bytes: Buffer) => void) {
    this.write = write;
  }

  /** Replies reserved and not yet written. */
  get pending(): number {
    return this.slots.length - this.head;
  }

  reserve(): ReplySlot {
    const slot: ReplySlot = { bytes: undefined, after: undefined };
    this.slots.push(slot);
    return slot;
  }

  fill(slot: ReplySlot, bytes: Buffer, after?: () => void): void {
    slot.bytes = bytes;
    slot.after = after;
    this.flush();
  }

  /** Forgets every unwritten reply (the connection is gone). */
  clear(): void {
    this.slots.length = 0;
    this.head = 0;
  }

  private flush(): void {
    while (this.head < this.slots.length) {
      const slot = this.slots[this.head]!;
      if (slot.bytes === undefined) break;
      this.head++;
      this.write(slot.bytes);
      slot.after?.();
    }
    // Drop written slots in batches so the array does not grow without bound.
    if (this.head > 1024 || this.head === this.slots.length) {
      this.slots.splice(0, this.head);
      this.head = 0;
    }
  }
}
