import type { TypeDescriptor } from "../../descriptor.js";
import { describeKey, mapEntries, sequenceItems } from "../../codec/container-values.js";
import { ValueError, rethrowWithin } from "../../codec/value-error.js";
import { thriftTypeOf, type ThriftValueType } from "./thrift-value-type.js";
import { TType } from "./thrift-wire-types.js";

/** `list<T>` and `set<T>`: a header with the element type and count, then the elements. */
export function sequenceType(kind: "list" | "set", elementType: TypeDescriptor): ThriftValueType {
  const isSet = kind === "set";
  let element: ThriftValueType | undefined;
  const elementOf = (): ThriftValueType => (element ??= thriftTypeOf(elementType));
  return {
    ttype: isSet ? TType.SET : TType.LIST,
    write(out, value) {
      const items = sequenceItems(kind, value);
      const type = elementOf();
      let i = 0;
      try {
        if (Array.isArray(items)) {
          out.listBegin(type.ttype, items.length);
          for (; i < items.length; i++) type.write(out, items[i]);
        } else {
          const set = items as Set<unknown>;
          out.listBegin(type.ttype, set.size);
          for (const item of set) {
            type.write(out, item);
            i++;
          }
        }
      } catch (error) {
        rethrowWithin(error, `[${i}]`);
      }
      out.containerEnd();
    },
    read(input) {
      const type = elementOf();
      const size = input.listBegin();
      if (size > 0 && input.elementType !== type.ttype) throw wrongElementType(kind, input.elementType, type.ttype);
      let result: unknown;
      let i = 0;
      try {
        if (isSet) {
          const set = new Set<unknown>();
          for (; i < size; i++) set.add(type.read(input));
          result = set;
        } else {
          const list = new Array<unknown>(size);
          for (; i < size; i++) list[i] = type.read(input);
          result = list;
        }
      } catch (error) {
        rethrowWithin(error, `[${i}]`);
      }
      input.containerEnd();
      return result;
    },
  };
}

/** `map<K, V>`: a header with both types and the count, then key, value, key, value... */
export function mapType(keyType: TypeDescriptor, valueType: TypeDescriptor): ThriftValueType {
  let key: ThriftValueType | undefined;
  let value: ThriftValueType | undefined;
  return {
    ttype: TType.MAP,
    write(out, map) {
      key ??= thriftTypeOf(keyType);
      value ??= thriftTypeOf(valueType);
      const entries = mapEntries(map);
      const size = entries instanceof Map ? entries.size : (entries as unknown[]).length;
      out.mapBegin(key.ttype, value.ttype, size);
      let i = 0;
      for (const [k, v] of entries) {
        try {
          key.write(out, k);
        } catch (error) {
          rethrowWithin(error, `[key #${i}]`);
        }
        try {
          value.write(out, v);
        } catch (error) {
          rethrowWithin(error, `[${describeKey(k, i)}]`);
        }
        i++;
      }
      out.containerEnd();
    },
    read(input) {
      key ??= thriftTypeOf(keyType);
      value ??= thriftTypeOf(valueType);
      const size = input.mapBegin();
      if (size > 0 && (input.keyType !== key.ttype || input.valueType !== value.ttype)) {
        throw new ValueError(
          `map of type ids ${input.keyType}, ${input.valueType} where ${key.ttype}, ${value.ttype} were declared`,
        );
      }
      const out = new Map<unknown, unknown>();
      for (let i = 0; i < size; i++) {
        let k: unknown;
        try {
          k = key.read(input);
          out.set(k, value.read(input));
        } catch (error) {
          rethrowWithin(error, k === undefined ? `[key #${i}]` : `[${describeKey(k, i)}]`);
        }
      }
      input.containerEnd();
      return out;
    },
  };
}

function wrongElementType(kind: string, got: number, declared: number): ValueError {
  return new ValueError(`${kind} of type id ${got} where ${declared} was declared`);
}
