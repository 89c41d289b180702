import type { CallOptions, Invoker } from "../call.js";
import type { MethodDescriptor, ServiceDescriptor } from "../descriptor.js";
import { Code, RpcError } from "../errors.js";
import { defaultLogger, type Logger } from "../logger.js";
import { startAttempt, type AttemptSettings } from "./attempt.js";
import { untilAborted } from "./until-aborted.js";
import { DEFAULT_BACKOFF, type BackoffOptions } from "./backoff.js";
import { createBalancer } from "./balancer-factory.js";
import { Bulkhead, DEFAULT_BULKHEAD } from "./bulkhead.js";
import { DEFAULT_BREAKER_OPTIONS } from "./circuit-breaker.js";
import { checkClusterOptions } from "./check-cluster-options.js";
import type { ClusterInvokerOptions, FallbackFunction } from "./cluster-options.js";
import type { ClusterStats } from "./cluster-stats.js";
import { channelTransportFactory, defaultTransportFactory } from "./default-transport.js";
import type { Endpoint } from "./endpoint.js";
import { GovernedCall } from "./governed-call.js";
import { DEFAULT_HEALTH_FAILURE_CODES, isDeclaredException, isServiceFailure } from "./failure-classification.js";
import type { LoadBalancer, PickContext } from "./load-balancer.js";
import { resolveMethodPolicy, type MethodPolicy, type ServiceCallDefaults } from "./method-policy.js";
import { continueAfterFailure, runPolicy, type PolicyEnvironment } from "./policy-execution.js";
import { ProviderSet } from "./provider-set.js";
import { DEFAULT_RETRY_BUDGET, RetryBudget } from "./retry-budget.js";
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
  /** True once the first provider list is in: calls then skip waiting for it. */
  private discovered = false;
  private calls = 0;
  private failures = 0;
  private retries = 0;
  private retriesDenied = 0;
  private requeues = 0;
  private fallbacks = 0;
  /** Resolved settings per method, computed on its first call. */
  private readonly policies = new Map<MethodDescriptor, MethodPolicy>();
  private lastMethod: MethodDescriptor | undefined;
  private lastPolicy: MethodPolicy | undefined;
  /** Shared by every call; per-call facts travel in the GovernedCall. */
  private readonly environment: PolicyEnvironment;
  private readonly attemptSettings: AttemptSettings;
  /** The balancer context of calls without a routing key, rebuilt only when membership changes. */
  private keylessPickContext: PickContext = { routeKey: undefined, members: [] };

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
      transportFactory:
        options.transportFactory ??
        (options.tls === undefined && options.token === undefined
          ? defaultTransportFactory()
          : channelTransportFactory({ ...(options.tls === undefined ? {} : { tls: options.tls }), ...(options.token === undefined ? {} : { token: options.token }) })),
      breaker: overlay(DEFAULT_BREAKER_OPTIONS, breaker),
      logger: this.logger,
      now: this.now,
    });
    this.started = this.providers.start();
    // A failed start is reported to each call; keep it from being an unhandled rejection meanwhile.
    this.started.then(
      () => (this.discovered = true),
      () => {},
    );
    this.attemptSettings = {
      attemptTimeoutMs: options.attemptTimeoutMs,
      healthCodes: this.healthCodes,
      now: options.now,
    };
    this.environment = {
      select: (call, skip) => this.select(call, skip),
      noProvider: () => this.providers.noProviderError(),
      attempt: (call, endpoint, cancel) => startAttempt(call, endpoint, cancel, undefined),
      budget: this.budget,
      backoff: this.backoff,
      random: this.random,
      onRetry: () => void (this.retries += 1),
      onRetryDenied: () => void (this.retriesDenied += 1),
      onRequeue: () => void (this.requeues += 1),
      recover: (error, call) => this.recover(error, call),
      release: (call) => {
        this.bulkhead.leave();
        call.dispose();
      },
      continueAfterFailure: (call, endpoint, error) => continueAfterFailure(this.environment, call, endpoint, error),
    };
  }

  /** Resolves once the first provider list is known; rejects if the registry watch failed. */
  ready(): Promise<void> {
    return this.started;
  }

  invoke(method: MethodDescriptor, args: readonly unknown[], options?: CallOptions): Promise<unknown> {
    if (this.closed) return Promise.reject(new RpcError(Code.UNAVAILABLE, `client of ${this.service.name} is closed`));
    const call = new GovernedCall(method, args, options, this.policyOf(method), this.attemptSettings);
    this.calls += 1;
    this.budget.deposit();
    // The usual call: providers known, not cancelled, a slot free. It goes straight to its policy, which
    // recovers and releases it too; answered at once, it gets the transport's own promise.
    if (this.discovered && call.callerSignal?.aborted !== true && this.bulkhead.tryEnter()) {
      return runPolicy(this.environment, call);
    }
    return this.admitThenRun(call);
  }

  /** A snapshot of the counters of the invoker and of each provider. */
  stats(): ClusterStats {
    return {
      service: this.service.name,
      versionRange: this.options.versionRange,
      balancer: this.balancer.name,
      policy: this.defaults.policy,
      calls: this.calls,
      failures: this.failures,
      retries: this.retries,
      retriesDenied: this.retriesDenied,
      requeues: this.requeues,
      fallbacks: this.fallbacks,
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

  /** A call that must wait for discovery or a bulkhead slot, or was cancelled before it began. */
  private async admitThenRun(call: GovernedCall): Promise<unknown> {
    try {
      // A call already cancelled makes no attempt (the scope's signal carries the CANCELLED error).
      if (call.callerSignal?.aborted === true) throw call.signal.reason;
      if (!this.discovered) {
        call.waited();
        await this.discovery(call);
      }
      if (!this.bulkhead.tryEnter()) {
        call.waited();
        await this.bulkhead.enter(call);
      }
    } catch (error) {
      try {
        return await this.recover(error, call);
      } finally {
        call.dispose();
      }
    }
    return await runPolicy(this.environment, call);
  }

  /** Waits for the first provider list, within the call's deadline and cancellation. */
  private async discovery(scope: GovernedCall): Promise<void> {
    try {
      await untilAborted(this.started, scope.signal);
    } catch (error) {
      throw error instanceof RpcError && scope.signal.aborted
        ? error
        : new RpcError(Code.UNAVAILABLE, `cannot discover providers of ${this.service.name}`, { cause: error });
    }
  }

  private policyOf(method: MethodDescriptor): MethodPolicy {
    // Calls often repeat one method: that one is found without the map.
    if (method === this.lastMethod) return this.lastPolicy!;
    let policy = this.policies.get(method);
    if (policy === undefined) {
      policy = resolveMethodPolicy(method, this.options.methods?.[method.name], this.defaults);
      this.policies.set(method, policy);
    }
    this.lastMethod = method;
    this.lastPolicy = policy;
    return policy;
  }

  /**
   * The balancer's pick among the members that can take a call and that `skip`
   * (if any) lets through. When all can (the usual case), the members array
   * itself is the candidate list: nothing is allocated.
   */
  private select(call: GovernedCall, skip: ((endpoint: Endpoint) => boolean) | undefined): Endpoint | undefined {
    const members = this.providers.members;
    let candidates: readonly Endpoint[] = members;
    for (let i = 0; i < members.length; i++) {
      const member = members[i]!;
      if (member.canAccept() && (skip === undefined || !skip(member))) continue;
      candidates = members.filter((e) => e.canAccept() && (skip === undefined || !skip(e)));
      break;
    }
    if (candidates.length === 0) return undefined;
    return this.balancer.pick(candidates, this.pickContext(call.routeKey, members));
  }

  private pickContext(routeKey: string | undefined, members: readonly Endpoint[]): PickContext {
    if (routeKey !== undefined) return { routeKey, members };
    if (this.keylessPickContext.members !== members) this.keylessPickContext = { routeKey: undefined, members };
    return this.keylessPickContext;
  }

  private async recover(error: unknown, call: GovernedCall): Promise<unknown> {
    if (isDeclaredException(error)) throw error;
    this.failures += 1;
    if (call.cancelledByCaller) throw error;
    const { method, args, attempts } = call;
    const fallback: FallbackFunction | undefined = this.options.fallbacks?.[method.name];
    const context = { service: this.service, method, attempts };
    if (call.policy.policy === "failsafe") {
      this.fallbacks += 1;
      this.logger.warn(
        { service: this.service.name, method: method.name, attempts, err: error },
        fallback === undefined
          ? "failsafe: call failed, returning undefined"
          : "failsafe: call failed, returning the fallback",
      );
      return fallback === undefined ? undefined : await fallback(args, error, context);
    }
    if (fallback !== undefined && isServiceFailure(error)) {
      this.fallbacks += 1;
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
