import * as grpc from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { fileURLToPath } from "node:url";

/** The Echo service of bench/echo.proto, loaded the usual proto-loader way. */
export function loadEchoProto(): grpc.ServiceClientConstructor {
  const definition = loadSync(
    fileURLToPath(new URL("echo.proto", import.meta.url)),
    {
      keepCase: true,
      defaults: true,
    },
  );
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    bench: { Echo: grpc.ServiceClientConstructor };
  };
  return loaded.bench.Echo;
}
