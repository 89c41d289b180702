import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientSettingsFor, clusterOptionsFromConfig, ConfigError, createRegistryFromConfig, defineConfig, DirectRegistry, loadConfig, parseConfig, serverSettingsFromConfig, type ServiceDescriptor } from "@rpcgen/runtime";

const fullConfig = `
application:
  name: calculator-demo
registry:
  protocol: direct
  providers:
    - service: Calculator
      version: 1.2.0
      address: 127.0.0.1:9090
      weight: 50
      metadata: { zone: a }
server:
  address: 0.0.0.0:9090
  advertiseAddress: 10.0.0.5:9090
  codec: json
  workers: 2
  shutdownGraceMs: 5000
  services:
    - name: Calculator
      version: 1.2.0
  limits:
    maxConnections: 100
    maxFrameBytes: 1048576
client:
  defaults:
    policy: failover
    retries: 2
    breaker: { maxErrorCount: 5, probeIntervalMs: 500 }
    bulkhead: { maxConcurrent: 64, maxQueue: 32 }
  services:
    Calculator:
      versionRange: ">=1.0 <2"
      codec: binary
      balancer: round-robin
      timeoutMs: 1500
      attemptTimeoutMs: 500
      poolSize: 2
      breaker: { maxErrorCount: 3, failureCodes: [UNAVAILABLE] }
      retryBudget: { ratio: 0.1, burst: 5 }
      methods:
        add: { idempotent: true, retries: 3 }
        calculate: { policy: failfast }
`;

function errorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("parseConfig", () => {
  it("reads every section of a valid file", () => {
    const config = parseConfig(fullConfig, "calc.yaml");
    expect(config.application.name).toBe("calculator-demo");
    expect(config.registry.providers?.[0]).toMatchObject({
      service: "Calculator",
      weight: 50,
      metadata: { zone: "a" },
    });
    expect(config.server?.limits?.maxConnections).toBe(100);
    expect(config.client?.services?.["Calculator"]?.methods?.["add"]).toEqual({ idempotent: true, retries: 3 });
  });

  it("applies defaults: the registry is direct when not given", () => {
    const config = parseConfig("application: { name: x }\n");
    expect(config.registry).toEqual({ protocol: "direct" });
  });

  it("names the file and key path of a bad value, with what was expected and found", () => {
    const yaml = fullConfig.replace("retries: 3", 'retries: "two"');
    const error = errorOf(() => parseConfig(yaml, "config.yaml"));
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]).toMatchObject({ path: "client.services.Calculator.methods.add.retries" });
    expect(error.message).toMatch(
      /^config\.yaml: client\.services\.Calculator\.methods\.add\.retries: expected a whole number ≥ 0, got "two" \(line \d+, column \d+\)$/,
    );
  });

  it("points at the line of the bad value", () => {
    const yaml = "application:\n  name: x\nclient:\n  services:\n    Calculator:\n      retries: two\n";
    const error = errorOf(() => parseConfig(yaml, "config.yaml"));
    expect(error.message).toBe(
      'config.yaml: client.services.Calculator.retries: expected a whole number ≥ 0, got "two" (line 6, column 16)',
    );
  });

  it("reports every problem at once", () => {
    const yaml = [
      "application: {}",
      "registry: { protocol: etcd }",
      "client:",
      "  services:",
      "    Calculator:",
      "      retries: -1",
      "      balancer: fastest",
      "      versionRange: '>=banana'",
      "      breaker: { errorRatio: 2, maxErrorCont: 3 }",
    ].join("\n");
    const paths = errorOf(() => parseConfig(yaml)).issues.map((i) => `${i.path}: ${i.message}`);
    expect([...paths].sort()).toEqual(
      [
        "application.name: is required: expected an application name",
        "registry.endpoints: is required: expected at least one etcd endpoint when protocol is etcd",
        'client.services.Calculator.versionRange: expected a semver range such as ">=1.0 <2", got ">=banana"',
        'client.services.Calculator.balancer: expected one of "random", "round-robin", "least-pending", "consistent-hash", "p2c-latency", got "fastest"',
        "client.services.Calculator.retries: expected a whole number ≥ 0, got -1",
        "client.services.Calculator.breaker.errorRatio: expected a ratio between 0 and 1, got 2",
        "client.services.Calculator.breaker.maxErrorCont: unknown key",
      ].sort(),
    );
  });

  it("rejects unknown keys at the top level and in lists, naming them", () => {
    const yaml =
      "application: { name: x }\nregistri: {}\nregistry:\n  providers:\n    - { service: S, version: 1.0.0, address: 'nohost' }\n";
    const error = errorOf(() => parseConfig(yaml, "c.yaml"));
    expect(error.message).toContain("c.yaml: registri: unknown key (line 2, column 1)");
    expect(error.message).toContain(
      'c.yaml: registry.providers[0].address: expected an address "host:port", got "nohost"',
    );
  });

  it("reports YAML syntax errors with their position", () => {
    const error = errorOf(() => parseConfig("application:\n  name: [unclosed\n", "bad.yaml"));
    expect(error.issues[0]!.message).toMatch(/^invalid YAML: /);
    expect(error.issues[0]!.line).toBeGreaterThan(0);
    expect(error.message.startsWith("bad.yaml: invalid YAML")).toBe(true);
  });
});

describe("loadConfig", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "rpcgen-config-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("loads a file and names it in errors", async () => {
    const good = join(dir, "good.yaml");
    await writeFile(good, fullConfig);
    await expect(loadConfig(good)).resolves.toMatchObject({ application: { name: "calculator-demo" } });
    const bad = join(dir, "bad.yaml");
    await writeFile(bad, "application: { name: 7 }\n");
    await expect(loadConfig(bad)).rejects.toThrow(`${bad}: application.name: expected an application name, got 7`);
    await expect(loadConfig(join(dir, "missing.yaml"))).rejects.toThrow(
      "cannot read the configuration: file not found",
    );
  });
});

describe("the same options in code", () => {
  it("validates a config object with the same messages", () => {
    expect(() => defineConfig({ application: { name: "x" }, client: { defaults: { poolSize: 0 } } }, "app.ts")).toThrow(
      "app.ts: client.defaults.poolSize: expected a whole number ≥ 1, got 0",
    );
  });
});

describe("turning the config into runtime objects", () => {
  const calculator: ServiceDescriptor = {
    name: "Calculator",
    qualifiedName: "tutorial.Calculator",
    version: "1.2.0",
    parent: undefined,
    methods: {},
    annotations: {},
  };

  it("overlays service settings on client defaults, group by group", () => {
    const settings = clientSettingsFor(parseConfig(fullConfig), "Calculator");
    expect(settings.breaker).toEqual({ maxErrorCount: 3, probeIntervalMs: 500, failureCodes: ["UNAVAILABLE"] });
    expect(settings.bulkhead).toEqual({ maxConcurrent: 64, maxQueue: 32 });
    expect(settings.policy).toBe("failover");
    expect(clientSettingsFor(parseConfig(fullConfig), "Other").retries).toBe(2);
  });

  it("builds a direct registry with the listed providers", async () => {
    const registry = createRegistryFromConfig(parseConfig(fullConfig));
    expect(registry).toBeInstanceOf(DirectRegistry);
    const watch = await registry.watch("Calculator");
    expect(watch.providers.map((p) => [p.address, p.version, p.weight])).toEqual([["127.0.0.1:9090", "1.2.0", 50]]);
    await registry.close();
  });

  it("builds cluster invoker options", async () => {
    const config = parseConfig(fullConfig);
    const registry = createRegistryFromConfig(config);
    const options = clusterOptionsFromConfig(config, calculator, registry);
    expect(options).toMatchObject({
      versionRange: ">=1.0 <2",
      balancer: "round-robin",
      policy: "failover",
      retries: 2,
      timeoutMs: 1500,
      attemptTimeoutMs: 500,
      breaker: { maxErrorCount: 3, probeIntervalMs: 500, failureCodes: ["UNAVAILABLE"] },
      retryBudget: { ratio: 0.1, burst: 5 },
      methods: { add: { idempotent: true, retries: 3 }, calculate: { policy: "failfast" } },
    });
    expect(typeof options.transportFactory).toBe("function");
    await registry.close();
  });

  it("derives server options and the registrations, advertising the codec", () => {
    const server = serverSettingsFromConfig(parseConfig(fullConfig))!;
    expect(server.listen).toEqual({ host: "0.0.0.0", port: 9090, workers: 2 });
    expect(server.serverOptions).toEqual({ maxConnections: 100, maxFrameBytes: 1048576 });
    expect(server.shutdownGraceMs).toBe(5000);
    expect(server.providers("0.0.0.0:41000")).toEqual([
      { service: "Calculator", version: "1.2.0", address: "10.0.0.5:9090", weight: 100, metadata: { codec: "json" } },
    ]);
    expect(serverSettingsFromConfig(parseConfig("application: { name: x }\n"))).toBeUndefined();
  });
});
