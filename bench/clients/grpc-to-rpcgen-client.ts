import * as grpc from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import type { CaseSpec } from "../case-spec.js";
import { genDir } from "../generate-stubs.js";
import { smallCount, smallText } from "../payloads.js";
import { roundRobin, type BenchClient } from "./bench-client.js";

type Unary = (request: unknown, callback: (error: grpc.ServiceError | null, reply: unknown) => void) => void;
type EchoStub = grpc.Client & Record<"echo" | "park", Unary>;

/**
 * grpc-js's client against rpcgen's gRPC side: the stub loads the `.proto`
 * rpcgen generates from bench/echo.thrift unchanged, as a gRPC user would, so
 * the request is `Echo_echo_args` and the reply `Echo_echo_response`. The client
 * is the same grpc-js as in the grpc-js rows; only the server differs.
 */
export async function openGrpcToRpcgenClient(spec: CaseSpec, port: number): Promise<BenchClient> {
  if (spec.workload !== "echo") throw new Error("the grpc-js → rpcgen case measures the small echo only");
  const definition = loadSync(`${genDir}/rpcgen/echo.proto`, { keepCase: true });
  const Echo = (grpc.loadPackageDefinition(definition) as any).echo.Echo as grpc.ServiceClientConstructor;
  const stubs: EchoStub[] = [];
  const pick = roundRobin(spec.connections, (index) => {
    // A distinct option per client keeps grpc-js from sharing one subchannel between them.
    const stub = new Echo(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), { "bench.connection": index }) as unknown as EchoStub;
    stubs.push(stub);
    return stub;
  });
  const unary = (method: "echo" | "park", request: unknown) =>
    new Promise<unknown>((resolve, reject) => pick()[method](request, (error, reply) => (error === null ? resolve(reply) : reject(error))));
  const request = { text: smallText, count: smallCount };
  return {
    call: () => unary("echo", request),
    park: (id) => unary("park", { id }),
    close: async () => stubs.forEach((stub) => stub.close()),
  };
}
