/**
 * TLS per provider as the registry says: publishServer advertises `tls: "true"`
 * for a server with TLS, and a cluster client calls each provider accordingly —
 * a mixed fleet during a migration (`providers: "advertised"`), and never
 * plaintext to a provider that asked for TLS.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, createClusterInvoker, DirectRegistry, RpcError, Server, silentLogger, type ProviderInfo } from "@rpcgen/runtime";
import { makeTestCa, type TestCa } from "./support/test-ca.js";
import { loadVault, vaultHandler, type VaultStubs } from "./support/vault.js";

let ca: TestCa;
let stubs: VaultStubs;
const servers: Server[] = [];
let tlsPort: number;
let plainPort: number;

beforeAll(async () => {
  ca = makeTestCa();
  stubs = await loadVault("cluster");
  const start = async (tls: boolean) => {
    const server = new Server({ logger: silentLogger, ...(tls ? { tls: { certFile: ca.server.cert, keyFile: ca.server.key, watch: false, reloadSignal: false } } : {}) });
    stubs.module["registerVault"](server, { ...vaultHandler(stubs.module), whoami: () => (tls ? "tls" : "plain") });
    servers.push(server);
    return (await server.listen({ host: "127.0.0.1", port: 0 })).port;
  };
  tlsPort = await start(true);
  plainPort = await start(false);
});

afterAll(async () => {
  for (const server of servers) await server.close({ graceMs: 0 });
  stubs?.dispose();
  ca?.remove();
});

const provider = (port: number, metadata: Record<string, string>): ProviderInfo => ({ service: "Vault", version: "1.0.0", address: `127.0.0.1:${port}`, weight: 100, metadata });

async function answers(options: Partial<Parameters<typeof createClusterInvoker>[0]>, providers: ProviderInfo[]): Promise<Map<string, number>> {
  const invoker = createClusterInvoker({
    service: stubs.module["VaultService"],
    registry: new DirectRegistry(providers, { logger: silentLogger }),
    balancer: "round-robin",
    policy: "failfast",
    logger: silentLogger,
    ...options,
  });
  const seen = new Map<string, number>();
  try {
    const vault = new stubs.module["VaultClient"](invoker);
    for (let i = 0; i < 10; i++) {
      const answer = await vault.whoami().catch((error: RpcError) => `error ${error.code}${/certificate/i.test(error.message) ? " (certificate)" : ""}`);
      seen.set(answer, (seen.get(answer) ?? 0) + 1);
    }
  } finally {
    await invoker.close();
  }
  return seen;
}

describe("a cluster client and TLS per provider", () => {
  it('providers: "advertised" calls the TLS provider over TLS and the other in plaintext (a mixed fleet)', async () => {
    const seen = await answers({ tls: { caFile: ca.ca, providers: "advertised" } }, [provider(tlsPort, { tls: "true" }), provider(plainPort, {})]);
    expect(seen).toEqual(new Map([["tls", 5], ["plain", 5]]));
  });

  it("with TLS always, a provider not advertising it gets no plaintext call: the registry cannot downgrade the client", async () => {
    const seen = await answers({ tls: { caFile: ca.ca } }, [provider(plainPort, {})]);
    expect([...seen.keys()].every((answer) => answer.startsWith(`error ${Code.UNAVAILABLE}`))).toBe(true);
  });

  it("a client without TLS settings still uses TLS for a provider that advertises it (and so needs the provider's CA trusted)", async () => {
    const seen = await answers({}, [provider(tlsPort, { tls: "true" })]);
    // The test CA is not among the system's: TLS was attempted, and the certificate refused
    // (the first call says so; later ones find the provider marked unreachable).
    expect(seen.has(`error ${Code.UNAVAILABLE} (certificate)`)).toBe(true);
    expect([...seen.keys()].every((answer) => answer.startsWith(`error ${Code.UNAVAILABLE}`))).toBe(true);
    expect(await answers({}, [provider(plainPort, {})])).toEqual(new Map([["plain", 10]]));
  });
});
