import { binaryCodec } from "./binary-codec.js";
import type { MessageCodec } from "./codec.js";
import { jsonCodec } from "./json-codec.js";

const byId = new Map<number, MessageCodec>([
  [jsonCodec.id, jsonCodec],
  [binaryCodec.id, binaryCodec],
]);
const byName = new Map<string, MessageCodec>([
  [jsonCodec.name, jsonCodec],
  [binaryCodec.name, binaryCodec],
]);

/** The codec with the id carried in a frame's codec byte (CodecId), or undefined. */
export function codecById(id: number): MessageCodec | undefined {
  return byId.get(id);
}

/** The codec by configuration name: "json" or "binary"; undefined for anything else. */
export function codecByName(name: string): MessageCodec | undefined {
  return byName.get(name);
}
