import * as grpc from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import protobuf from "protobufjs";

/** What the grpc-js calculator saw of the calls made to it. */
export interface GrpcJsSeen {
  traces: string[];
  deadlines: Array<Date | number>;
  cancelled: number;
}

/**
 * A calculator served by grpc-js itself from the generated `.proto`, as a gRPC
 * team would write it: the declared exception goes out as status UNKNOWN with a
 * google.rpc.Status in `grpc-status-details-bin`.
 */
export async function serveGrpcJsCalculator(protoPath: string): Promise<{ server: grpc.Server; address: string; seen: GrpcJsSeen }> {
  const definition = loadSync(protoPath, { keepCase: true, longs: String });
  const service = (grpc.loadPackageDefinition(definition) as any).calculator.Calculator.service as grpc.ServiceDefinition;
  const root = protobuf.loadSync(protoPath);
  root.add(googleRpcStatus());
  const Status = root.lookupType("google.rpc.Status");
  const DivideByZero = root.lookupType("calculator.DivideByZero");
  const seen: GrpcJsSeen = { traces: [], deadlines: [], cancelled: 0 };
  const server = new grpc.Server();
  server.addService(service, {
    add: (call: any, callback: any) => {
      seen.traces.push(String(call.metadata.get("x-trace")[0] ?? ""));
      callback(null, { success: call.request.a + call.request.b });
    },
    subtract: (call: any, callback: any) => callback(null, { success: call.request.a - call.request.b }),
    multiply: (call: any, callback: any) => callback(null, { success: (BigInt(call.request.a) * BigInt(call.request.b)).toString() }),
    divide: (call: any, callback: any) => {
      const { dividend, divisor } = call.request;
      if (divisor === 0) {
        const exception = DivideByZero.encode({ message: `cannot divide ${dividend} by zero`, dividend }).finish();
        const status = Status.encode({ code: grpc.status.UNKNOWN, message: "DivideByZero", details: [{ type_url: "type.googleapis.com/calculator.DivideByZero", value: exception }] }).finish();
        const metadata = new grpc.Metadata();
        metadata.set("grpc-status-details-bin", Buffer.from(status));
        return callback({ code: grpc.status.UNKNOWN, details: "DivideByZero", metadata });
      }
      if (divisor === -1) {
        // The slow call: answers after `dividend` ms unless cancelled.
        seen.deadlines.push(call.getDeadline());
        const timer = setTimeout(() => callback(null, { success: -dividend }), dividend);
        call.on("cancelled", () => {
          seen.cancelled++;
          clearTimeout(timer);
        });
        return;
      }
      if (divisor === -2) return callback({ code: grpc.status.NOT_FOUND, details: "no such divisor" });
      callback(null, { success: Math.trunc(dividend / divisor) });
    },
    log: (_call: any, callback: any) => callback(null, {}),
    calculate: (call: any, callback: any) => {
      const batch: any[] = call.request.batch?.items ?? [];
      const results = batch.map((work) => String(work.op === 1 ? work.num1 + work.num2 : work.num1 * work.num2));
      callback(null, {
        success: {
          results: { items: results },
          countsByOperation: { entries: [{ key: "ADD", value: batch.length }] },
          comments: { items: batch.filter((w) => w.comment).map((w) => w.comment) },
          mean: 2.5,
        },
      });
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return { server, address: `127.0.0.1:${port}`, seen };
}

/** google.rpc.Status and google.protobuf.Any, declared as a gRPC user declares them. */
export function googleRpcStatus(): protobuf.Namespace {
  return protobuf.Namespace.fromJSON("google", {
    nested: {
      rpc: {
        nested: {
          Status: {
            fields: { code: { type: "int32", id: 1 }, message: { type: "string", id: 2 }, details: { rule: "repeated", type: "Any", id: 3 } },
          },
          Any: { fields: { type_url: { type: "string", id: 1 }, value: { type: "bytes", id: 2 } } },
        },
      },
    },
  });
}
