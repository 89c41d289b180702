import type { StructDescriptor, TypeDescriptor } from "../descriptor.js";

/**
 * Whether values of `type` can hold a `binary` (a Uint8Array), decided from the
 * descriptor once per method so that calls without any pay no walk at all.
 */
export function typeHoldsBinary(type: TypeDescriptor, seen = new Set<StructDescriptor>()): boolean {
  switch (type.kind) {
    case "binary":
      return true;
    case "list":
    case "set":
      return typeHoldsBinary(type.element, seen);
    case "map":
      return typeHoldsBinary(type.key, seen) || typeHoldsBinary(type.value, seen);
    case "struct":
      return structHoldsBinary(type.struct(), seen);
    default:
      return false;
  }
}

export function structHoldsBinary(struct: StructDescriptor, seen = new Set<StructDescriptor>()): boolean {
  if (seen.has(struct)) return false;
  seen.add(struct);
  return struct.fields.some((field) => typeHoldsBinary(field.type, seen));
}

/** Deeper than any sane IDL value; a cycle or a hostile shape just stops being walked. */
const maxDepth = 64;

/**
 * Prepares the Uint8Arrays in `values` to be moved to another thread and lists
 * their buffers in `transfer`. Structured clone of a view copies its whole
 * ArrayBuffer (a 10-byte slice of a 64 KiB buffer sends 64 KiB, and Node's pooled
 * Buffers cannot be moved at all), so a view that does not span its buffer is
 * replaced, in place, by a compact copy, which is then moved. Values inside Sets
 * are left to structured clone (replacing them would reorder the Set).
 *
 * Only for values the sender owns and drops: a moved buffer is empty afterwards.
 */
export function prepareTransfer(values: unknown[], transfer: ArrayBuffer[]): void {
  for (let i = 0; i < values.length; i++) values[i] = movable(values[i], transfer, 0);
}

function movable(value: unknown, transfer: ArrayBuffer[], depth: number): unknown {
  if (typeof value !== "object" || value === null || depth > maxDepth) return value;
  if (value instanceof Uint8Array) return movableBytes(value, transfer);
  if (ArrayBuffer.isView(value)) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = movable(value[i], transfer, depth + 1);
  } else if (value instanceof Map) {
    for (const [key, entry] of value) {
      const moved = movable(entry, transfer, depth + 1);
      if (moved !== entry) value.set(key, moved);
    }
  } else if (!(value instanceof Set)) {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) record[key] = movable(record[key], transfer, depth + 1);
  }
  return value;
}

function movableBytes(bytes: Uint8Array, transfer: ArrayBuffer[]): Uint8Array {
  const buffer = bytes.buffer;
  if (!(buffer instanceof ArrayBuffer)) return bytes; // a SharedArrayBuffer is shared, not moved
  if (bytes.byteOffset === 0 && bytes.byteLength === buffer.byteLength) {
    if (!transfer.includes(buffer)) transfer.push(buffer);
    return bytes;
  }
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  transfer.push(copy.buffer);
  return copy;
}
