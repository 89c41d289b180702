/**
 * The server certificate is replaced while calls are in flight: by a file
 * change, by SIGHUP, and by Server.reloadTls. New handshakes get the new
 * certificate, connections already open keep serving, and no call fails. A
 * broken replacement keeps the old certificate.
 */
import { copyFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { connect as connectTls } from "node:tls";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Channel, silentLogger, type ServerTlsOptions } from "@rpcgen/runtime";
import { capturingLogger } from "../runtime/transport/harness.js";
import { makeTestCa, pem, type TestCa } from "./support/test-ca.js";
import { loadVault, startVault, type VaultStubs } from "./support/vault.js";

let ca: TestCa;
let stubs: VaultStubs;
const closers: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  ca = makeTestCa();
  stubs = await loadVault("reload");
});
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});
afterAll(() => {
  stubs?.dispose();
  ca?.remove();
});

/** The fingerprint of the certificate a new TLS connection to `port` is shown. */
function servedFingerprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connectTls({ host: "127.0.0.1", port, ca: pem(ca.ca), ALPNProtocols: ["rpcgen"] }, () => {
      resolve(socket.getPeerCertificate().fingerprint256);
      socket.destroy();
    });
    socket.on("error", reject);
  });
}

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Keeps `inFlight` calls going on a long-lived channel, and opens a new channel
 * (a new TLS handshake) for a call every few milliseconds, until stopped.
 */
function startLoad(port: number, inFlight: number) {
  const tls = { caFile: ca.ca };
  const channel = new Channel({ address: `127.0.0.1:${port}`, tls, logger: silentLogger });
  const vault = new stubs.module["VaultClient"](channel);
  let running = true;
  let calls = 0;
  const failures: unknown[] = [];
  const loop = async (): Promise<void> => {
    while (running) {
      try {
        await vault.slow(5);
        calls++;
      } catch (error) {
        failures.push(error);
      }
    }
  };
  const freshConnections = async (): Promise<void> => {
    while (running) {
      const fresh = new Channel({ address: `127.0.0.1:${port}`, tls, logger: silentLogger });
      try {
        await new stubs.module["VaultClient"](fresh).add(1, 2);
        calls++;
      } catch (error) {
        failures.push(error);
      } finally {
        await fresh.close();
      }
    }
  };
  const done = Promise.all([...Array.from({ length: inFlight }, loop), freshConnections(), freshConnections()]);
  return {
    get calls() {
      return calls;
    },
    failures,
    async stop() {
      running = false;
      await done;
      await channel.close();
    },
  };
}

async function reloadingServer(tls: Partial<ServerTlsOptions>, logger = capturingLogger()) {
  const certFile = join(ca.dir, `live-${Date.now()}.crt`);
  const keyFile = join(ca.dir, `live-${Date.now()}.key`);
  copyFileSync(ca.server.cert, certFile);
  copyFileSync(ca.server.key, keyFile);
  const running = await startVault(stubs.module, { logger, tls: { certFile, keyFile, ...tls } });
  closers.push(() => running.server.close({ graceMs: 1000 }));
  return { ...running, certFile, keyFile, logger };
}

describe("certificate reload with calls in flight", () => {
  it("a changed file is picked up by new handshakes; no call fails", async () => {
    const { port, certFile, keyFile } = await reloadingServer({ watch: { intervalMs: 50 }, reloadSignal: false });
    const before = await servedFingerprint(port);
    expect(before).toBe(ca.fingerprint(ca.server.cert));
    const load = startLoad(port, 32);
    await until(async () => load.calls > 200, 20_000);
    const next = ca.issue(`next-${Date.now()}`, "/CN=localhost", "DNS:localhost,IP:127.0.0.1", "serverAuth");
    // Key first, then certificate: for a moment the pair does not match, and the old one must stay.
    copyFileSync(next.key, keyFile);
    copyFileSync(next.cert, certFile);
    await until(async () => (await servedFingerprint(port)) === ca.fingerprint(next.cert), 10_000);
    const callsAtReload = load.calls;
    await until(async () => load.calls > callsAtReload + 200, 20_000);
    await load.stop();
    expect(load.failures).toEqual([]);
  });

  it("SIGHUP reloads the files; no call fails", async () => {
    const { port, certFile, keyFile } = await reloadingServer({ watch: false });
    const load = startLoad(port, 16);
    await until(async () => load.calls > 100, 20_000);
    const next = ca.issue(`hup-${Date.now()}`, "/CN=localhost", "DNS:localhost,IP:127.0.0.1", "serverAuth");
    copyFileSync(next.cert, certFile);
    copyFileSync(next.key, keyFile);
    // Without a watch the file change alone does nothing.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await servedFingerprint(port)).toBe(ca.fingerprint(ca.server.cert));
    process.kill(process.pid, "SIGHUP");
    await until(async () => (await servedFingerprint(port)) === ca.fingerprint(next.cert), 10_000);
    const callsAtReload = load.calls;
    await until(async () => load.calls > callsAtReload + 100, 20_000);
    await load.stop();
    expect(load.failures).toEqual([]);
  });

  it("Server.reloadTls swaps in new PEM; a broken replacement keeps the old certificate", async () => {
    const { server, port, certFile, logger } = await reloadingServer({ watch: false, reloadSignal: false });
    const load = startLoad(port, 8);
    await until(async () => load.calls > 50, 20_000);
    // A certificate whose key is not the one on disk: refused, logged, the old pair stays.
    const other = ca.issue(`other-${Date.now()}`, "/CN=localhost", "DNS:localhost,IP:127.0.0.1", "serverAuth");
    copyFileSync(other.cert, certFile);
    expect(server.reloadTls()).toBe(false);
    expect(logger.entries.some((e) => e.level === "error" && e.msg === "TLS reload failed; the previous certificate stays in use")).toBe(true);
    expect(await servedFingerprint(port)).toBe(ca.fingerprint(ca.server.cert));
    expect(server.reloadTls({ cert: pem(other.cert), key: pem(other.key) })).toBe(true);
    expect(await servedFingerprint(port)).toBe(ca.fingerprint(other.cert));
    writeFileSync(certFile, "not a certificate");
    expect(() => server.reloadTls({ certFile, key: pem(other.key) })).toThrow();
    expect(await servedFingerprint(port)).toBe(ca.fingerprint(other.cert));
    const callsAtReload = load.calls;
    await until(async () => load.calls > callsAtReload + 50, 20_000);
    await load.stop();
    expect(load.failures).toEqual([]);
  });
});
