/**
 * The registry on a secured etcd: one started with `--cert-file/--key-file/
 * --trusted-ca-file` and `--client-cert-auth` (https, client certificates), and
 * one with authentication enabled through `etcdctl` (user, role, `auth
 * enable`). A TLS provider with a token registers itself there, and a cluster
 * client finds it through the same secured etcd and calls it over TLS.
 */
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clusterOptionsFromConfig, ConfigError, createClusterInvoker, createRegistryFromConfig, EtcdRegistry, parseConfig, serverSettingsFromConfig, publishServer, Server, silentLogger, staticTokenAuthenticator, type ProviderInfo } from "@rpcgen/runtime";
import { startEtcd, type EtcdCluster } from "../support/etcd-cluster.js";
import { watchUntil } from "../registry/watch-until.js";
import { capturingLogger } from "../runtime/transport/harness.js";
import { makeTestCa, type TestCa } from "./support/test-ca.js";
import { loadVault, vaultHandler, type VaultStubs } from "./support/vault.js";

const run = promisify(execFile);

let ca: TestCa;
let stubs: VaultStubs;
let tlsEtcd: EtcdCluster;
let authEtcd: EtcdCluster;
const etcdPassword = "etcd-pw-7f3a";

beforeAll(async () => {
  ca = makeTestCa();
  stubs = await loadVault("etcd");
  tlsEtcd = await startEtcd({
    members: 1,
    tls: { certFile: ca.server.cert, keyFile: ca.server.key, caFile: ca.ca, clientCertAuth: true, client: { certFile: ca.client.cert, keyFile: ca.client.key } },
  });
  authEtcd = await startEtcd({ members: 1 });
  const etcdctl = (...args: string[]) => run("etcdctl", [`--endpoints=${authEtcd.endpoints[0]}`, ...args], { env: { ...process.env, ETCDCTL_API: "3" } });
  await etcdctl("user", "add", "root:root-pw-1c9e");
  await etcdctl("user", "add", `rpcgen:${etcdPassword}`);
  await etcdctl("role", "add", "rpcgen");
  await etcdctl("role", "grant-permission", "rpcgen", "--prefix=true", "readwrite", "/rpcgen-secured/");
  await etcdctl("user", "grant-role", "rpcgen", "rpcgen");
  await etcdctl("auth", "enable");
}, 90_000);

afterAll(async () => {
  await tlsEtcd?.stop();
  await authEtcd?.stop();
  stubs?.dispose();
  ca?.remove();
});

const provider = (port: number): ProviderInfo => ({ service: "Vault", version: "1.0.0", address: `127.0.0.1:${port}`, weight: 100, metadata: {} });

describe("EtcdRegistry with https:// endpoints and a client certificate", { timeout: 60_000 }, () => {
  it("registers and watches through etcd's --client-cert-auth", async () => {
    const tls = { caFile: ca.ca, certFile: ca.client.cert, keyFile: ca.client.key };
    expect(tlsEtcd.endpoints[0]).toMatch(/^https:\/\//);
    const server = new EtcdRegistry({ endpoints: tlsEtcd.endpoints, tls, prefix: "/rpcgen-tls", ttlSeconds: 2, logger: silentLogger });
    const client = new EtcdRegistry({ endpoints: tlsEtcd.endpoints, tls, prefix: "/rpcgen-tls", logger: silentLogger });
    try {
      const watch = await client.watch("Vault");
      await server.register(provider(7101));
      const [seen] = await watchUntil(watch, (list) => list.length === 1, "the provider");
      expect(seen!.address).toBe("127.0.0.1:7101");
    } finally {
      await server.close();
      await client.close();
    }
  });

  it("without a client certificate etcd refuses the registry", async () => {
    const registry = new EtcdRegistry({ endpoints: tlsEtcd.endpoints, tls: { caFile: ca.ca }, prefix: "/rpcgen-tls", requestTimeoutMs: 500, logger: silentLogger });
    try {
      await expect(registry.watch("Vault")).rejects.toThrow();
    } finally {
      await registry.close();
    }
  });
});

describe("EtcdRegistry with etcd's user/password authentication", { timeout: 60_000 }, () => {
  it("a TLS provider with a token registers in the secured etcd; a cluster client finds it there and calls it over TLS", async () => {
    const registryOptions = { endpoints: authEtcd.endpoints, auth: { username: "rpcgen", password: etcdPassword }, prefix: "/rpcgen-secured" };
    const logger = capturingLogger();
    const providerRegistry = new EtcdRegistry({ ...registryOptions, ttlSeconds: 2, logger });
    const server = new Server({
      logger: silentLogger,
      tls: { certFile: ca.server.cert, keyFile: ca.server.key, watch: false, reloadSignal: false },
      auth: { authenticate: staticTokenAuthenticator([{ token: "cluster-token", id: "frontend" }]) },
    });
    stubs.module["registerVault"](server, vaultHandler(stubs.module));
    const published = await publishServer({ server, registry: providerRegistry, services: [{ descriptor: stubs.module["VaultService"] }] });
    expect(published.providers[0]!.metadata).toEqual({ tls: "true" });
    const clientRegistry = new EtcdRegistry({ ...registryOptions, logger });
    const invoker = createClusterInvoker({
      service: stubs.module["VaultService"],
      registry: clientRegistry,
      tls: { caFile: ca.ca },
      token: "cluster-token",
      logger: silentLogger,
    });
    try {
      const vault = new stubs.module["VaultClient"](invoker);
      expect(await vault.whoami()).toBe("frontend|-");
      expect(await vault.add(20, 22)).toBe(42);
    } finally {
      await invoker.close();
      await clientRegistry.close();
      await published.close({ graceMs: 0 });
      await providerRegistry.close();
    }
    // The etcd password is never in what the registry logs.
    expect(JSON.stringify(logger.entries)).not.toContain(etcdPassword);
  });

  it("a wrong password is refused, and the error does not carry it", async () => {
    const registry = new EtcdRegistry({
      endpoints: authEtcd.endpoints,
      auth: { username: "rpcgen", password: "not-the-password" },
      prefix: "/rpcgen-secured",
      requestTimeoutMs: 1000,
      logger: silentLogger,
    });
    try {
      const error = await registry.watch("Vault").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(/auth|password|user/i);
      expect((error as Error).message).not.toContain("not-the-password");
    } finally {
      await registry.close();
    }
  });

  it("without credentials etcd refuses to list the providers", async () => {
    const registry = new EtcdRegistry({ endpoints: authEtcd.endpoints, prefix: "/rpcgen-secured", requestTimeoutMs: 1000, logger: silentLogger });
    try {
      await expect(registry.watch("Vault")).rejects.toThrow();
    } finally {
      await registry.close();
    }
  });
});

describe("EtcdRegistry options", () => {
  it("unknown keys are an error, and so are tls with http:// endpoints and mixed schemes; the password is never in a message", () => {
    const attempt = (options: Record<string, unknown>) => {
      try {
        new EtcdRegistry({ endpoints: ["https://127.0.0.1:2379"], ...options } as never);
        return "accepted";
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect(attempt({ credentials: { password: "x" } })).toMatch(/unknown option "credentials"/);
    expect(attempt({ auth: { username: "u", password: "p4ss", role: "r" } })).toMatch(/unknown option "auth.role"/);
    expect(attempt({ auth: { username: "", password: "p4ss" } })).not.toContain("p4ss");
    expect(attempt({ endpoints: ["http://127.0.0.1:2379"], tls: { caFile: ca.ca } })).toMatch(/https/);
    expect(attempt({ endpoints: ["http://127.0.0.1:2379", "https://127.0.0.1:2380"] })).toMatch(/must all be http:\/\/ or all https:\/\//);
    expect(attempt({ tls: { certFile: ca.client.cert } })).toMatch(/needs its key/);
    expect(attempt({ tls: { caFile: ca.ca }, auth: { username: "u", password: "p" } })).toBe("accepted");
  });
});

describe("the same from a YAML configuration", { timeout: 60_000 }, () => {
  it("registry, server and client security come from the file; secrets from the environment and from files", async () => {
    const passwordFile = join(ca.dir, "etcd-password");
    writeFileSync(passwordFile, `${etcdPassword}\n`);
    process.env["RPCGEN_TEST_TOKEN"] = "yaml-token";
    const yaml = `
application: { name: vault }
registry:
  protocol: etcd
  endpoints: [${authEtcd.endpoints[0]}]
  prefix: /rpcgen-secured
  auth: { username: rpcgen, password: { file: ${passwordFile} } }
server:
  address: 127.0.0.1:0
  services: [{ name: Vault, version: 1.0.0 }]
  tls: { certFile: ${ca.server.cert}, keyFile: ${ca.server.key}, caFile: ${ca.ca} }
  auth:
    tokens:
      - { id: yaml-client, token: { env: RPCGEN_TEST_TOKEN } }
client:
  defaults:
    tls: { caFile: ${ca.ca}, certFile: ${ca.client.cert}, keyFile: ${ca.client.key} }
    token: { env: RPCGEN_TEST_TOKEN }
`;
    const config = parseConfig(yaml, "vault.yaml");
    const registry = createRegistryFromConfig(config, { logger: silentLogger });
    const settings = serverSettingsFromConfig(config)!;
    const server = new Server({ ...settings.serverOptions, logger: silentLogger });
    stubs.module["registerVault"](server, vaultHandler(stubs.module));
    const published = await publishServer({ server, registry, listen: settings.listen, services: [{ descriptor: stubs.module["VaultService"] }] });
    expect(settings.providers(published.address)[0]!.metadata).toEqual({ tls: "true" });
    const invoker = createClusterInvoker(clusterOptionsFromConfig(config, stubs.module["VaultService"], registry, { logger: silentLogger }));
    try {
      expect(await new stubs.module["VaultClient"](invoker).whoami()).toBe("yaml-client|client-a");
    } finally {
      await invoker.close();
      await published.close({ graceMs: 0 });
      await registry.close();
      delete process.env["RPCGEN_TEST_TOKEN"];
    }
  });

  it("a secret written in the file is refused without being repeated; a missing one names where it was looked for", () => {
    const refused = (() => {
      try {
        parseConfig("application: { name: a }\nregistry: { protocol: etcd, endpoints: [http://x:1], auth: { username: u, password: hunter2 } }\n");
        return undefined;
      } catch (error) {
        return error as ConfigError;
      }
    })();
    expect(refused).toBeInstanceOf(ConfigError);
    expect(refused!.message).toMatch(/registry\.auth\.password: expected \{ env: NAME \} or \{ file: PATH \}/);
    expect(refused!.message).not.toContain("hunter2");
    const config = parseConfig("application: { name: a }\nregistry: { protocol: etcd, endpoints: [http://x:1], auth: { username: u, password: { env: RPCGEN_UNSET_VARIABLE } } }\n");
    expect(() => createRegistryFromConfig(config)).toThrow(/registry\.auth\.password: environment variable RPCGEN_UNSET_VARIABLE is not set/);
    expect(() => parseConfig("application: { name: a }\nregistry: { protocol: direct, tls: { caFile: x } }\n")).toThrow(/registry\.tls: expected only with protocol etcd/);
  });
});
