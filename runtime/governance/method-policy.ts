import type { MethodDescriptor, Policy } from "../descriptor.js";

/** Per-method settings that config or code may set, overriding the IDL's `rpc.*` hints. */
export interface MethodOverrides {
  policy?: Policy;
  retries?: number;
  idempotent?: boolean;
  timeoutMs?: number;
  forks?: number;
}

/** Service-wide defaults for methods that neither config nor hints set. */
export interface ServiceCallDefaults {
  policy: Policy;
  retries: number;
  idempotent: boolean;
  timeoutMs: number | undefined;
  forks: number;
}

/** The settings a call runs with, after every layer has been applied. */
export type MethodPolicy = ServiceCallDefaults;

/**
 * Resolves a method's settings: per-method overrides (config or code) win, then
 * the method's IDL hints (`rpc.policy`, `rpc.retries`, `rpc.idempotent`,
 * `rpc.timeout`), then the service-wide defaults.
 */
export function resolveMethodPolicy(
  method: MethodDescriptor,
  overrides: MethodOverrides | undefined,
  defaults: ServiceCallDefaults,
): MethodPolicy {
  const hints = method.hints;
  return {
    policy: overrides?.policy ?? hints.policy ?? defaults.policy,
    retries: overrides?.retries ?? hints.retries ?? defaults.retries,
    idempotent: overrides?.idempotent ?? hints.idempotent ?? defaults.idempotent,
    timeoutMs: overrides?.timeoutMs ?? hints.timeoutMs ?? defaults.timeoutMs,
    forks: overrides?.forks ?? defaults.forks,
  };
}
