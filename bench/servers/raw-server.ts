import { createServer, type AddressInfo } from "node:net";
import {
  readRawFrames,
  writeRawFrame,
  type RawRequest,
} from "../raw-framing.js";
import type { PeerContext, PeerServer } from "./server-handlers.js";

/** The raw `net` baseline: echoes each request's args back under its id. */
export async function serveRaw(context: PeerContext): Promise<PeerServer> {
  const server = createServer({ noDelay: true }, (socket) => {
    socket.on("error", () => socket.destroy());
    readRawFrames(socket, (body) => {
      const request = body as RawRequest;
      if (request.method === "park") {
        void context.lot
          .park()
          .then(() =>
            writeRawFrame(socket, { id: request.id, result: request.args }),
          );
        return;
      }
      writeRawFrame(socket, { id: request.id, result: request.args });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
      }),
  };
}
