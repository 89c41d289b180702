/**
 * Authentication and authorization through the one dispatch, for every codec:
 * static tokens per channel and per call, rotation, the principal in the
 * handler, per-method authorization, public methods, caching per connection,
 * client-certificate principals, and the limit on failed attempts per address.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { anyAuthenticator, bearerToken, Channel, clientCertificateAuthenticator, Code, RespChannel, RpcError, silentLogger, staticTokenAuthenticator, type AuthenticationContext, type Invoker, type ServerOptions } from "@rpcgen/runtime";
import { capturingLogger } from "../runtime/transport/harness.js";
import { makeTestCa, type TestCa } from "./support/test-ca.js";
import { loadVault, startVault, type VaultStubs } from "./support/vault.js";

let stubs: VaultStubs;
let ca: TestCa;
const closers: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  stubs = await loadVault("auth");
  ca = makeTestCa();
});
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});
afterAll(() => {
  stubs?.dispose();
  ca?.remove();
});

type Codec = "binary" | "json" | "resp";
const codecs: Codec[] = ["binary", "json", "resp"];

const tokens = staticTokenAuthenticator([
  { token: "s3cret", id: "ops", roles: ["admin"] },
  { token: "n3w-s3cret", id: "ops-next", roles: ["admin"] },
  { token: "r3ader", id: "reader" },
]);
const adminsRotate = (principal: { roles?: readonly string[] }, method: { name: string }) =>
  method.name !== "rotate" || (principal.roles ?? []).includes("admin");

async function server(options: ServerOptions) {
  const running = await startVault(stubs.module, { logger: silentLogger, ...options });
  closers.push(() => running.server.close({ graceMs: 0 }));
  return running;
}

function client(codec: Codec, port: number, credentials: { token?: string; tls?: any } = {}): any {
  const invoker: Invoker & { close(): Promise<void> } =
    codec === "resp"
      ? new RespChannel({ host: "127.0.0.1", port, ...credentials })
      : new Channel({ address: `127.0.0.1:${port}`, codec, logger: silentLogger, ...credentials });
  closers.push(() => invoker.close());
  return new stubs.module["VaultClient"](invoker);
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "resolved";
  } catch (error) {
    return error instanceof RpcError ? error.code : `not an RpcError: ${String(error)}`;
  }
}

describe("static tokens", () => {
  for (const codec of codecs) {
    it(`${codec}: a channel's token authenticates; the handler sees the principal`, async () => {
      const { port } = await server({ auth: { authenticate: tokens } });
      const vault = client(codec, port, { token: "s3cret" });
      expect(await vault.whoami()).toBe("ops|-");
      expect(await vault.add(1, 2)).toBe(3);
    });

    it(`${codec}: no token, or a wrong one, is UNAUTHENTICATED; a public method needs none`, async () => {
      const { port } = await server({ auth: { authenticate: tokens } });
      expect(await codeOf(client(codec, port).add(1, 2))).toBe(Code.UNAUTHENTICATED);
      expect(await codeOf(client(codec, port, { token: "wrong" }).add(1, 2))).toBe(Code.UNAUTHENTICATED);
      expect(await client(codec, port).health()).toBe("ok anonymous");
    });

    it(`${codec}: several tokens are accepted at once (rotation)`, async () => {
      const { port } = await server({ auth: { authenticate: tokens } });
      expect(await client(codec, port, { token: "s3cret" }).whoami()).toBe("ops|-");
      expect(await client(codec, port, { token: "n3w-s3cret" }).whoami()).toBe("ops-next|-");
    });

    it(`${codec}: authorize refuses a method to a principal with PERMISSION_DENIED`, async () => {
      const { port } = await server({ auth: { authenticate: tokens, authorize: adminsRotate } });
      expect(await client(codec, port, { token: "s3cret" }).rotate("k1")).toBe("rotated k1");
      const reader = client(codec, port, { token: "r3ader" });
      expect(await codeOf(reader.rotate("k1"))).toBe(Code.PERMISSION_DENIED);
      expect(await reader.add(2, 2)).toBe(4);
    });
  }

  it("credentials per call (CallOptions.metadata) win over the channel's", async () => {
    const { port } = await server({ auth: { authenticate: tokens, authorize: adminsRotate } });
    const asReader = client("binary", port, { token: "r3ader" });
    expect(await asReader.whoami()).toBe("reader|-");
    expect(await asReader.whoami({ metadata: bearerToken("s3cret") })).toBe("ops|-");
    expect(await asReader.rotate("k2", { metadata: { "x-api-key": "s3cret" } })).toBe("rotated k2");
    expect(await codeOf(asReader.rotate("k2"))).toBe(Code.PERMISSION_DENIED);
    const anonymous = client("json", port);
    expect(await anonymous.whoami({ metadata: { authorization: "Bearer n3w-s3cret" } })).toBe("ops-next|-");
    expect(await codeOf(anonymous.whoami({ metadata: { authorization: "Basic czNjcmV0" } }))).toBe(Code.UNAUTHENTICATED);
  });

  it("update() swaps the accepted tokens without a restart", async () => {
    const rotating = staticTokenAuthenticator(["old-token"]);
    const { port } = await server({ auth: { authenticate: rotating } });
    expect(await client("binary", port, { token: "old-token" }).add(1, 1)).toBe(2);
    rotating.update(["new-token"]);
    expect(await client("binary", port, { token: "new-token" }).add(1, 1)).toBe(2);
    expect(await codeOf(client("binary", port, { token: "old-token" }).add(1, 1))).toBe(Code.UNAUTHENTICATED);
  });
});

describe("the authenticate hook", () => {
  it("sees metadata, protocol, peer and method, is asked once per connection for the same credentials, and may be async", async () => {
    const seen: AuthenticationContext[] = [];
    const authenticate = async (context: AuthenticationContext) => {
      seen.push(context);
      await new Promise((resolve) => setTimeout(resolve, 5));
      return context.credentials.token === "s3cret" ? { id: `user-via-${context.protocol}` } : undefined;
    };
    const { port } = await server({ auth: { authenticate } });
    const vault = client("binary", port, { token: "s3cret" });
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => vault.add(i, 1)));
    expect(answers[49]).toBe(50);
    expect(await vault.whoami()).toBe("user-via-rpcgen|-");
    // The first calls race the first answer; after it, the connection's cache answers.
    const before = seen.length;
    for (let i = 0; i < 20; i++) await vault.add(i, i);
    expect(seen.length).toBe(before);
    expect(seen[0]!.metadata["authorization"]).toBe("Bearer s3cret");
    expect(seen[0]!.method?.fullName).toBe("Vault.add");
    expect(seen[0]!.peer).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(seen[0]!.tls).toBeUndefined();
    const resp = client("resp", port, { token: "s3cret" });
    expect(await resp.whoami()).toBe("user-via-resp|-");
    expect(seen.at(-1)!.method).toBeUndefined();
  });

  it("an authenticator's RpcError reaches the caller; any other failure is a plain UNAUTHENTICATED", async () => {
    const logger = capturingLogger();
    const authenticate = (context: AuthenticationContext) => {
      if (context.credentials.token === "expired") throw new RpcError(Code.UNAUTHENTICATED, "token expired");
      throw new Error("database password is hunter2");
    };
    const { port } = await server({ auth: { authenticate }, logger });
    const expired = await client("binary", port, { token: "expired" }).add(1, 1).catch((e: RpcError) => e);
    expect(expired.code).toBe(Code.UNAUTHENTICATED);
    expect(expired.message).toBe("token expired");
    const broken = await client("binary", port, { token: "x" }).add(1, 1).catch((e: RpcError) => e);
    expect(broken.code).toBe(Code.UNAUTHENTICATED);
    expect(broken.message).toBe("authentication failed");
    expect(JSON.stringify(logger.entries)).not.toContain("hunter2");
  });

  it("mutual TLS: a client-certificate authenticator names the principal, so RESP needs no AUTH; tokens still work beside it", async () => {
    const { port } = await server({
      tls: { certFile: ca.server.cert, keyFile: ca.server.key, caFile: ca.ca },
      // Tokens first: a token names its holder even on a connection with a client certificate.
      auth: { authenticate: anyAuthenticator(tokens, clientCertificateAuthenticator()) },
    });
    const tls = { caFile: ca.ca, certFile: ca.client.cert, keyFile: ca.client.key };
    for (const codec of codecs) {
      expect(await client(codec, port, { tls }).whoami()).toBe("client-a|client-a");
      expect(await client(codec, port, { tls, token: "s3cret" }).whoami()).toBe("ops|client-a");
    }
  });
});

describe("failed attempts", () => {
  it("are logged with the peer and never the token; past the limit an address is refused even with a good token", async () => {
    const logger = capturingLogger();
    const { port } = await server({ auth: { authenticate: tokens, maxFailures: 3, failureWindowMs: 60_000 }, logger });
    for (let i = 0; i < 3; i++) {
      expect(await codeOf(client("binary", port, { token: `guess-${i}` }).add(1, 1))).toBe(Code.UNAUTHENTICATED);
    }
    const refused = await client("binary", port, { token: "s3cret" }).add(1, 1).catch((e: RpcError) => e);
    expect(refused.code).toBe(Code.UNAUTHENTICATED);
    expect(refused.message).toMatch(/too many failed authentication attempts/);
    expect(await codeOf(client("resp", port, { token: "s3cret" }).add(1, 1))).toBe(Code.UNAUTHENTICATED);
    const failures = logger.entries.filter((e) => e.msg === "authentication failed");
    expect(failures.length).toBeGreaterThanOrEqual(4);
    expect((failures[0]!.fields as { peer: string }).peer).toMatch(/^127\.0\.0\.1:\d+$/);
    const logged = JSON.stringify(logger.entries);
    for (const secret of ["guess-0", "guess-2", "s3cret"]) expect(logged).not.toContain(secret);
    // Calls without credentials guess nothing and do not count.
    expect(await client("binary", port).health()).toBe("ok anonymous");
  });
});
