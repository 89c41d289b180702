import { describe, expect, it } from "vitest";
import { CodecId } from "@rpcgen/runtime/internal/wire/frame.js";
import { binaryCodec } from "@rpcgen/runtime/internal/codec/binary-codec.js";
import { codecById, codecByName } from "@rpcgen/runtime/internal/codec/codec-registry.js";
import { jsonCodec } from "@rpcgen/runtime/internal/codec/json-codec.js";

describe("codec registry", () => {
  it("finds each codec by the id carried in frames and by its configuration name", () => {
    expect(codecById(CodecId.Json)).toBe(jsonCodec);
    expect(codecById(CodecId.Binary)).toBe(binaryCodec);
    expect(codecByName("json")).toBe(jsonCodec);
    expect(codecByName("binary")).toBe(binaryCodec);
  });

  it("answers undefined for anything else", () => {
    expect(codecById(0)).toBeUndefined();
    expect(codecById(3)).toBeUndefined();
    expect(codecByName("protobuf")).toBeUndefined();
    expect(codecByName("toString")).toBeUndefined();
  });
});
