import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type StructDescriptor, type TypeDescriptor } from "@rpcgen/runtime";
import { binaryCodec } from "@rpcgen/runtime/internal/codec/binary-codec.js";
import { jsonCodec } from "@rpcgen/runtime/internal/codec/json-codec.js";
import { methodOf, typeArb, valueArb } from "./fixtures/random-descriptors.js";

// Every IDL type round-trips exactly through both codecs: random descriptors,
// random values that fit them, encode then decode, compared strictly (so -0,
// NaN, bigint vs number, Set vs array and Buffer contents all count).
const structType = typeArb.filter(
  (type): type is Extract<TypeDescriptor, { kind: "struct" }> =>
    type.kind === "struct" && type.struct().kind === "struct",
);

const caseArb = fc.tuple(structType, typeArb).chain(([argsType, successType]) => {
  const args: StructDescriptor = argsType.struct();
  return fc.tuple(
    fc.constant(methodOf(args, successType)),
    fc.tuple(
      ...args.fields.map((f) =>
        f.requiredness === "required" ? valueArb(f.type) : fc.option(valueArb(f.type), { nil: undefined }),
      ),
    ),
    valueArb(successType),
  );
});

describe.each([jsonCodec, binaryCodec])("$name codec round trip", (codec) => {
  it("decodes exactly the arguments it encoded", () => {
    fc.assert(
      fc.property(caseArb, ([method, args]) => {
        const body = codec.encodeArgs(method, args);
        expect(codec.decodeArgs(method, body)).toStrictEqual(args);
      }),
      { numRuns: 250 },
    );
  });

  it("decodes exactly the result it encoded", () => {
    fc.assert(
      fc.property(caseArb, ([method, , success]) => {
        const body = codec.encodeOutcome(method, { fieldId: 0, value: success });
        const outcome = codec.decodeOutcome(method, body);
        expect(outcome.fieldId).toBe(0);
        expect(outcome.value).toStrictEqual(success);
      }),
      { numRuns: 250 },
    );
  });

  it("keeps the sign of zero and NaN in doubles", () => {
    const method = methodOf({ name: "a", kind: "struct", fields: [] }, { kind: "list", element: { kind: "double" } });
    const decoded = codec.decodeOutcome(method, codec.encodeOutcome(method, { fieldId: 0, value: [-0, 0, NaN] }))
      .value as number[];
    expect(Object.is(decoded[0], -0)).toBe(true);
    expect(Object.is(decoded[1], 0)).toBe(true);
    expect(decoded[2]).toBeNaN();
  });
});
