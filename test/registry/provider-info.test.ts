import { describe, expect, it } from "vitest";
import { Code, type ProviderInput } from "@rpcgen/runtime";
import { DEFAULT_ETCD_PREFIX, encodeProviderValue, providerKey, serviceProvidersPrefix } from "@rpcgen/runtime/internal/registry/etcd-key-layout.js";
import { normalizeProvider } from "@rpcgen/runtime/internal/registry/provider-info.js";

const good: ProviderInput = {
  service: "shared.Calc",
  version: "1.2.3-beta.1",
  address: "calc.internal:9090",
};

describe("normalizeProvider", () => {
  it("fills in weight 100 and empty metadata and copies metadata", () => {
    const metadata = { zone: "a" };
    const provider = normalizeProvider({ ...good, metadata });
    expect(provider).toEqual({ ...good, weight: 100, metadata: { zone: "a" } });
    expect(provider.metadata).not.toBe(metadata);
    expect(normalizeProvider({ ...good, address: "[::1]:1", weight: 0 }).weight).toBe(0);
  });

  it.each([
    [{ ...good, service: "" }, /service must be a non-empty string/],
    [{ ...good, service: "a/b" }, /must not contain '\/'/],
    [{ ...good, version: "1.2" }, /version "1.2" is not a semver version/],
    [{ ...good, address: "host" }, /address "host" must be "host:port"/],
    [{ ...good, address: "host:0" }, /port in 1..65535/],
    [{ ...good, address: "host:70000" }, /port in 1..65535/],
    [{ ...good, address: "a/b:1" }, /must be "host:port"/],
    [{ ...good, weight: -1 }, /weight -1 must be a finite number >= 0/],
    [{ ...good, weight: Number.NaN }, /weight null must be a finite number/],
    [
      { ...good, metadata: { zone: 1 } as unknown as Record<string, string> },
      /metadata.zone must be a string/,
    ],
  ])("refuses %j", (input, message) => {
    expect(() => normalizeProvider(input as ProviderInput)).toThrowError(message);
    expect(() => normalizeProvider(input as ProviderInput)).toThrowError(
      expect.objectContaining({ code: Code.INVALID_ARGUMENT }),
    );
  });
});

describe("etcd key layout", () => {
  it("puts service and address in the key and the rest in a JSON value", () => {
    const provider = normalizeProvider({ ...good, weight: 7, metadata: { zone: "a" } });
    expect(DEFAULT_ETCD_PREFIX).toBe("/rpcgen");
    expect(serviceProvidersPrefix("/rpcgen", "shared.Calc")).toBe("/rpcgen/services/shared.Calc/providers/");
    expect(providerKey("/rpcgen", provider)).toBe(
      "/rpcgen/services/shared.Calc/providers/calc.internal:9090",
    );
    expect(JSON.parse(encodeProviderValue(provider))).toEqual({
      version: "1.2.3-beta.1",
      weight: 7,
      metadata: { zone: "a" },
    });
  });
});
