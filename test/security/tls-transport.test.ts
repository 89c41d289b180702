/**
 * TLS and mutual TLS on the service port, judged by real peers: generated
 * clients over every codec (binary and JSON frames, RESP), `openssl s_client`,
 * and plain TCP sockets that must get nothing.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { connect as connectTcp } from "node:net";
import { connect as connectTls } from "node:tls";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Channel, Code, RespChannel, RpcError, Server, type Invoker, silentLogger } from "@rpcgen/runtime";
import { capturingLogger } from "../runtime/transport/harness.js";
import { makeTestCa, type TestCa } from "./support/test-ca.js";
import { loadVault, startVault, type VaultStubs } from "./support/vault.js";

let ca: TestCa;
let otherCa: TestCa;
let stubs: VaultStubs;
const closers: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  ca = makeTestCa();
  otherCa = makeTestCa("someone else's CA");
  stubs = await loadVault("tls");
});

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

afterAll(async () => {
  stubs?.dispose();
  ca?.remove();
  otherCa?.remove();
});

type Codec = "binary" | "json" | "resp";
const codecs: Codec[] = ["binary", "json", "resp"];

function client(codec: Codec, port: number, tls: ConstructorParameters<typeof Channel>[0]["tls"]): { vault: any; invoker: Invoker & { close(): Promise<void> } } {
  const invoker =
    codec === "resp"
      ? new RespChannel({ host: "127.0.0.1", port, tls })
      : new Channel({ address: `127.0.0.1:${port}`, codec, tls, logger: silentLogger, reconnect: { baseMs: 10, maxMs: 50 } });
  closers.push(() => invoker.close());
  return { vault: new stubs.module["VaultClient"](invoker), invoker };
}

async function vaultServer(options: Parameters<typeof startVault>[1]) {
  const running = await startVault(stubs.module, { logger: silentLogger, ...options });
  closers.push(() => running.server.close({ graceMs: 0 }));
  return running;
}

describe("TLS on the port", () => {
  it("generated clients call over TLS with every codec; the server checks nothing of theirs", async () => {
    const { port, server } = await vaultServer({ tls: { certFile: ca.server.cert, keyFile: ca.server.key } });
    expect(server.tlsEnabled).toBe(true);
    for (const codec of codecs) {
      const { vault } = client(codec, port, { caFile: ca.ca });
      expect(await vault.add(40, 2)).toBe(42);
      // No client certificate: no TLS peer; no authenticator: no principal.
      expect(await vault.whoami()).toBe("-|-");
      await expect(vault.rotate("")).rejects.toBeInstanceOf(stubs.module["Sealed"]);
    }
  });

  it("a plaintext client of a TLS-only port gets no answer, and the refusal is logged", async () => {
    const logger = capturingLogger();
    const { port } = await vaultServer({ tls: { certFile: ca.server.cert, keyFile: ca.server.key }, logger });
    const received = await new Promise<{ bytes: number }>((resolve) => {
      const socket = connectTcp({ host: "127.0.0.1", port }, () => socket.write("*3\r\n$4\r\nCALL\r\n$9\r\nVault.add\r\n$1\r\n1\r\n"));
      let bytes = 0;
      socket.on("data", (chunk) => (bytes += chunk.length));
      socket.on("error", () => {});
      socket.on("close", () => resolve({ bytes }));
    });
    expect(received.bytes).toBe(0);
    expect(logger.entries.some((e) => e.msg === "closing plaintext connection: this port requires TLS")).toBe(true);
    // A Channel without TLS fails rather than talking plaintext.
    const plain = new Channel({ address: `127.0.0.1:${port}`, logger: silentLogger });
    closers.push(() => plain.destroy());
    const error = await new stubs.module["VaultClient"](plain).add(1, 2).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcError);
    expect((error as RpcError).code).toBe(Code.UNAVAILABLE);
  });

  it("allowPlaintext serves TLS and plaintext clients on the same port", async () => {
    const { port } = await vaultServer({ tls: { certFile: ca.server.cert, keyFile: ca.server.key, allowPlaintext: true } });
    for (const codec of codecs) {
      expect(await client(codec, port, { caFile: ca.ca }).vault.add(1, 1)).toBe(2);
      expect(await client(codec, port, undefined).vault.add(2, 2)).toBe(4);
    }
  });

  it("a client refuses a server whose certificate it cannot verify, or whose name does not match", async () => {
    const { port } = await vaultServer({ tls: { certFile: ca.server.cert, keyFile: ca.server.key } });
    const untrusted = await client("binary", port, { caFile: otherCa.ca }).vault.add(1, 2).catch((e: unknown) => e);
    expect((untrusted as RpcError).code).toBe(Code.UNAVAILABLE);
    expect((untrusted as Error).message).toMatch(/certificate/i);
    const wrongName = await client("binary", port, { caFile: ca.ca, servername: "vault.example" }).vault.add(1, 2).catch((e: unknown) => e);
    expect((wrongName as Error).message).toMatch(/vault\.example|altnames/i);
    // The name in the certificate works as servername.
    expect(await client("binary", port, { caFile: ca.ca, servername: "localhost" }).vault.add(1, 2)).toBe(3);
  });

  it("ALPN: the server advertises every protocol of the port and picks the one the client names", async () => {
    const { port } = await vaultServer({ tls: { certFile: ca.server.cert, keyFile: ca.server.key } });
    const negotiated = (offer: string[]) =>
      new Promise<string | false | Error>((resolve) => {
        const socket = connectTls({ host: "127.0.0.1", port, ca: pemOf(ca.ca), ALPNProtocols: offer }, () => {
          resolve(socket.alpnProtocol ?? false);
          socket.destroy();
        });
        socket.on("error", (error) => resolve(error));
      });
    expect(await negotiated(["rpcgen"])).toBe("rpcgen");
    expect(await negotiated(["resp"])).toBe("resp");
    expect(await negotiated(["h2", "http/1.1"])).toBe("h2");
    expect(await negotiated(["http/1.1"])).toBe("http/1.1");
    // A client naming only protocols the port does not speak is refused at the handshake.
    expect(await negotiated(["imap"])).toBeInstanceOf(Error);
  });

  for (const version of ["-tls1_2", "-tls1_3"]) {
    it(`openssl s_client ${version} completes the handshake with "Verify return code: 0"`, async () => {
      const { port } = await vaultServer({ tls: { certFile: ca.server.cert, keyFile: ca.server.key } });
      const output = await sClient(["-connect", `127.0.0.1:${port}`, "-CAfile", ca.ca, version]);
      expect(output).toContain("Verify return code: 0 (ok)");
      expect(output).toMatch(version === "-tls1_2" ? /Protocol\s*:\s*TLSv1\.2/ : /TLSv1\.3/);
    });
  }

  it("TLS below 1.2 is refused", async () => {
    const { port } = await vaultServer({ tls: { certFile: ca.server.cert, keyFile: ca.server.key } });
    const outcome = await new Promise<string>((resolve) => {
      const socket = connectTls({ host: "127.0.0.1", port, ca: pemOf(ca.ca), minVersion: "TLSv1", maxVersion: "TLSv1.1" }, () => resolve("connected"));
      socket.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    });
    expect(outcome).not.toBe("connected");
  });
});

describe("mutual TLS", () => {
  it("clients with a certificate of the CA call with every codec, and the handler sees who they are", async () => {
    const { port } = await vaultServer({ tls: { certFile: ca.server.cert, keyFile: ca.server.key, caFile: ca.ca } });
    for (const codec of codecs) {
      const { vault } = client(codec, port, { caFile: ca.ca, certFile: ca.client.cert, keyFile: ca.client.key });
      expect(await vault.whoami()).toBe("-|client-a");
      expect(await vault.add(2, 3)).toBe(5);
    }
  });

  it("the CallContext carries subject, SANs and fingerprint of the client certificate", async () => {
    const seen: unknown[] = [];
    const server = new Server({ logger: silentLogger, tls: { certFile: ca.server.cert, keyFile: ca.server.key, caFile: ca.ca } });
    stubs.module["registerVault"](server, {
      ...handlerStub(),
      whoami: (context: { tlsPeer: unknown }) => {
        seen.push(context.tlsPeer);
        return "seen";
      },
    });
    const { port } = await server.listen({ host: "127.0.0.1", port: 0 });
    closers.push(() => server.close({ graceMs: 0 }));
    await client("binary", port, { caFile: ca.ca, certFile: ca.client.cert, keyFile: ca.client.key }).vault.whoami();
    expect(seen[0]).toEqual({
      subject: "CN=client-a,O=Example",
      commonName: "client-a",
      subjectAltNames: ["DNS:client-a.example", "URI:spiffe://example/client-a"],
      fingerprint256: ca.fingerprint(ca.client.cert),
      issuer: "CN=rpcgen test CA",
      serialNumber: expect.stringMatching(/^0*2$/),
      validTo: expect.stringMatching(/GMT$/),
    });
  });

  it("a client without a certificate, or with one of another CA, is refused at the handshake", async () => {
    const logger = capturingLogger();
    const { port } = await vaultServer({ tls: { certFile: ca.server.cert, keyFile: ca.server.key, caFile: ca.ca }, logger });
    const stranger = otherCa.issue("stranger", "/CN=stranger", "DNS:stranger", "clientAuth");
    for (const codec of codecs) {
      const none = await client(codec, port, { caFile: ca.ca }).vault.add(1, 2).catch((e: unknown) => e);
      expect(none).toBeInstanceOf(RpcError);
      expect([Code.UNAVAILABLE, Code.CANCELLED]).toContain((none as RpcError).code);
      const foreign = await client(codec, port, { caFile: ca.ca, certFile: stranger.cert, keyFile: stranger.key }).vault.add(1, 2).catch((e: unknown) => e);
      expect(foreign).toBeInstanceOf(RpcError);
    }
    expect(logger.entries.some((e) => e.msg === "TLS handshake failed" && (e.fields as { peer?: string }).peer?.startsWith("127.0.0.1:"))).toBe(true);
  });

  it("openssl s_client with the client certificate verifies, and is refused without it", async () => {
    const { port } = await vaultServer({ tls: { certFile: ca.server.cert, keyFile: ca.server.key, caFile: ca.ca } });
    const withCert = await sClient(["-connect", `127.0.0.1:${port}`, "-CAfile", ca.ca, "-cert", ca.client.cert, "-key", ca.client.key, "-tls1_2"]);
    expect(withCert).toContain("Verify return code: 0 (ok)");
    const without = await sClient(["-connect", `127.0.0.1:${port}`, "-CAfile", ca.ca, "-tls1_2"]);
    expect(without).toMatch(/alert|handshake failure|certificate required/i);
  });
});

function handlerStub() {
  return { whoami: () => "", add: (a: number, b: number) => a + b, health: () => "ok", rotate: (k: string) => k, slow: (ms: number) => ms };
}

function pemOf(file: string): string {
  return readFileSync(file, "utf8");
}

/** Runs `openssl s_client` with no input (it ends after the handshake); resolves with stdout and stderr. */
function sClient(args: string[]): Promise<string> {
  return new Promise((resolve) => {
    const child = execFile("openssl", ["s_client", ...args], { timeout: 15_000 }, (_error, stdout, stderr) => resolve(`${stdout}\n${stderr}`));
    child.stdin!.end();
  });
}
