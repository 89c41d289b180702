/** What one benchmark case is, and the messages its processes exchange. */

export type Framework = "rpcgen" | "grpc-js" | "thrift" | "raw";
export type Workload = "echo" | "1mib" | "structs";

/** A server configuration; one server process serves every case that shares it. */
export interface ServerSpec {
  framework: Framework;
  /** node:cluster workers (rpcgen only); 0 = the process serves itself. */
  workers: number;
  /** rpcgen only: the Heavy service's method runs in worker threads instead of on the event loop. */
  offload?: boolean;
  /** rpcgen only: metrics and tracing on, server and client (bench/observe-mode.ts). */
  observe?: "api" | "sdk";
  /** rpcgen and grpc-js: TLS on the server port, and the client over TLS (bench/tls-mode.ts). */
  tls?: boolean;
}

/** One measured configuration. */
export interface CaseSpec {
  server: ServerSpec;
  /** rpcgen: binary | json | resp | grpc (grpc-js's client, rpcgen's gRPC side) | thrift (Apache's npm client, rpcgen's Thrift side); grpc-js: protobuf; thrift: binary; raw: json. */
  codec: string;
  workload: Workload;
  connections: number;
  concurrency: number;
  /**
   * Most calls per repetition. The client calibrates on its warm-up: each
   * repetition makes the same fixed count, rate × repSeconds, at most `calls`.
   */
  calls: number;
  /** Target length of a repetition, in seconds. */
  repSeconds: number;
  warmupCalls: number;
  repetitions: number;
  /** rpcgen only: call through a ClusterInvoker instead of a Channel. */
  governed?: boolean;
  /** rpcgen only: meanwhile the client keeps a 50 ms CPU-bound method (Heavy.hash) loaded on another connection. */
  heavyBeside?: boolean;
  /** Memory case: fire this many "park" calls at once instead of the workload. */
  parkCalls?: number;
  /** Label shown in the table when the case is not a plain one. */
  label?: string;
}

/** Figures of one repetition. */
export interface RepetitionFigures {
  callsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  serverCpuPct: number;
  serverRssMb: number;
}

/** Client -> orchestrator. */
export type ClientMessage =
  | { type: "ready" }
  | { type: "begin" }
  | {
      type: "end";
      seconds: number;
      calls: number;
      p50Ms: number;
      p99Ms: number;
      clientCpuMicros: number;
    }
  | { type: "done" }
  | { type: "failed"; message: string };

/** Server -> orchestrator. */
export type ServerMessage =
  | { type: "listening"; port: number }
  | { type: "stats"; cpuMicros: number; peakRssBytes: number; seconds: number }
  | { type: "parked"; count: number; rssBytes: number };

/** Orchestrator -> server. */
export type ServerCommand =
  | { type: "stats-start" }
  | { type: "stats-stop" }
  | { type: "park-expect"; count: number };
