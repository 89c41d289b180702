/**
 * Raw Thrift bytes over a plain socket, for tests that send what no client would.
 */
import { connect, type Socket } from "node:net";
import type { Logger } from "@rpcgen/runtime";
import { BinaryInput } from "../../../../runtime/protocols/thrift/binary-input.js";
import { BinaryOutput } from "../../../../runtime/protocols/thrift/binary-output.js";
import { CompactInput } from "../../../../runtime/protocols/thrift/compact-input.js";
import { CompactOutput } from "../../../../runtime/protocols/thrift/compact-output.js";
import { ThriftMessageReader } from "../../../../runtime/protocols/thrift/thrift-message-reader.js";
import type { ThriftOutput } from "../../../../runtime/protocols/thrift/thrift-output.js";
import { readApplicationException } from "../../../../runtime/protocols/thrift/thrift-messages.js";
import { MessageType, TType } from "../../../../runtime/protocols/thrift/thrift-wire-types.js";
import { HeaderProtocolId, parseHeaderFrame, writeHeaderPrefix } from "../../../../runtime/protocols/thrift/theader-frame.js";

export interface Variant {
  framed: boolean;
  compact: boolean;
  /** THeader (framed): each message inside a THeader frame with no info headers. */
  header?: boolean;
}

export const allVariants: Variant[] = [
  { framed: true, compact: false },
  { framed: true, compact: true },
  { framed: false, compact: false },
  { framed: false, compact: true },
];

export function outputOf(variant: Variant): ThriftOutput {
  return variant.compact ? new CompactOutput() : new BinaryOutput();
}

/** Bytes written by `write` into a fresh output of the variant, framed if it is. */
export function message(variant: Variant, write: (out: ThriftOutput) => void): Buffer {
  const out = outputOf(variant);
  const frame = variant.framed ? out.reserveInt32() : -1;
  if (variant.header) writeHeaderPrefix(out, 0, 0, variant.compact ? HeaderProtocolId.COMPACT : HeaderProtocolId.BINARY);
  write(out);
  if (variant.framed) out.patchInt32(frame, out.length - 4);
  return Buffer.from(out.take());
}

/** An `add(a, b)` message of the calculator (as a CALL, or of another `type`), framed if the variant is. */
export function addMessage(variant: Variant, seqid: number, a: number, b: number, type: number = MessageType.CALL): Buffer {
  return message(variant, (out) => {
    out.messageBegin("add", type, seqid);
    out.structBegin();
    out.fieldBegin(TType.I32, 1);
    out.i32(a);
    out.fieldBegin(TType.I32, 2);
    out.i32(b);
    out.structEnd();
  });
}

/** What came back on a raw connection: the messages the server sent, and whether it closed. */
export interface Exchange {
  replies: Array<{ name: string; type: number; seqid: number; exception?: { type: number; message: string }; headerSeqid?: number }>;
  closedByServer: boolean;
}

/**
 * Sends `bytes` (chunks of an array one per event-loop turn) and collects replies until `expectReplies` complete messages
 * arrived, the server closed the connection, or `quietMs` passed with nothing new.
 * Throws if the server sent bytes that are not Thrift messages of the variant.
 */
export function exchange(port: number, variant: Variant, bytes: Buffer | Buffer[], expectReplies = 1, quietMs = 300): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ host: "127.0.0.1", port });
    const reader = new ThriftMessageReader(variant.framed, variant.compact, 1 << 24);
    const input = variant.compact ? new CompactInput() : new BinaryInput();
    const result: Exchange = { replies: [], closedByServer: false };
    let settled = false;
    let quiet: NodeJS.Timeout | undefined;
    const finish = (error?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(quiet);
      socket.destroy();
      if (error) reject(error);
      else resolve(result);
    };
    const arm = (): void => {
      clearTimeout(quiet);
      quiet = setTimeout(() => finish(), quietMs);
    };
    socket.on("error", () => {});
    socket.on("connect", () => {
      if (Buffer.isBuffer(bytes)) {
        socket.write(bytes);
      } else {
        socket.setNoDelay(true);
        const chunks = [...bytes];
        const writeNext = (): void => {
          const chunk = chunks.shift();
          if (chunk === undefined || settled) return;
          socket.write(chunk);
          setTimeout(writeNext, 1);
        };
        writeNext();
      }
      arm();
    });
    socket.on("data", (chunk: Buffer) => {
      reader.push(chunk);
      try {
        while (reader.next()) {
          const frame = variant.header ? parseHeaderFrame(reader.buffer, reader.messageStart, reader.messageEnd) : undefined;
          input.reset(reader.buffer, frame?.payloadStart ?? reader.messageStart, reader.messageEnd);
          input.messageBegin();
          const reply: Exchange["replies"][number] = { name: input.name, type: input.messageType, seqid: input.seqid };
          if (frame !== undefined) reply.headerSeqid = frame.seqid;
          if (input.messageType === 3) reply.exception = readApplicationException(input);
          result.replies.push(reply);
          reader.consume();
        }
      } catch (error) {
        finish(new Error(`the server sent bytes that are not Thrift: ${(error as Error).message}`));
        return;
      }
      if (result.replies.length >= expectReplies) finish();
      else arm();
    });
    socket.on("close", () => {
      result.closedByServer = !settled;
      finish();
    });
  });
}

/** A logger that keeps what it is told, to check the reasons of closed connections. */
export class CapturingLogger implements Logger {
  readonly entries: Array<{ level: string; fields: Record<string, unknown>; message: string }> = [];
  readonly debug = (fields: object | string, message?: string): void => this.add("debug", fields, message);
  readonly info = (fields: object | string, message?: string): void => this.add("info", fields, message);
  readonly warn = (fields: object | string, message?: string): void => this.add("warn", fields, message);
  readonly error = (fields: object | string, message?: string): void => this.add("error", fields, message);

  private add(level: string, fields: object | string, message?: string): void {
    if (typeof fields === "string") this.entries.push({ level, fields: {}, message: fields });
    else this.entries.push({ level, fields: fields as Record<string, unknown>, message: message ?? "" });
  }

  /** Reasons of the Thrift connections closed for unreadable input. */
  closeReasons(): string[] {
    return this.entries
      .filter((entry) => entry.message === "closing Thrift connection: unreadable input")
      .map((entry) => String(entry.fields["reason"]));
  }
}
