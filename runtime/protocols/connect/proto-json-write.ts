import type { StructDescriptor, TypeDescriptor } from "../../descriptor.js";
import { jsonWriters, type JsonWrite } from "../../codec/json-write.js";
import { jsonFieldNames } from "./proto-json-names.js";

/** Writes one value as proto3 JSON text; throws ValueError (with a path) on a value that does not fit its IDL type. */
export type ProtoJsonWrite = JsonWrite;

/**
 * Proto3 JSON: the canonical JSON of the messages of the generated `.proto`
 * (what Connect's JSON codec and protobuf libraries read), not rpcgen's own JSON
 * codec, though written by the same writer. i64 is a string, binary base64, a
 * container its wrapper message (`{"items": [...]}`,
 * `{"entries": [{"key": k, "value": v}]}`), fields by their json names.
 */
const protoJson = jsonWriters({
  i64AsString: true,
  list: { open: '{"items":[', close: "]}" },
  map: { open: '{"entries":[', close: "]}" },
  entry: { open: '{"key":', between: ',"value":', close: "}" },
  fieldNames: (struct) => jsonFieldNames(struct).written,
});

/** The proto3 JSON writer of a type, compiled once per descriptor. */
export const protoJsonWriterFor: (type: TypeDescriptor) => ProtoJsonWrite = protoJson.writerFor;
export const protoJsonStructWriter: (struct: StructDescriptor) => ProtoJsonWrite = protoJson.structWriter;
