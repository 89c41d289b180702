import * as grpc from "@grpc/grpc-js";
import type { Server as NetServer, Socket } from "node:net";
import { loadEchoProto } from "../grpc-proto.js";
import type { PeerContext, PeerServer } from "./server-handlers.js";
import { benchTlsFiles, readPem } from "../tls-mode.js";

/** The TLS case: the run's throw-away server certificate (bench/tls-mode.ts). */
function tlsCredentials(): grpc.ServerCredentials {
  const files = benchTlsFiles();
  return grpc.ServerCredentials.createSsl(null, [{ cert_chain: readPem(files.cert), private_key: readPem(files.key) }], false);
}

type Unary = grpc.handleUnaryCall<unknown, unknown>;

/** grpc-js unary server of bench/echo.proto. */
export async function serveGrpc(context: PeerContext, tls = false): Promise<PeerServer> {
  const server = new grpc.Server({
    "grpc.max_receive_message_length": 8 * 1024 * 1024,
  });
  const echo: Unary = (call, callback) => callback(null, call.request);
  const park: Unary = (call, callback) => {
    void context.lot.park().then(() => callback(null, call.request));
  };
  server.addService(loadEchoProto().service, {
    Echo: echo,
    EchoBytes: echo,
    EchoItems: echo,
    Park: park,
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(
      "127.0.0.1:0",
      tls ? tlsCredentials() : grpc.ServerCredentials.createInsecure(),
      (error, bound) => (error === null ? resolve(bound) : reject(error)),
    ),
  );
  disableNagle(server);
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}

/**
 * grpc-js leaves Nagle's algorithm on for accepted sockets (its client turns it
 * off): a reply's HEADERS, DATA and trailers then wait for the client's delayed
 * ACK, and the server idles at a few thousand calls/s. Measuring that stall would
 * say nothing about grpc-js's own cost, so the bench turns Nagle off the only way
 * grpc-js allows, through its (private) map of HTTP/2 servers.
 */
function disableNagle(server: grpc.Server): void {
  const http2Servers = (
    server as unknown as { http2Servers?: Map<NetServer, unknown> }
  ).http2Servers;
  if (!(http2Servers instanceof Map))
    throw new Error(
      "grpc-js internals changed: cannot turn Nagle off on its server",
    );
  for (const netServer of http2Servers.keys()) {
    netServer.on("connection", (socket: Socket) => socket.setNoDelay(true));
  }
}
