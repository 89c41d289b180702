import type { CaseSpec, Framework, ServerSpec, Workload } from "./case-spec.js";

/** Sizes of a run: the default suite fits in ~10 minutes on a 2-core machine. */
export interface MatrixSize {
  quick: boolean;
  repetitions: number;
}

const inFlightLevels = [1, 64, 256];

const server = (framework: Framework, workers = 0): ServerSpec => ({
  framework,
  workers,
});

/** The peers at their one-connection default, with the codec each is measured with. */
const peers: Array<{ framework: Framework; codec: string }> = [
  { framework: "rpcgen", codec: "binary" },
  { framework: "rpcgen", codec: "json" },
  { framework: "rpcgen", codec: "resp" },
  { framework: "grpc-js", codec: "protobuf" },
  { framework: "thrift", codec: "binary" },
  { framework: "raw", codec: "json" },
];

/** Call bounds of a workload at a concurrency (see CaseSpec.calls). */
function callCounts(
  workload: Workload,
  concurrency: number,
  quick: boolean,
): { calls: number; warmupCalls: number; repSeconds: number } {
  const repSeconds = quick ? 0.6 : 1.5;
  if (workload === "1mib") return { calls: 2000, warmupCalls: 20, repSeconds };
  if (workload === "structs")
    return { calls: 50_000, warmupCalls: 300, repSeconds };
  if (concurrency === 1)
    return { calls: 200_000, warmupCalls: quick ? 500 : 1000, repSeconds };
  return { calls: 1_000_000, warmupCalls: quick ? 3000 : 6000, repSeconds };
}

/** Every case of a run, in run order (cases sharing a server are adjacent). */
export function buildMatrix(size: MatrixSize): CaseSpec[] {
  const repetitions = size.repetitions;
  const make = (
    serverSpec: ServerSpec,
    codec: string,
    workload: Workload,
    connections: number,
    concurrency: number,
    extra: Partial<CaseSpec> = {},
  ): CaseSpec => ({
    server: serverSpec,
    codec,
    workload,
    connections,
    concurrency,
    repetitions,
    ...callCounts(workload, concurrency, size.quick),
    ...extra,
  });
  const cases: CaseSpec[] = [];
  for (const peer of peers) {
    for (const inFlight of inFlightLevels)
      cases.push(make(server(peer.framework), peer.codec, "echo", 1, inFlight));
  }
  // grpc-js's client against rpcgen's gRPC side; the grpc-js row above is the same client against a grpc-js server.
  cases.push(make(server("rpcgen"), "grpc", "echo", 1, 64, { label: "grpc-js client" }));
  // Apache Thrift's npm client against rpcgen's Thrift side; the thrift row above is the same client against Apache's npm server.
  cases.push(make(server("rpcgen"), "thrift", "echo", 1, 64, { label: "Apache Thrift client" }));
  // Over TLS (docs/SECURITY.md): rpcgen's binary frames and grpc-js, each with TLS on the server port.
  cases.push(make({ framework: "rpcgen", workers: 0, tls: true }, "binary", "echo", 1, 64, { label: "TLS" }));
  cases.push(make({ framework: "grpc-js", workers: 0, tls: true }, "protobuf", "echo", 1, 64, { label: "TLS" }));
  // The governance target: the same server and echo through a Channel and through a ClusterInvoker, back to back.
  for (const inFlight of [1, 64]) {
    cases.push(make(server("rpcgen"), "binary", "echo", 1, inFlight, { label: "direct Channel" }));
    cases.push(make(server("rpcgen"), "binary", "echo", 1, inFlight, { governed: true, label: "ClusterInvoker" }));
  }
  // node:cluster: one worker against two under the same load (docs/BENCHMARKS.md, *Workers*).
  for (const workers of [1, 2]) cases.push(make(server("rpcgen", workers), "binary", "echo", 4, 64, { label: "workers" }));
  // The cost of metrics + tracing on server and client (docs/OBSERVABILITY.md); the plain binary x64 row is the baseline.
  cases.push(make({ framework: "rpcgen", workers: 0, observe: "api" }, "binary", "echo", 1, 64, { label: "metrics+tracing" }));
  if (size.quick) return cases;

  // Four connections: one call in flight only ever uses one, so 64 and 256 only.
  for (const codec of ["binary", "json", "resp"]) {
    for (const inFlight of [64, 256])
      cases.push(make(server("rpcgen"), codec, "echo", 4, inFlight));
  }
  for (const workers of [1, 2]) cases.push(make(server("rpcgen", workers), "binary", "echo", 4, 256, { label: "workers" }));
  for (const peer of peers)
    cases.push(make(server(peer.framework), peer.codec, "1mib", 1, 4));
  for (const peer of peers)
    cases.push(make(server(peer.framework), peer.codec, "structs", 1, 16));
  // With an OpenTelemetry SDK recording every span: a figure to watch, no target.
  cases.push(make({ framework: "rpcgen", workers: 0, observe: "sdk" }, "binary", "echo", 1, 64, { label: "metrics+tracing, OTel SDK" }));
  // The small echo's p99 while a CPU-heavy method is kept loaded, that method inline and offloaded
  // (docs/OFFLOAD.md). Inline, an echo waits behind 50 ms handlers: ~20 calls/s, so longer repetitions.
  for (const offload of [false, true]) {
    cases.push(
      make({ framework: "rpcgen", workers: 0, offload }, "binary", "echo", 1, 1, {
        heavyBeside: true,
        calls: 20_000,
        warmupCalls: 20,
        repSeconds: 3,
        label: offload ? "heavy method offloaded" : "heavy method inline",
      }),
    );
  }
  for (const framework of ["rpcgen", "raw"] as const) {
    cases.push(
      make(
        server(framework),
        framework === "rpcgen" ? "binary" : "json",
        "echo",
        1,
        10_000,
        {
          parkCalls: 10_000,
          repetitions: 1,
          label: "10k parked",
        },
      ),
    );
  }
  return cases;
}

/** Short name of a case, for progress lines and errors. */
export function caseName(spec: CaseSpec): string {
  const workers = spec.server.workers > 0 ? ` ${spec.server.workers}w` : "";
  const label = spec.label === undefined ? "" : ` [${spec.label}]`;
  return `${spec.server.framework}/${spec.codec} ${spec.workload} c${spec.connections}${workers} x${spec.concurrency}${label}`;
}
