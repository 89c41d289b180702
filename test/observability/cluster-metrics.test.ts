import { Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { Code, DirectRegistry, RpcError, createClusterInvoker, observeCluster, silentLogger } from "@rpcgen/runtime";
import { CalculatorClient, CalculatorService } from "../../examples/calculator/gen/calculator.js";
import { Cleanup, sample, startCalculator } from "./support.js";

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

describe("cluster metrics", () => {
  it("export each provider's state, attempts and failures, the retries, and the registry watch", async () => {
    const healthy = await startCalculator(cleanup);
    const failing = await startCalculator(cleanup, {
      interceptors: [
        () => async () => {
          throw new RpcError(Code.UNAVAILABLE, "this provider is failing");
        },
      ],
    });
    const registry = new Registry();
    const providers = new DirectRegistry(
      [healthy.address, failing.address].map((address) => ({ service: CalculatorService.name, version: "1.0.0", address })),
      { logger: silentLogger },
    );
    const invoker = createClusterInvoker({ service: CalculatorService, registry: providers, balancer: "round-robin", policy: "failover", retries: 2, logger: silentLogger });
    cleanup.add(() => invoker.close());
    observeCluster(invoker, { registry });
    const before = await registry.metrics();
    const watchStates = ["discovering", "watching", "failed"].map((state) => sample(before, "rpc_client_registry_watch_state", { rpc_service: "Calculator", state }));
    expect(watchStates.filter((value) => value === 1)).toHaveLength(1);
    expect(watchStates.filter((value) => value === 0)).toHaveLength(2);

    const client = new CalculatorClient(invoker);
    for (let i = 0; i < 6; i++) expect(await client.add(i, 1)).toBe(i + 1);

    const text = await registry.metrics();
    const stats = invoker.stats();
    expect(stats.retries).toBeGreaterThan(0);
    expect(sample(text, "rpc_client_retries_total", { rpc_service: "Calculator" })).toBe(stats.retries);
    expect(sample(text, "rpc_client_registry_watch_state", { rpc_service: "Calculator", state: "watching" })).toBe(1);
    expect(sample(text, "rpc_client_registry_watch_state", { rpc_service: "Calculator", state: "failed" })).toBe(0);
    expect(sample(text, "rpc_client_registry_providers", { rpc_service: "Calculator" })).toBe(2);
    expect(sample(text, "rpc_client_provider_failures_total", { provider: failing.address })).toBeGreaterThan(0);
    expect(sample(text, "rpc_client_provider_failures_total", { provider: healthy.address })).toBe(0);
    expect(sample(text, "rpc_client_provider_attempts_total", { provider: healthy.address })).toBe(6);
    for (const provider of stats.providers) {
      // One state is 1, the others 0.
      const states = ["closed", "half-open", "breaker-open", "unreachable", "draining", "removed"].map(
        (state) => sample(text, "rpc_client_provider_state", { provider: provider.address, state }),
      );
      expect(states.filter((value) => value === 1)).toHaveLength(1);
      expect(sample(text, "rpc_client_provider_state", { provider: provider.address, state: provider.state })).toBe(1);
    }
  });
});
