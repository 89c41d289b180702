import { Reader, Writer } from "../../codec/protobuf-runtime.js";

/** One `google.protobuf.Any` of a status's details. */
export interface StatusDetail {
  readonly typeUrl: string;
  readonly value: Uint8Array;
}

/** The `type.googleapis.com/` prefix of an Any's type URL, as gRPC libraries write it. */
export const typeUrlPrefix = "type.googleapis.com/";

/**
 * `grpc-status-details-bin`: a `google.rpc.Status { int32 code = 1; string
 * message = 2; repeated google.protobuf.Any details = 3; }` with `Any {
 * string type_url = 1; bytes value = 2; }`, written by hand (two tiny messages).
 */
export function encodeStatus(code: number, message: string, details: readonly StatusDetail[]): Uint8Array {
  const writer = Writer.create();
  if (code !== 0) writer.uint32((1 << 3) | 0).int32(code);
  if (message !== "") writer.uint32((2 << 3) | 2).string(message);
  for (const detail of details) {
    writer.uint32((3 << 3) | 2).fork();
    writer.uint32((1 << 3) | 2).string(detail.typeUrl);
    writer.uint32((2 << 3) | 2).bytes(detail.value);
    writer.ldelim();
  }
  return writer.finish();
}

/** Reads a `google.rpc.Status`; throws on bytes that are not one. */
export function decodeStatus(bytes: Uint8Array): { code: number; message: string; details: StatusDetail[] } {
  const reader = Reader.create(bytes);
  let code = 0;
  let message = "";
  const details: StatusDetail[] = [];
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag === ((1 << 3) | 0)) code = reader.int32();
    else if (tag === ((2 << 3) | 2)) message = reader.string();
    else if (tag === ((3 << 3) | 2)) details.push(decodeAny(reader, reader.uint32() + reader.pos));
    else reader.skipType(tag & 7);
  }
  return { code, message, details };
}

function decodeAny(reader: Reader, end: number): StatusDetail {
  let typeUrl = "";
  let value: Uint8Array = new Uint8Array(0);
  while (reader.pos < end) {
    const tag = reader.uint32();
    if (tag === ((1 << 3) | 2)) typeUrl = reader.string();
    else if (tag === ((2 << 3) | 2)) value = reader.bytes();
    else reader.skipType(tag & 7);
  }
  if (reader.pos !== end) throw new Error("a status detail runs past its length");
  return { typeUrl, value };
}
