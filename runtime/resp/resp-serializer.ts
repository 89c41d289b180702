import type { RespValue, RespVersion } from "./resp-value.js";

const CRLF = Buffer.from("\r\n");

/**
 * Writes a value as RESP bytes. With version 2, RESP3-only types are written as
 * their RESP2 equivalents (a map as a flat array, a double as a bulk string, a
 * boolean as 1/0, null as `$-1`), so reply builders need not care which version
 * a connection negotiated. Simple strings and errors cannot hold CR or LF; any are
 * replaced by spaces rather than corrupting the stream.
 */
export function serializeResp(value: RespValue, version: RespVersion = 2): Buffer {
  const parts: Buffer[] = [];
  write(value, version, parts);
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/** A command as clients send it: an array of bulk strings. */
export function serializeCommand(args: readonly (Buffer | string)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = typeof arg === "string" ? Buffer.from(arg, "utf8") : arg;
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, CRLF);
  }
  return Buffer.concat(parts);
}

function line(prefix: string, text: string): Buffer {
  return Buffer.from(`${prefix}${text.replace(/[\r\n]/g, " ")}\r\n`, "utf8");
}

function bulk(prefix: string, data: Buffer, parts: Buffer[]): void {
  parts.push(Buffer.from(`${prefix}${data.length}\r\n`), data, CRLF);
}

/** Doubles as Redis spells them: `inf`, `-inf`, `nan`; `-0` keeps its sign. */
export function formatRespDouble(value: number): string {
  if (Number.isNaN(value)) return "nan";
  if (value === Infinity) return "inf";
  if (value === -Infinity) return "-inf";
  if (Object.is(value, -0)) return "-0";
  return String(value);
}

function write(value: RespValue, version: RespVersion, parts: Buffer[]): void {
  switch (value.type) {
    case "simple":
      parts.push(line("+", value.value));
      return;
    case "error":
      parts.push(line("-", value.value));
      return;
    case "integer":
      parts.push(Buffer.from(`:${value.value}\r\n`));
      return;
    case "bulk":
      bulk("$", value.value, parts);
      return;
    case "null":
      parts.push(Buffer.from(version === 3 ? "_\r\n" : "$-1\r\n"));
      return;
    case "double":
      if (version === 3) parts.push(Buffer.from(`,${formatRespDouble(value.value)}\r\n`));
      else bulk("$", Buffer.from(formatRespDouble(value.value)), parts);
      return;
    case "boolean":
      parts.push(Buffer.from(version === 3 ? `#${value.value ? "t" : "f"}\r\n` : `:${value.value ? 1 : 0}\r\n`));
      return;
    case "bignum":
      if (version === 3) parts.push(Buffer.from(`(${value.value}\r\n`));
      else bulk("$", Buffer.from(String(value.value)), parts);
      return;
    case "bulkError":
      if (version === 3) bulk("!", value.value, parts);
      else parts.push(line("-", value.value.toString("utf8")));
      return;
    case "verbatim":
      if (version === 3) bulk("=", Buffer.concat([Buffer.from(`${value.format}:`, "latin1"), value.value]), parts);
      else bulk("$", value.value, parts);
      return;
    case "array":
    case "set":
    case "push": {
      const prefix = version === 3 ? { array: "*", set: "~", push: ">" }[value.type] : "*";
      parts.push(Buffer.from(`${prefix}${value.value.length}\r\n`));
      for (const item of value.value) write(item, version, parts);
      return;
    }
    case "map":
      parts.push(Buffer.from(version === 3 ? `%${value.value.length}\r\n` : `*${value.value.length * 2}\r\n`));
      for (const [key, item] of value.value) {
        write(key, version, parts);
        write(item, version, parts);
      }
      return;
    case "attributed":
      if (version === 3) {
        parts.push(Buffer.from(`|${value.attributes.length}\r\n`));
        for (const [key, item] of value.attributes) {
          write(key, version, parts);
          write(item, version, parts);
        }
      }
      write(value.value, version, parts);
      return;
  }
}
