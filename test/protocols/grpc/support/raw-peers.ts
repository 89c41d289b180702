import { once } from "node:events";
import { connect as http2Connect, type ClientHttp2Session } from "node:http2";
import { createConnection, type Socket } from "node:net";

/** A plain TCP connection to the server, for requests no well-behaved client sends. */
export async function rawSocket(port: number): Promise<Socket> {
  const socket = createConnection({ host: "127.0.0.1", port });
  await once(socket, "connect");
  socket.on("error", () => {});
  return socket;
}

/** Resolves with what the server sent once it closes the connection; rejects after `ms`. */
export function closedWithin(socket: Socket, ms: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let received = "";
    socket.on("data", (chunk: Buffer) => (received += chunk.toString("latin1")));
    const timer = setTimeout(() => reject(new Error(`the server did not close the connection within ${ms} ms (got ${JSON.stringify(received.slice(0, 200))})`)), ms);
    socket.once("close", () => {
      clearTimeout(timer);
      resolve(received);
    });
  });
}

/** A node:http2 client session (cleartext, prior knowledge), errors swallowed: tests look at events. */
export async function http2Session(port: number): Promise<ClientHttp2Session> {
  const session = http2Connect(`http://127.0.0.1:${port}`);
  session.on("error", () => {});
  await once(session, "connect");
  return session;
}

/** One unary gRPC call made by hand: the status and the raw response DATA. */
export function rawGrpcCall(session: ClientHttp2Session, path: string, message: Buffer, headers: Record<string, string> = {}): Promise<{ status: string | undefined; data: Buffer; message: string | undefined }> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ":method": "POST", ":path": path, "content-type": "application/grpc", te: "trailers", ...headers });
    const chunks: Buffer[] = [];
    let status: string | undefined;
    let statusMessage: string | undefined;
    stream.on("response", (h) => {
      status ??= h["grpc-status"] as string | undefined;
      statusMessage ??= h["grpc-message"] as string | undefined;
    });
    stream.on("trailers", (h) => {
      status = h["grpc-status"] as string | undefined;
      statusMessage = h["grpc-message"] as string | undefined;
    });
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("error", reject);
    stream.on("close", () => resolve({ status, data: Buffer.concat(chunks), message: statusMessage }));
    const frame = Buffer.alloc(5 + message.length);
    frame.writeUInt32BE(message.length, 1);
    message.copy(frame, 5);
    stream.end(frame);
  });
}
