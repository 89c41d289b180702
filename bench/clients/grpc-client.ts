import * as grpc from "@grpc/grpc-js";
import type { CaseSpec } from "../case-spec.js";
import { loadEchoProto } from "../grpc-proto.js";
import { oneMiB, smallCount, smallText, structItems } from "../payloads.js";
import { roundRobin, type BenchClient } from "./bench-client.js";
import { benchTlsFiles, readPem } from "../tls-mode.js";

type UnaryMethod = (
  request: unknown,
  callback: (error: grpc.ServiceError | null, reply: unknown) => void,
) => void;
type EchoStub = grpc.Client &
  Record<"Echo" | "EchoBytes" | "EchoItems" | "Park", UnaryMethod>;

/** grpc-js unary calls; each connection is its own grpc Client (one HTTP/2 session each). */
export async function openGrpcClient(
  spec: CaseSpec,
  port: number,
): Promise<BenchClient> {
  const Echo = loadEchoProto();
  const stubs: EchoStub[] = [];
  const pick = roundRobin(spec.connections, (index) => {
    // A distinct option per client keeps grpc-js from sharing one subchannel between them.
    const stub = new Echo(
      `127.0.0.1:${port}`,
      spec.server.tls === true ? grpc.credentials.createSsl(readPem(benchTlsFiles().ca)) : grpc.credentials.createInsecure(),
      {
        "grpc.max_receive_message_length": 8 * 1024 * 1024,
        "bench.connection": index,
        // TLS case: check the certificate's name without sending an IP address as SNI.
        ...(spec.server.tls === true ? { "grpc.ssl_target_name_override": "localhost" } : {}),
      },
    ) as unknown as EchoStub;
    stubs.push(stub);
    return stub;
  });
  const unary = (
    method: keyof EchoStub & ("Echo" | "EchoBytes" | "EchoItems" | "Park"),
    request: unknown,
  ) =>
    new Promise<unknown>((resolve, reject) => {
      pick()[method](request, (error, reply) =>
        error === null ? resolve(reply) : reject(error),
      );
    });
  const [method, request] = workloadRequest(spec);
  return {
    call: () => unary(method, request),
    park: (id) => unary("Park", { id }),
    close: async () => stubs.forEach((stub) => stub.close()),
  };
}

function workloadRequest(
  spec: CaseSpec,
): ["Echo" | "EchoBytes" | "EchoItems", unknown] {
  switch (spec.workload) {
    case "echo":
      return ["Echo", { text: smallText, count: smallCount }];
    case "1mib":
      return ["EchoBytes", { data: Buffer.from(oneMiB()) }];
    case "structs":
      return [
        "EchoItems",
        {
          items: structItems().map((item) => ({
            ...item,
            counters: Object.fromEntries(item.counters),
            inner: {
              ...item.inner,
              labels: Object.fromEntries(item.inner.labels),
            },
          })),
        },
      ];
  }
}
