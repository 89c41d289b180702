/** Length-Prefixed-Message: a compressed flag byte, a 4-byte big-endian length, the message. */
export const messagePrefixBytes = 5;

/** One message with its prefix, ready for a DATA frame. `body` writes the message at `offset`. */
export function framedMessage(length: number, write: (target: Buffer, offset: number) => void): Buffer {
  const frame = Buffer.allocUnsafe(messagePrefixBytes + length);
  frame[0] = 0;
  frame.writeUInt32BE(length, 1);
  write(frame, messagePrefixBytes);
  return frame;
}

/** Why a unary request's DATA is not one acceptable message. */
export type RequestProblem =
  | { kind: "too-large"; length: number }
  | { kind: "not-one-message"; detail: string };

/**
 * Collects the DATA of a unary call, which must be exactly one message. The
 * declared length is checked against the limit as soon as the prefix is in,
 * before anything larger is held. Usually the request arrives in one chunk,
 * which is then used as it is, without a copy.
 */
export class UnaryRequestReader {
  private first: Buffer | undefined;
  private chunks: Buffer[] | undefined;
  /** Bytes held so far. */
  held = 0;
  private declared = -1;

  constructor(private readonly maxMessageBytes: number) {}

  /** Adds a DATA chunk; returns a problem once the message is certainly too large or not one message. */
  push(chunk: Buffer): RequestProblem | undefined {
    if (this.first === undefined) this.first = chunk;
    else (this.chunks ??= [this.first]).push(chunk);
    this.held += chunk.length;
    if (this.declared < 0 && this.held >= messagePrefixBytes) {
      this.declared = this.byteAt(1) * 0x1000000 + ((this.byteAt(2) << 16) | (this.byteAt(3) << 8) | this.byteAt(4));
      if (this.declared > this.maxMessageBytes) return { kind: "too-large", length: this.declared };
    }
    if (this.declared >= 0 && this.held > messagePrefixBytes + this.declared) {
      return { kind: "not-one-message", detail: "a unary call carries more than one request message" };
    }
    return undefined;
  }

  /** At the end of the request: the one message, or why there is none. */
  finish(): { compressed: boolean; message: Buffer } | RequestProblem {
    if (this.declared < 0) return { kind: "not-one-message", detail: "the request carries no message" };
    if (this.held < messagePrefixBytes + this.declared) return { kind: "not-one-message", detail: "the request message is cut short" };
    const all = this.chunks === undefined ? this.first! : Buffer.concat(this.chunks, this.held);
    this.first = this.chunks = undefined;
    return { compressed: all[0] !== 0, message: all.subarray(messagePrefixBytes) };
  }

  /** A byte of the data held so far (the prefix may span chunks). */
  private byteAt(index: number): number {
    if (this.chunks === undefined) return this.first![index]!;
    let offset = index;
    for (const chunk of this.chunks) {
      if (offset < chunk.length) return chunk[offset]!;
      offset -= chunk.length;
    }
    return 0;
  }
}
