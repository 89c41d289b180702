import { inflate } from "node:zlib";
import type { ConcurrencyLimit } from "../../server/concurrency-limit.js";
import { HeaderTransformId } from "./theader-frame.js";
import { ThriftProtocolError } from "./thrift-protocol-error.js";

/** Can the server undo these THeader transforms? Only zlib (any number of times), as Apache's Python library. */
export function canUndoTransforms(transforms: readonly number[]): boolean {
  return transforms.every((id) => id === HeaderTransformId.ZLIB);
}

/**
 * Undoes a THeader payload's zlib transforms (last applied, first undone) on
 * libuv's thread pool, taking a turn of the server's inflate limit so that
 * however many connections send compressed frames, the memory and threads
 * they hold stay bounded. Each output is held to `maxBytes` (the server's
 * maxFrameBytes: a compressed message may not become larger than an
 * uncompressed one may be); past it, or for bytes zlib refuses, rejects with
 * a ThriftProtocolError ("too-large" or "malformed"). A client passes no
 * limit: the replies it inflates are bounded by the calls it made.
 */
export function undoTransforms(payload: Buffer, transforms: readonly number[], maxBytes: number, inflates?: ConcurrencyLimit): Promise<Buffer> {
  const undo = async (): Promise<Buffer> => {
    let bytes = payload;
    for (let i = transforms.length - 1; i >= 0; i--) bytes = await inflateBounded(bytes, maxBytes);
    return bytes;
  };
  return inflates === undefined ? undo() : inflates.run(undo);
}

function inflateBounded(bytes: Buffer, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    inflate(bytes, { maxOutputLength: maxBytes }, (error, inflated) => {
      if (error === null) return resolve(inflated);
      const tooLarge = (error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE" || error instanceof RangeError;
      reject(
        tooLarge
          ? new ThriftProtocolError("too-large", `a zlib THeader payload inflates past the maximum of ${maxBytes} bytes`)
          : new ThriftProtocolError("malformed", `a zlib THeader payload does not inflate: ${error.message}`),
      );
    });
  });
}
