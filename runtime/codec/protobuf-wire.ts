import type { Reader, Writer } from "./protobuf-runtime.js";
import { ValueError } from "./value-error.js";

// Protobuf wire-level pieces shared by the binary codec's modules.

export const WireType = { Varint: 0, Fixed64: 1, LengthDelimited: 2 } as const;

/**
 * How one IDL type goes into protobuf bytes (docs/PROTO-MAPPING.md): the wire
 * type of its tag, a writer and a reader of the payload after the tag, and the
 * proto3 zero value a map entry stands for when it omits the key or value.
 */
export interface BinaryType {
  readonly wireType: number;
  /** Numeric scalars: written packed in repeated position. */
  readonly packable: boolean;
  write(writer: Writer, value: unknown): void;
  read(reader: Reader): unknown;
  zero(): unknown;
}

/** Reads the varint length of a length-delimited payload and returns where it ends. */
export function messageEnd(reader: Reader): number {
  const length = reader.uint32();
  const end = reader.pos + length;
  if (end > reader.len) throw new ValueError(`length ${length} runs past the end of the message`);
  return end;
}

export function wrongWireType(got: number, expected: number): ValueError {
  return new ValueError(`wire type ${got} where ${expected} was expected`);
}

export function skipUnknown(reader: Reader, tag: number): void {
  if (tag >>> 3 === 0) throw new ValueError("field number 0 is not valid");
  reader.skipType(tag & 7);
}

export function checkEnd(reader: Reader, end: number): void {
  if (reader.pos !== end)
    throw new ValueError(`a field runs past the end of its message (at ${reader.pos}, end ${end})`);
}
