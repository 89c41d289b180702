/**
 * Builds the etcd3 client options. The defaults of etcd3 back off for a long time
 * (a watch took over 10 s to resume after etcd returned, and a host's circuit stays
 * open 5 s), so every delay here is capped at `maxReconnectDelayMs` (500 ms by
 * default) and discovery resumes within about a second of etcd coming back.
 */
import { circuitBreaker, ConsecutiveBreaker, ExponentialBackoff, handleWhen, retry } from "cockatiel";
import { Etcd3, isRecoverableError, type IOptions } from "etcd3";

/** What the etcd3 client needs from EtcdRegistryOptions, already validated. */
export interface EtcdClientSettings {
  endpoints: readonly string[];
  requestTimeoutMs: number;
  maxReconnectDelayMs: number;
  /** TLS material for https:// endpoints (a missing CA means the system's trusted CAs). */
  credentials?: { rootCertificate: Buffer | undefined; privateKey: Buffer | undefined; certChain: Buffer | undefined };
  /** etcd user and password. */
  auth?: { username: string; password: string };
}

/** The etcd3 `IOptions` for a registry client. */
export function etcdClientOptions(settings: EtcdClientSettings): IOptions {
  const { endpoints, requestTimeoutMs, maxReconnectDelayMs, credentials, auth } = settings;
  const recoverable = handleWhen(isRecoverableError);
  return {
    hosts: [...endpoints],
    // etcd3 types the CA as required; grpc-js takes null for "the system's trusted CAs".
    ...(credentials === undefined ? {} : { credentials: { ...credentials, rootCertificate: credentials.rootCertificate ?? (null as unknown as Buffer) } }),
    ...(auth === undefined ? {} : { auth: { username: auth.username, password: auth.password, callOptions: () => ({ deadline: Date.now() + requestTimeoutMs }) } }),
    faultHandling: {
      // Stop sending to a member after 3 consecutive failures (so a dead member of a
      // cluster costs nothing), but probe it again soon: etcd3's default is 5 s.
      host: () =>
        circuitBreaker(recoverable, {
          halfOpenAfter: maxReconnectDelayMs,
          breaker: new ConsecutiveBreaker(3),
        }),
      // Each retry picks another member, so a call survives one member being down.
      global: retry(recoverable, {
        maxAttempts: Math.max(2, endpoints.length),
        backoff: new ExponentialBackoff({ initialDelay: 20, maxDelay: Math.min(200, maxReconnectDelayMs) }),
      }),
      // etcd3's default grows to 30 s between watch stream reconnects. etcd3 types this
      // slot as a backoff but only ever calls next() on it, so a first step fits both.
      watchBackoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: maxReconnectDelayMs }).next(),
    },
    grpcOptions: {
      // gRPC's own connection backoff (default 1 s growing to 120 s) would otherwise
      // delay the first connection after etcd returns.
      "grpc.initial_reconnect_backoff_ms": Math.min(100, maxReconnectDelayMs),
      "grpc.max_reconnect_backoff_ms": maxReconnectDelayMs,
      // Notice a member that vanished without closing the connection. etcd refuses
      // pings more often than every 5 s (its --grpc-keepalive-min-time).
      "grpc.keepalive_time_ms": 10_000,
      "grpc.keepalive_timeout_ms": 5_000,
    },
    // Streams (watch, lease keepalive) live indefinitely; single requests must not hang.
    defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + requestTimeoutMs }),
  };
}

/**
 * A new etcd3 client (it connects lazily). This module is the one that loads etcd3
 * and cockatiel, so EtcdRegistry imports it dynamically, on first use.
 */
export function createEtcdClient(settings: EtcdClientSettings): Etcd3 {
  return new Etcd3(etcdClientOptions(settings));
}
