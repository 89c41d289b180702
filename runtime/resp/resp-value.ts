/**
 * The values of the Redis serialization protocol (RESP2 and RESP3), as the parser
 * produces them and the serializer writes them. Integers are bigints because RESP
 * integers are signed 64-bit; strings that may carry any bytes stay Buffers.
 */
export type RespValue =
  | { readonly type: "simple"; readonly value: string }
  | { readonly type: "error"; readonly value: string }
  | { readonly type: "integer"; readonly value: bigint }
  | { readonly type: "bulk"; readonly value: Buffer }
  /** RESP2 `$-1` / `*-1` and RESP3 `_`. */
  | { readonly type: "null" }
  | { readonly type: "array"; readonly value: readonly RespValue[] }
  /** RESP3 `,`: kept as the number it denotes (`inf`, `-inf`, `nan` included). */
  | { readonly type: "double"; readonly value: number }
  | { readonly type: "boolean"; readonly value: boolean }
  /** RESP3 `(`: an integer of any size. */
  | { readonly type: "bignum"; readonly value: bigint }
  /** RESP3 `!`: an error whose text may hold any bytes. */
  | { readonly type: "bulkError"; readonly value: Buffer }
  /** RESP3 `=`: a bulk string tagged with a three-letter format such as `txt`. */
  | { readonly type: "verbatim"; readonly format: string; readonly value: Buffer }
  | { readonly type: "map"; readonly value: readonly (readonly [RespValue, RespValue])[] }
  | { readonly type: "set"; readonly value: readonly RespValue[] }
  | { readonly type: "push"; readonly value: readonly RespValue[] }
  /** A value preceded by a RESP3 attribute (`|`), which is kept next to it. */
  | {
      readonly type: "attributed";
      readonly attributes: readonly (readonly [RespValue, RespValue])[];
      readonly value: RespValue;
    };

/** Which protocol version a connection speaks: 2 (the default) or 3 after `HELLO 3`. */
export type RespVersion = 2 | 3;

/** Replies 0 to 9999 made once, as Redis shares its small integers: most counts and sums are small. */
const sharedIntegers: readonly RespValue[] = Array.from({ length: 10_000 }, (_, i) => ({ type: "integer", value: BigInt(i) }) as RespValue);

/** Small constructors, so building replies reads like the protocol. */
export const resp = {
  simple: (value: string): RespValue => ({ type: "simple", value }),
  error: (value: string): RespValue => ({ type: "error", value }),
  integer: (value: bigint | number): RespValue =>
    typeof value === "number" && value >= 0 && value < sharedIntegers.length && Number.isInteger(value)
      ? sharedIntegers[value]!
      : { type: "integer", value: BigInt(value) },
  bulk: (value: Buffer | string): RespValue => ({
    type: "bulk",
    value: typeof value === "string" ? Buffer.from(value, "utf8") : value,
  }),
  null: { type: "null" } as RespValue,
  array: (value: readonly RespValue[]): RespValue => ({ type: "array", value }),
  map: (value: readonly (readonly [RespValue, RespValue])[]): RespValue => ({ type: "map", value }),
  ok: { type: "simple", value: "OK" } as RespValue,
};
