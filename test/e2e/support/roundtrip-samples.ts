import { expect } from "vitest";
import type { GeneratedModule } from "./generated-stubs.js";

/** Values of roundtrip.thrift's types that every codec and protocol must carry exactly. */
export const i64Min = -(2n ** 63n);
export const i64Max = 2n ** 63n - 1n;

/** The bytes as a plain array, so a Buffer and a Uint8Array holding the same bytes compare equal. */
export function bytesOf(value: Uint8Array): number[] {
  expect(value).toBeInstanceOf(Uint8Array);
  return [...value];
}

/** Bytes 0..255 repeated to `length`: every byte value, and no two neighbours equal. */
export function patternBytes(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 7 + (i >> 8)) & 0xff;
  return bytes;
}

/** A `Scalars` struct with every field set, at awkward values (-0, i64 minimum, an astral character). */
export function everyScalar(roundtrip: GeneratedModule): { blob: Uint8Array; [field: string]: unknown } {
  return {
    flag: false,
    b: -128,
    tiny: 127,
    small: -32768,
    medium: 2 ** 31 - 1,
    big: i64Min,
    real: -0,
    text: "😀",
    blob: Uint8Array.from([0, 255, 10]),
    id: "123e4567-e89b-12d3-a456-426614174000",
    color: roundtrip["Color"].BELOW_ZERO,
  };
}

/**
 * Arguments of `Echo.many`, one of each kind: structs, containers, i64 extremes,
 * non-ASCII text. `real` and `text` (the map's second value) can be chosen, for a
 * peer's printout that is easier to read than π and an empty string.
 */
export function sixteenArguments(roundtrip: GeneratedModule, { real = Math.PI, text = "" } = {}): unknown[] {
  return [
    true,
    -1,
    -32768,
    123456,
    i64Max,
    real,
    "ghost 👻",
    Uint8Array.from([1, 2, 3]),
    "00112233-4455-6677-8899-aabbccddeeff",
    roundtrip["Color"].BLUE,
    [{ x: 1, y: 2 }],
    new Set([i64Min, 0n]),
    new Map([
      [-1, "minus one"],
      [2, text],
    ]),
    { id: "n", tags: ["t"] },
    { name: "o" },
    { label: "p", children: [{ label: "q" }] },
  ];
}

/**
 * Checks what the handler of `many` received for sixteenArguments(): the same
 * values, and the IDL defaults the caller left out of the `Defaults` argument.
 */
export function expectSixteenReceived(received: unknown[] | undefined, sent: unknown[]): void {
  expect(received).toHaveLength(16);
  expect(bytesOf(received![7] as Uint8Array)).toEqual(bytesOf(sent[7] as Uint8Array));
  const expected = sent.map((arg, i) => (i === 7 ? received![7] : i === 13 ? { id: "n", tags: ["t"], count: 42, label: "unnamed" } : arg));
  expect(received).toEqual(expected);
}
