import type { CallOptions, Invoker } from "../call.js";
import type { MethodDescriptor, ServiceDescriptor } from "../descriptor.js";
import { Code, RpcError } from "../errors.js";
import { defaultLogger, type Logger } from "../logger.js";
import { runAttempt, type AttemptRequest, type Choice } from "./attempt.js";
import { untilAborted } from "./until-aborted.js";
import { DEFAULT_BACKOFF, type BackoffOptions } from "./backoff.js";
import { createBalancer } from "./balancer-factory.js";
import { Bulkhead, DEFAULT_BULKHEAD } from "./bulkhead.js";
import { CallScope } from "./call-scope.js";
import { DEFAULT_BREAKER_OPTIONS } from "./circuit-breaker.js";
import { checkClusterOptions } from "./check-cluster-options.js";
import type { ClusterInvokerOptions, FallbackFunction } from "./cluster-options.js";
import type { ClusterStats } from "./cluster-stats.js";
import { defaultTransportFactory } from "./default-transport.js";
import type { Endpoint } from "./endpoint.js";
import { DEFAULT_HEALTH_FAILURE_CODES, isDeclaredException, isServiceFailure } from "./failure-classification.js";
import type { LoadBalancer } from "./load-balancer.js";
import { resolveMethodPolicy, type MethodPolicy, type ServiceCallDefaults } from "./method-policy.js";
import { runForking, runSequential, type PolicyEnvironment } from "./policy-execution.js";
import { ProviderSet } from "./provider-set.js";
import { DEFAULT_RETRY_BUDGET, RetryBudget } from "./retry-budget.js";
import { routeKeyOf } from "./route-key.js";
import type { RandomSource } from "./seeded-random.js";
import { parseVersionRange } from "./version-selection.js";

/** Call deadline when neither the caller, a hint nor the options give one. */
export const DEFAULT_CALL_TIMEOUT_MS = 10_000;

/**
 * A governed client for one service: discovers providers through the registry,
 * keeps those in the version range, and runs every call through the bulkhead,
 * the fault policy (with retries, budget and shared deadline), the balancer and
 * the per-provider circuit breakers, degrading to a fallback when the call
 * cannot be served. A generated `XClient` takes it as its Invoker.
 */
export class ClusterInvoker implements Invoker {
  readonly service: ServiceDescriptor;
  private readonly providers: ProviderSet;
  private readonly started: Promise<void>;
  private readonly balancer: LoadBalancer;
  private readonly bulkhead: Bulkhead;
  private readonly budget: RetryBudget;
  private readonly backoff: BackoffOptions;
  private readonly defaults: ServiceCallDefaults;
  private readonly healthCodes: ReadonlySet<Code>;
  private readonly logger: Logger;
  private readonly random: RandomSource;
  private readonly now: () => number;
  private closed = false;
  private readonly counters = { calls: 0, failures: 0, retries: 0, retriesDenied: 0, fallbacks: 0 };

  constructor(private readonly options: ClusterInvokerOptions) {
    checkClusterOptions(options);
    this.service = options.service;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.logger = options.logger ?? defaultLogger();
    const range =
      options.versionRange === undefined ? undefined : parseVersionRange(options.versionRange, options.service.name);
    this.balancer =
      typeof options.balancer === "object"
        ? options.balancer
        : createBalancer(options.balancer ?? "random", this.random);
    this.bulkhead = new Bulkhead(options.service.name, overlay(DEFAULT_BULKHEAD, options.bulkhead));
    this.budget = new RetryBudget(overlay(DEFAULT_RETRY_BUDGET, options.retryBudget));
    this.backoff = overlay(DEFAULT_BACKOFF, options.backoff);
    this.defaults = {
      policy: options.policy ?? "failover",
      retries: options.retries ?? 2,
      idempotent: options.idempotent ?? false,
      timeoutMs: options.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS,
      forks: options.forks ?? 2,
    };
    const { failureCodes, ...breaker } = options.breaker ?? {};
    this.healthCodes = new Set(failureCodes ?? DEFAULT_HEALTH_FAILURE_CODES);
    this.providers = new ProviderSet({
      service: options.service.name,
      registry: options.registry,
      range,
      rangeText: options.versionRange,
      transportFactory: options.transportFactory ?? defaultTransportFactory(),
      breaker: overlay(DEFAULT_BREAKER_OPTIONS, breaker),
      logger: this.logger,
      now: this.now,
    });
    this.started = this.providers.start();
    // A failed start is reported to each call; keep it from being an unhandled rejection meanwhile.
    this.started.catch(() => {});
  }

  /** Resolves once the first provider list is known; rejects if the registry watch failed. */
  ready(): Promise<void> {
    return this.started;
  }

  async invoke(method: MethodDescriptor, args: readonly unknown[], options?: CallOptions): Promise<unknown> {
    if (this.closed) throw new RpcError(Code.UNAVAILABLE, `client of ${this.service.name} is closed`);
    const policy = resolveMethodPolicy(method, this.options.methods?.[method.name], this.defaults);
    const scope = new CallScope(method.fullName, options?.timeoutMs ?? policy.timeoutMs, options?.signal);
    const attempts: string[] = [];
    this.counters.calls += 1;
    this.budget.deposit();
    let release: (() => void) | undefined;
    try {
      await untilAborted(this.started, scope.signal).catch((error: unknown) => {
        throw error instanceof RpcError && scope.signal.aborted
          ? error
          : new RpcError(Code.UNAVAILABLE, `cannot discover providers of ${this.service.name}`, { cause: error });
      });
      release = await this.bulkhead.acquire(scope.signal);
      const env = this.environment(method, args, options, scope, attempts);
      return await (policy.policy === "forking" ? runForking(env, policy) : runSequential(env, policy));
    } catch (error) {
      return await this.recover(error, method, args, policy, scope, attempts);
    } finally {
      release?.();
      scope.dispose();
    }
  }

  /** A snapshot of the counters of the invoker and of each provider. */
  stats(): ClusterStats {
    return {
      service: this.service.name,
      versionRange: this.options.versionRange,
      balancer: this.balancer.name,
      policy: this.defaults.policy,
      ...this.counters,
      retryBudgetAvailable: this.budget.available,
      bulkhead: { inFlight: this.bulkhead.inFlight, queued: this.bulkhead.queued, rejected: this.bulkhead.rejected },
      providers: this.providers.members.map((e) => ({
        address: e.key,
        version: e.info.version,
        weight: e.info.weight,
        state: e.state,
        calls: e.calls,
        failures: e.failures,
        inFlight: e.inFlight,
        latencyEwmaMs: e.latencyEwmaMs,
      })),
    };
  }

  /** Stops watching the registry and closes every provider transport after its calls in flight. */
  async close(): Promise<void> {
    this.closed = true;
    await this.started.catch(() => {});
    await this.providers.close();
  }

  private environment(
    method: MethodDescriptor,
    args: readonly unknown[],
    options: CallOptions | undefined,
    scope: CallScope,
    attempts: string[],
  ): PolicyEnvironment {
    const request: AttemptRequest = {
      method,
      args,
      options,
      routeKey: routeKeyOf(method, args, options),
      attemptTimeoutMs: this.options.attemptTimeoutMs,
      remainingMs: () => scope.remainingMs(),
      healthCodes: this.healthCodes,
      now: this.now,
      attempts,
    };
    return {
      scope,
      select: (skip) => this.select(skip, request.routeKey),
      noProvider: () => this.providers.noProviderError(),
      attempt: (choice, signal) => runAttempt(request, choice, signal),
      budget: this.budget,
      backoff: this.backoff,
      random: this.random,
      onRetry: () => void (this.counters.retries += 1),
      onRetryDenied: () => void (this.counters.retriesDenied += 1),
    };
  }

  private select(skip: (endpoint: Endpoint) => boolean, routeKey: string | undefined): Choice | undefined {
    const members = this.providers.members;
    const candidates = members.filter((e) => e.canAccept() && !skip(e));
    if (candidates.length === 0) return undefined;
    const endpoint = this.balancer.pick(candidates, { routeKey, members });
    const permit = endpoint.breaker.acquire();
    // canAccept() was checked just above with no await in between, so the permit is there.
    return permit === undefined ? undefined : { endpoint, permit };
  }

  private async recover(
    error: unknown,
    method: MethodDescriptor,
    args: readonly unknown[],
    policy: MethodPolicy,
    scope: CallScope,
    attempts: readonly string[],
  ): Promise<unknown> {
    if (isDeclaredException(error)) throw error;
    this.counters.failures += 1;
    if (scope.cancelledByCaller) throw error;
    const fallback: FallbackFunction | undefined = this.options.fallbacks?.[method.name];
    const context = { service: this.service, method, attempts };
    if (policy.policy === "failsafe") {
      this.counters.fallbacks += 1;
      this.logger.warn(
        { service: this.service.name, method: method.name, attempts, err: error },
        fallback === undefined
          ? "failsafe: call failed, returning undefined"
          : "failsafe: call failed, returning the fallback",
      );
      return fallback === undefined ? undefined : await fallback(args, error, context);
    }
    if (fallback !== undefined && isServiceFailure(error)) {
      this.counters.fallbacks += 1;
      this.logger.info(
        { service: this.service.name, method: method.name, attempts, err: error },
        "call degraded to its fallback",
      );
      return await fallback(args, error, context);
    }
    throw error;
  }
}

/** `defaults` with the defined values of `partial` on top (an explicit undefined keeps the default). */
function overlay<T extends object>(defaults: T, partial: Partial<T> | undefined): T {
  const result = { ...defaults };
  for (const [key, value] of Object.entries(partial ?? {})) {
    if (value !== undefined) (result as Record<string, unknown>)[key] = value;
  }
  return result;
}

/** Creates a governed client for one service; see ClusterInvokerOptions. */
export function createClusterInvoker(options: ClusterInvokerOptions): ClusterInvoker {
  return new ClusterInvoker(options);
}
