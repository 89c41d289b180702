import type { MethodDescriptor, StructDescriptor } from "../descriptor.js";
import { CodecId } from "../wire/frame.js";
import type { MessageCodec, Outcome } from "./codec.js";
import { parseJsonExact } from "./exact-json-parse.js";
import { NeedsExactParse, jsonReaderFor, readExactly, readJsonArgs } from "./json-read.js";
import { jsonWriterFor, writeJsonArgs } from "./json-write.js";
import { resultShapeOf } from "./result-shape.js";
import { shapeOf, type FieldShape } from "./struct-shape.js";
import { ValueError, codecFailure, rethrowWithin } from "./value-error.js";

/**
 * The readable codec: a body is UTF-8 JSON. Arguments are an object keyed by IDL
 * parameter name; a reply is `{"success": value}`, `{"<exception field>": {...}}`
 * or `{}` for a successful void call. Value forms are in docs/PROTOCOL.md.
 */
export const jsonCodec: MessageCodec = {
  id: CodecId.Json,
  name: "json",

  encodeArgs(method: MethodDescriptor, args: readonly unknown[]): Uint8Array {
    try {
      return Buffer.from(writeJsonArgs(method.args, args), "utf8");
    } catch (error) {
      throw codecFailure(method, "encode args", error);
    }
  },

  decodeArgs(method: MethodDescriptor, body: Uint8Array): unknown[] {
    try {
      return parseThen(body, (json) => readJsonArgs(method.args, json));
    } catch (error) {
      throw codecFailure(method, "decode args", error);
    }
  },

  encodeOutcome(method: MethodDescriptor, outcome: Outcome): Uint8Array {
    try {
      return Buffer.from(writeOutcome(method.result, outcome), "utf8");
    } catch (error) {
      throw codecFailure(method, "encode outcome", error);
    }
  },

  decodeOutcome(method: MethodDescriptor, body: Uint8Array): Outcome {
    try {
      return parseThen(body, (json) => readOutcome(method.result, json));
    } catch (error) {
      throw codecFailure(method, "decode outcome", error);
    }
  },
};

/** JSON.parse first (native speed); again with the exact parser only if an i64 was rounded. */
function parseThen<T>(body: Uint8Array, read: (json: unknown) => T): T {
  const buffer = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const text = buffer.toString("utf8");
  try {
    return read(JSON.parse(text));
  } catch (error) {
    if (!(error instanceof NeedsExactParse)) throw error;
  }
  const exact = parseJsonExact(text);
  return readExactly(() => read(exact));
}

function writeOutcome(result: StructDescriptor, outcome: Outcome): string {
  const field = resultShapeOf(result).byId.get(outcome.fieldId);
  if (field === undefined) {
    // Whatever a void handler returned is dropped, as Thrift does.
    if (outcome.fieldId === 0) return "{}";
    throw new ValueError(`the result has no field with id ${outcome.fieldId}`);
  }
  if (outcome.value === undefined || outcome.value === null) {
    throw new ValueError("no value (a non-void method must return one)").within(field.descriptor.name);
  }
  try {
    return `{${outcomePrefix(field)}${jsonWriterFor(field.descriptor.type)(outcome.value)}}`;
  } catch (error) {
    rethrowWithin(error, field.descriptor.name);
  }
}

const prefixes = new WeakMap<FieldShape, string>();

/** `"name":` of a result field, quoted once. */
function outcomePrefix(field: FieldShape): string {
  let prefix = prefixes.get(field);
  if (prefix === undefined) {
    prefix = JSON.stringify(field.descriptor.name) + ":";
    prefixes.set(field, prefix);
  }
  return prefix;
}

function readOutcome(result: StructDescriptor, json: unknown): Outcome {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new ValueError("a reply body must be a JSON object");
  }
  const byName = shapeOf(result).byName;
  let outcome: Outcome | undefined;
  let found = "";
  for (const key of Object.keys(json)) {
    const field = byName.get(key);
    const value = (json as Record<string, unknown>)[key];
    if (field === undefined || value === null) continue;
    if (outcome !== undefined) throw new ValueError(`the reply carries more than one outcome (${found}, ${key})`);
    try {
      outcome = { fieldId: field.descriptor.id, value: jsonReaderFor(field.descriptor.type)(value) };
    } catch (error) {
      rethrowWithin(error, key);
    }
    found = key;
  }
  if (outcome !== undefined) return outcome;
  if (resultShapeOf(result).isVoid) return { fieldId: 0, value: undefined };
  throw new ValueError("the reply carries neither a result nor a declared exception");
}
