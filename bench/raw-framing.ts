import type { Socket } from "node:net";

/**
 * The raw baseline's wire format: a 4-byte big-endian length, then a JSON body.
 * No framework: the practical limit of one Node process doing JSON over TCP.
 */
export function writeRawFrame(socket: Socket, body: unknown): void {
  const json = Buffer.from(JSON.stringify(body));
  const frame = Buffer.allocUnsafe(4 + json.length);
  frame.writeUInt32BE(json.length, 0);
  json.copy(frame, 4);
  socket.write(frame);
}

/** Calls `onBody` with each parsed JSON body arriving on `socket`. */
export function readRawFrames(
  socket: Socket,
  onBody: (body: unknown) => void,
): void {
  let pending: Buffer = Buffer.alloc(0);
  socket.on("data", (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let offset = 0;
    while (pending.length - offset >= 4) {
      const length = pending.readUInt32BE(offset);
      if (pending.length - offset - 4 < length) break;
      onBody(
        JSON.parse(pending.toString("utf8", offset + 4, offset + 4 + length)),
      );
      offset += 4 + length;
    }
    pending =
      offset === pending.length ? Buffer.alloc(0) : pending.subarray(offset);
  });
}

/** A raw request: `method` is echo, echoBytes (base64 data), echoItems or park. */
export interface RawRequest {
  id: number;
  method: string;
  args: unknown;
}

/** A raw reply to the request with the same id. */
export interface RawReply {
  id: number;
  result: unknown;
}
