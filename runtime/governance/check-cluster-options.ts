import { Code, RpcError } from "../errors.js";
import type { ClusterInvokerOptions } from "./cluster-options.js";
import { BALANCER_NAMES } from "./load-balancer.js";

const POLICIES = ["failfast", "failtry", "failover", "failsafe", "forking"];

/**
 * Checks options given in code, which skip the config file's schema, so that a
 * bad number (a bulkhead of 0, a ratio of 5) fails at creation with the option
 * named instead of deadlocking or misbehaving later. Throws INVALID_ARGUMENT.
 */
export function checkClusterOptions(options: ClusterInvokerOptions): void {
  const problems: string[] = [];
  const where = `ClusterInvoker options for ${options.service?.name ?? "(no service)"}`;
  const whole = (name: string, value: number | undefined, min: number) => {
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= min)) {
      problems.push(`${name}: expected a whole number ≥ ${min}, got ${String(value)}`);
    }
  };
  const ratio = (name: string, value: number | undefined) => {
    if (value !== undefined && !(typeof value === "number" && value >= 0 && value <= 1)) {
      problems.push(`${name}: expected a ratio between 0 and 1, got ${String(value)}`);
    }
  };
  if (options.service === undefined || typeof options.service.name !== "string")
    problems.push("service: expected a ServiceDescriptor");
  if (options.registry === undefined) problems.push("registry: expected a Registry");
  if (options.policy !== undefined && !POLICIES.includes(options.policy)) {
    problems.push(`policy: expected one of ${POLICIES.join(", ")}, got ${String(options.policy)}`);
  }
  if (typeof options.balancer === "string" && !BALANCER_NAMES.includes(options.balancer)) {
    problems.push(`balancer: expected one of ${BALANCER_NAMES.join(", ")}, got ${options.balancer}`);
  }
  whole("retries", options.retries, 0);
  whole("timeoutMs", options.timeoutMs, 1);
  whole("attemptTimeoutMs", options.attemptTimeoutMs, 1);
  whole("forks", options.forks, 1);
  whole("bulkhead.maxConcurrent", options.bulkhead?.maxConcurrent, 1);
  whole("bulkhead.maxQueue", options.bulkhead?.maxQueue, 0);
  whole("breaker.maxErrorCount", options.breaker?.maxErrorCount, 1);
  whole("breaker.minCalls", options.breaker?.minCalls, 1);
  whole("breaker.windowMs", options.breaker?.windowMs, 1);
  whole("breaker.probeIntervalMs", options.breaker?.probeIntervalMs, 1);
  ratio("breaker.errorRatio", options.breaker?.errorRatio);
  ratio("retryBudget.ratio", options.retryBudget?.ratio);
  whole("retryBudget.burst", options.retryBudget?.burst, 0);
  whole("backoff.baseMs", options.backoff?.baseMs, 0);
  whole("backoff.maxMs", options.backoff?.maxMs, 0);
  for (const [method, overrides] of Object.entries(options.methods ?? {})) {
    if (options.service?.methods !== undefined && !(method in options.service.methods)) {
      problems.push(`methods.${method}: ${options.service.name} has no method ${method}`);
    }
    whole(`methods.${method}.retries`, overrides.retries, 0);
    whole(`methods.${method}.timeoutMs`, overrides.timeoutMs, 1);
    whole(`methods.${method}.forks`, overrides.forks, 1);
    if (overrides.policy !== undefined && !POLICIES.includes(overrides.policy)) {
      problems.push(
        `methods.${method}.policy: expected one of ${POLICIES.join(", ")}, got ${String(overrides.policy)}`,
      );
    }
  }
  for (const method of Object.keys(options.fallbacks ?? {})) {
    if (options.service?.methods !== undefined && !(method in options.service.methods)) {
      problems.push(`fallbacks.${method}: ${options.service.name} has no method ${method}`);
    }
  }
  if (problems.length > 0) {
    throw new RpcError(Code.INVALID_ARGUMENT, `${where}: ${problems.join("; ")}`);
  }
}
