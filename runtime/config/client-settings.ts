import type { RpcgenConfig, ServiceClientConfig } from "./config-schema.js";

/**
 * The client settings of one service: `client.defaults` overlaid with
 * `client.services.<name>`, nested groups (breaker, bulkhead, ...) merged key
 * by key so a service can change one threshold and keep the other defaults.
 */
export function clientSettingsFor(config: RpcgenConfig, serviceName: string): ServiceClientConfig {
  const defaults = config.client?.defaults ?? {};
  const own = config.client?.services?.[serviceName] ?? {};
  return {
    ...defaults,
    ...own,
    breaker: merge(defaults.breaker, own.breaker),
    bulkhead: merge(defaults.bulkhead, own.bulkhead),
    retryBudget: merge(defaults.retryBudget, own.retryBudget),
    backoff: merge(defaults.backoff, own.backoff),
    methods: own.methods ?? {},
  };
}

function merge<T extends object>(base: T | undefined, override: T | undefined): T | undefined {
  if (base === undefined) return override;
  if (override === undefined) return base;
  return { ...base, ...override };
}
