/** The small pieces of runtime/security on their own: credentials, SANs, the failure limiter, option checks. */
import { describe, expect, it } from "vitest";
import { Server, silentLogger, staticTokenAuthenticator, isPublicMethod, providerTls, type AuthenticationContext, type ProviderInfo } from "@rpcgen/runtime";
import { type RegisteredMethod } from "@rpcgen/runtime/internal/dispatch-contract.js";
import { credentialKey, credentialsOf, mergeMetadata } from "../../runtime/security/credentials.js";
import { FailureLimiter } from "../../runtime/security/failure-limiter.js";
import { addressOf } from "../../runtime/security/connection-guard.js";
import { splitAltNames } from "../../runtime/security/tls-peer.js";

const context = (token?: string, username?: string): AuthenticationContext => ({
  protocol: "rpcgen",
  peer: "127.0.0.1:1",
  metadata: {},
  credentials: { ...(token === undefined ? {} : { token }), ...(username === undefined ? {} : { username }) },
  tls: undefined,
  method: undefined,
});

describe("credentials in metadata", () => {
  it("a bearer token wins over an API key; other schemes are not tokens", () => {
    expect(credentialsOf({ authorization: "Bearer abc" })).toEqual({ token: "abc" });
    expect(credentialsOf({ authorization: "bearer  abc " })).toEqual({ token: "abc" });
    expect(credentialsOf({ "x-api-key": "k" })).toEqual({ token: "k" });
    expect(credentialsOf({ authorization: "Bearer abc", "x-api-key": "k" })).toEqual({ token: "abc" });
    expect(credentialsOf({ authorization: "Basic dTpw" })).toEqual({});
    expect(credentialKey({})).toBe("");
    expect(credentialKey({ authorization: "Bearer a" })).toBe("Bearer a");
    expect(credentialKey({ "x-api-key": "a" })).not.toBe(credentialKey({ authorization: "a" }));
  });

  it("a call's credentials replace the channel's as a whole", () => {
    expect(mergeMetadata({ authorization: "Bearer a", zone: "x" }, { "x-api-key": "b" })).toEqual({ zone: "x", "x-api-key": "b" });
    expect(mergeMetadata({ authorization: "Bearer a" }, { trace: "t" })).toEqual({ authorization: "Bearer a", trace: "t" });
  });
});

describe("staticTokenAuthenticator", () => {
  it("accepts any of its tokens, with its user when it names one", async () => {
    const authenticate = staticTokenAuthenticator(["one", { token: "two", id: "svc", roles: ["r"], user: "svc-user" }]);
    expect(await authenticate(context("one"))).toEqual({ id: "token-1" });
    expect(await authenticate(context("one", "default"))).toEqual({ id: "token-1" });
    expect(await authenticate(context("one", "someone"))).toBeUndefined();
    expect(await authenticate(context("two", "svc-user"))).toEqual({ id: "svc", roles: ["r"] });
    expect(await authenticate(context("two"))).toBeUndefined();
    expect(await authenticate(context("three"))).toBeUndefined();
    expect(await authenticate(context(undefined))).toBeUndefined();
  });

  it("refuses empty tokens without printing them", () => {
    expect(() => staticTokenAuthenticator(["ok", " with space "])).toThrow("token 2 must be a non-empty string without whitespace");
  });
});

describe("TLS peer identity", () => {
  it("splits Node's subjectaltname text, quoted values included", () => {
    expect(splitAltNames("DNS:a.example, IP Address:10.0.0.1, URI:spiffe://x/y")).toEqual(["DNS:a.example", "IP Address:10.0.0.1", "URI:spiffe://x/y"]);
    expect(splitAltNames('DNS:"a, b", DNS:c')).toEqual(["DNS:a, b", "DNS:c"]);
    expect(splitAltNames("")).toEqual([]);
  });
});

describe("FailureLimiter", () => {
  it("blocks an address after maxFailures in a window, forgets it after the window, and remembers a bounded number of addresses", () => {
    let now = 0;
    const limiter = new FailureLimiter(3, 1000, 2, () => now);
    expect(limiter.fail("a")).toBe(false);
    expect(limiter.fail("a")).toBe(false);
    expect(limiter.blocked("a")).toBe(false);
    expect(limiter.fail("a")).toBe(true);
    expect(limiter.blocked("a")).toBe(true);
    expect(limiter.blocked("b")).toBe(false);
    now = 1000;
    expect(limiter.blocked("a")).toBe(false);
    limiter.fail("b");
    limiter.fail("c");
    limiter.fail("d");
    expect(limiter.size).toBe(2);
    expect(addressOf("[::1]:9090")).toBe("::1");
    expect(addressOf("10.0.0.1:9090")).toBe("10.0.0.1");
  });
});

describe("public methods and provider TLS", () => {
  const registered = (method: Record<string, string>, service: Record<string, string>) =>
    ({ method: { annotations: method }, service: { annotations: service } }) as unknown as RegisteredMethod;
  it('auth = "none" on a method or its service; a method\'s own "required" wins', () => {
    expect(isPublicMethod(registered({ auth: "none" }, {}))).toBe(true);
    expect(isPublicMethod(registered({}, { auth: "none" }))).toBe(true);
    expect(isPublicMethod(registered({ auth: "required" }, { auth: "none" }))).toBe(false);
    expect(isPublicMethod(registered({}, {}))).toBe(false);
  });

  it("a registry entry can ask for TLS but never turn off the client's", () => {
    const provider = (metadata: Record<string, string>): ProviderInfo => ({ service: "S", version: "1.0.0", address: "h:1", weight: 100, metadata });
    const tls = { caFile: "ca.crt" };
    expect(providerTls(provider({}), undefined)).toBeUndefined();
    expect(providerTls(provider({ tls: "true" }), undefined)).toBe(true);
    expect(providerTls(provider({}), tls)).toBe(tls);
    expect(providerTls(provider({ tls: "false" }), tls)).toBe(tls);
    expect(providerTls(provider({}), { ...tls, providers: "advertised" })).toBeUndefined();
    expect(providerTls(provider({ tls: "true" }), { ...tls, providers: "advertised" })).toEqual({ ...tls, providers: "advertised" });
  });
});

describe("server options", () => {
  it("refuse mistakes by name", () => {
    const make = (options: object) => () => new Server({ logger: silentLogger, ...options });
    expect(make({ tls: { certFile: "a", keyFile: "b", password: "x" } })).toThrow('server option tls: unknown option "password"');
    expect(make({ tls: { certFile: "a" } })).toThrow("give exactly one of key and keyFile");
    expect(make({ tls: { cert: "x", key: "y", requireClientCertificate: true } })).toThrow(/needs a CA bundle/);
    expect(make({ tls: { certFile: "/nonexistent.crt", keyFile: "/nonexistent.key" } })).toThrow(/cannot read \/nonexistent\.crt/);
    expect(make({ auth: {} })).toThrow("server option auth: authenticate must be a function");
    expect(make({ auth: { authenticate: () => undefined, tokens: [] } })).toThrow('server option auth: unknown option "tokens"');
  });
});
