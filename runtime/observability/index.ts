export type { ObservabilityOptions } from "./observability-options.js";
export { ServerObservability } from "./server-observability.js";
export { HealthState, type ServingStatus } from "./health/health-state.js";
export { RpcMetrics, type MetricsOptions } from "./metrics/rpc-metrics.js";
export { defaultDurationBuckets } from "./metrics/call-histogram.js";
export { observeCluster, type ObservableCluster } from "./metrics/cluster-metrics.js";
export { serveMetrics, type MetricsListener } from "./metrics/metrics-listener.js";
export type { TracingOptions } from "./tracing/call-tracer.js";
export { observeClient, type ClientObservabilityOptions } from "./client-observability.js";
export { ReflectionService } from "./reflection/reflection-service.js";
export {
  describeServices,
  methodSignature,
  type ReflectionDocument,
  type ReflectedService,
  type ReflectedMethod,
  type ReflectedField,
  type ReflectedType,
} from "./reflection/reflection-schema.js";
export { descriptorsFromReflection, ReflectedException } from "./reflection/reflected-descriptors.js";
