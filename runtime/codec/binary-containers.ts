import type { TypeDescriptor } from "../descriptor.js";
import { binaryTypeOf } from "./binary-type.js";
import { checkEnd, messageEnd, skipUnknown, WireType, wrongWireType, type BinaryType } from "./protobuf-wire.js";
import { describeKey, mapEntries, sequenceItems } from "./container-values.js";
import type { Reader } from "./protobuf-runtime.js";
import { ValueError, rethrowWithin } from "./value-error.js";

// Containers are wrapper messages (docs/PROTO-MAPPING.md) so that an absent
// container and an empty one stay different and containers nest to any depth.

const ITEMS_TAG = (1 << 3) | WireType.LengthDelimited;

/** `List_<T>` / `Set_<T>`: a wrapper message with `repeated E(T) items = 1`. */
export function sequenceType(kind: "list" | "set", elementType: TypeDescriptor): BinaryType {
  const element = binaryTypeOf(elementType);
  const itemTag = (1 << 3) | element.wireType;
  const isSet = kind === "set";
  return {
    wireType: WireType.LengthDelimited,
    packable: false,
    write(writer, value) {
      const items = sequenceItems(kind, value);
      writer.fork();
      let i = 0;
      try {
        if (element.packable) {
          let opened = false;
          for (const item of items) {
            if (!opened) {
              writer.uint32(ITEMS_TAG).fork();
              opened = true;
            }
            element.write(writer, item);
            i++;
          }
          if (opened) writer.ldelim();
        } else {
          for (const item of items) {
            writer.uint32(itemTag);
            element.write(writer, item);
            i++;
          }
        }
      } catch (error) {
        rethrowWithin(error, `[${i}]`);
      }
      writer.ldelim();
    },
    read(reader) {
      const end = messageEnd(reader);
      const out: unknown[] = [];
      while (reader.pos < end) {
        const tag = reader.uint32();
        const wireType = tag & 7;
        if (tag >>> 3 !== 1) {
          skipUnknown(reader, tag);
          continue;
        }
        try {
          if (wireType === element.wireType) {
            out.push(element.read(reader));
          } else if (element.packable && wireType === WireType.LengthDelimited) {
            const packedEnd = messageEnd(reader);
            while (reader.pos < packedEnd) out.push(element.read(reader));
            if (reader.pos !== packedEnd) throw new ValueError("packed value runs past its length");
          } else {
            throw wrongWireType(wireType, element.wireType);
          }
        } catch (error) {
          rethrowWithin(error, `[${out.length}]`);
        }
      }
      checkEnd(reader, end);
      return isSet ? new Set(out) : out;
    },
    zero() {
      return isSet ? new Set() : [];
    },
  };
}

/** `Map_<K>_<V>`: `repeated Entry entries = 1`, each entry `key = 1; value = 2`, both always written. */
export function mapType(keyType: TypeDescriptor, valueType: TypeDescriptor): BinaryType {
  const key = binaryTypeOf(keyType);
  const value = binaryTypeOf(valueType);
  const keyTag = (1 << 3) | key.wireType;
  const valueTag = (2 << 3) | value.wireType;
  return {
    wireType: WireType.LengthDelimited,
    packable: false,
    write(writer, map) {
      const entries = mapEntries(map);
      writer.fork();
      let i = 0;
      for (const [k, v] of entries) {
        writer.uint32(ITEMS_TAG).fork();
        try {
          writer.uint32(keyTag);
          key.write(writer, k);
        } catch (error) {
          rethrowWithin(error, `[key #${i}]`);
        }
        try {
          writer.uint32(valueTag);
          value.write(writer, v);
        } catch (error) {
          rethrowWithin(error, `[${describeKey(k, i)}]`);
        }
        writer.ldelim();
        i++;
      }
      writer.ldelim();
    },
    read(reader) {
      const end = messageEnd(reader);
      const out = new Map<unknown, unknown>();
      while (reader.pos < end) {
        const tag = reader.uint32();
        if (tag >>> 3 !== 1) {
          skipUnknown(reader, tag);
          continue;
        }
        const index = out.size;
        if ((tag & 7) !== WireType.LengthDelimited)
          throw wrongWireType(tag & 7, WireType.LengthDelimited).within(`[#${index}]`);
        const entryEnd = messageEnd(reader);
        let k: unknown;
        let v: unknown;
        try {
          while (reader.pos < entryEnd) {
            const entryTag = reader.uint32();
            const number = entryTag >>> 3;
            if (number === 1) k = readExpecting(reader, entryTag, key);
            else if (number === 2) v = readExpecting(reader, entryTag, value);
            else skipUnknown(reader, entryTag);
          }
          checkEnd(reader, entryEnd);
          out.set(k === undefined ? key.zero() : k, v === undefined ? value.zero() : v);
        } catch (error) {
          rethrowWithin(error, `[#${index}]`);
        }
      }
      checkEnd(reader, end);
      return out;
    },
    zero() {
      return new Map();
    },
  };
}

function readExpecting(reader: Reader, tag: number, type: BinaryType): unknown {
  if ((tag & 7) !== type.wireType) throw wrongWireType(tag & 7, type.wireType);
  return type.read(reader);
}
