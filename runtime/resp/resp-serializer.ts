import { RespEncoder } from "./resp-encoder.js";
import type { RespValue, RespVersion } from "./resp-value.js";

export { formatRespDouble } from "./resp-encoder.js";

/**
 * Writes a value as RESP bytes. With version 2, RESP3-only types are written as
 * their RESP2 equivalents (a map as a flat array, a double as a bulk string, a
 * boolean as 1/0, null as `$-1`), so reply builders need not care which version
 * a connection negotiated. Simple strings and errors cannot hold CR or LF; any are
 * replaced by spaces rather than corrupting the stream.
 */
export function serializeResp(value: RespValue, version: RespVersion = 2): Buffer {
  const encoder = new RespEncoder(256);
  encoder.value(value, version);
  return joined(encoder.take());
}

/** A command as clients send it: an array of bulk strings. */
export function serializeCommand(args: readonly (Buffer | string)[]): Buffer {
  const encoder = new RespEncoder(256);
  encoder.command(args);
  return joined(encoder.take());
}

function joined(chunks: Buffer[]): Buffer {
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}
