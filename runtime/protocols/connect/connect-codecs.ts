import { binaryCodec } from "../../codec/binary-codec.js";
import { parseJsonExact } from "../../codec/exact-json-parse.js";
import { NeedsExactParse, readExactly, readJsonArgs } from "../../codec/json-read.js";
import { resultShapeOf } from "../../codec/result-shape.js";
import { codecFailure } from "../../codec/value-error.js";
import type { MethodDescriptor } from "../../descriptor.js";
import { protoJsonStructConverter } from "./proto-json-read.js";
import { protoJsonWriterFor } from "./proto-json-write.js";

/** How a Connect request and its response are written: `application/proto` or `application/json`. */
export interface ConnectCodec {
  readonly contentType: string;
  /** The arguments from an `S_m_args` message; throws RpcError(INVALID_ARGUMENT). */
  decodeArgs(method: MethodDescriptor, body: Buffer): unknown[];
  /** An `S_m_response` message holding `value`; throws if it does not fit the IDL type. */
  encodeResponse(method: MethodDescriptor, value: unknown): Buffer | string;
  /** The response of a oneway call, or of a void one: the empty message. */
  readonly emptyResponse: Buffer | string;
}

/** Protobuf bytes exactly as the generated `.proto` describes them (the binary codec's bytes). */
export const connectProto: ConnectCodec = {
  contentType: "application/proto",
  decodeArgs: (method, body) => binaryCodec.decodeArgs(method, body),
  encodeResponse(method, value) {
    const bytes = binaryCodec.encodeOutcome(method, { fieldId: 0, value });
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  },
  emptyResponse: Buffer.alloc(0),
};

/** Proto3 JSON of the same messages (field json names, i64 as strings, containers as their wrapper messages). */
export const connectJson: ConnectCodec = {
  contentType: "application/json",
  decodeArgs(method, body) {
    const text = body.length === 0 ? "{}" : body.toString("utf8");
    const convert = protoJsonStructConverter(method.args);
    try {
      try {
        return readJsonArgs(method.args, convert(JSON.parse(text)));
      } catch (error) {
        if (!(error instanceof NeedsExactParse)) throw error;
      }
      // An i64 that JSON.parse may have rounded: read the text again, exactly.
      const exact = parseJsonExact(text);
      return readExactly(() => readJsonArgs(method.args, convert(exact)));
    } catch (error) {
      throw codecFailure(method, "decode args", error);
    }
  },
  encodeResponse(method, value) {
    const success = resultShapeOf(method.result).byId.get(0);
    if (success === undefined) return "{}";
    try {
      return `{"success":${protoJsonWriterFor(success.descriptor.type)(value)}}`;
    } catch (error) {
      throw codecFailure(method, "encode outcome", error);
    }
  },
  emptyResponse: "{}",
};

/** The codec of a request's Content-Type (parameters such as `charset` ignored), or undefined. */
export function connectCodecOf(contentType: string | undefined): ConnectCodec | undefined {
  if (contentType === undefined) return undefined;
  const semicolon = contentType.indexOf(";");
  const base = (semicolon < 0 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
  if (base === "application/json") return connectJson;
  if (base === "application/proto") return connectProto;
  return undefined;
}
