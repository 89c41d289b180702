import { type Server, type Socket, createConnection, createServer } from "node:net";
import { FrameDecoder } from "@rpcgen/runtime/internal/wire/frame-decoder.js";
import { type Frame } from "@rpcgen/runtime/internal/wire/frame.js";

/**
 * A TCP proxy on 127.0.0.1:0 in front of `targetPort` that copies bytes both
 * ways unchanged and decodes each direction's frames on the side, so a test
 * can look at the exact bodies a client and a server put on the wire.
 */
export class FrameTapProxy {
  /** Frames the clients sent, in order. */
  readonly toServer: Frame[] = [];
  /** Frames the server sent, in order. */
  readonly toClient: Frame[] = [];
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly targetPort: number) {
    this.server = createServer((client) => this.bridge(client));
  }

  /** Starts a proxy to 127.0.0.1:`targetPort`; resolves with it once it listens. */
  static async start(targetPort: number): Promise<{ proxy: FrameTapProxy; port: number }> {
    const proxy = new FrameTapProxy(targetPort);
    await new Promise<void>((resolve, reject) => {
      proxy.server.once("error", reject);
      proxy.server.listen({ host: "127.0.0.1", port: 0 }, resolve);
    });
    const address = proxy.server.address();
    if (address === null || typeof address === "string") throw new Error("proxy has no TCP address");
    return { proxy, port: address.port };
  }

  /** Stops listening and closes every bridged connection. */
  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private bridge(client: Socket): void {
    const upstream = createConnection({ host: "127.0.0.1", port: this.targetPort });
    this.sockets.add(client).add(upstream);
    const upward = new FrameDecoder((frame) => this.toServer.push(frame));
    const downward = new FrameDecoder((frame) => this.toClient.push(frame));
    client.on("data", (chunk: Buffer) => {
      upward.push(chunk);
      upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => {
      downward.push(chunk);
      client.write(chunk);
    });
    const closeBoth = (): void => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on("close", closeBoth).on("error", closeBoth);
    upstream.on("close", closeBoth).on("error", closeBoth);
  }
}
