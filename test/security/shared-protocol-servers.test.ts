/**
 * On a server with authentication every connection has an environment of its
 * own (its guarded dispatcher, its limits lowered until it authenticates), yet
 * the node:http and node:http2 servers that parse HTTP/1.1 and HTTP/2 are made
 * once per rpcgen Server, not once per connection; and each request still
 * meets its own connection's environment: a connection that has not
 * authenticated meets the lowered request limit while one that has does not.
 */
import type * as Http from "node:http";
import type * as Http2 from "node:http2";
import { request as httpRequest, Agent } from "node:http";
import { connect as connectHttp2, type ClientHttp2Session } from "node:http2";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { silentLogger, staticTokenAuthenticator, type Server } from "@rpcgen/runtime";
import { binaryCodec } from "@rpcgen/runtime/internal/codec/binary-codec.js";
import { loadVault, startVault, type VaultStubs } from "./support/vault.js";

const made = vi.hoisted(() => ({ http: 0, http2: 0 }));

vi.mock("node:http", async (importOriginal) => {
  const actual = await importOriginal<typeof Http>();
  const createServer = ((...args: Parameters<typeof actual.createServer>) => {
    made.http++;
    return actual.createServer(...args);
  }) as typeof actual.createServer;
  return { ...actual, createServer, default: { ...actual, createServer } };
});

vi.mock("node:http2", async (importOriginal) => {
  const actual = await importOriginal<typeof Http2>();
  const createServer = ((...args: Parameters<typeof actual.createServer>) => {
    made.http2++;
    return actual.createServer(...args);
  }) as typeof actual.createServer;
  return { ...actual, createServer, default: { ...actual, createServer } };
});

const preAuthLimit = 1024;
/** A key whose request is over the pre-authentication limit, well under the server's own. */
const bigKey = "k".repeat(4 * preAuthLimit);
const token = { authorization: "Bearer s3cret" };

let stubs: VaultStubs;
let server: Server;
let port: number;

beforeAll(async () => {
  stubs = await loadVault("shared-servers");
  const before = { ...made };
  ({ server, port } = await startVault(stubs.module, {
    logger: silentLogger,
    auth: { authenticate: staticTokenAuthenticator([{ token: "s3cret", id: "ops" }]), maxUnauthenticatedRequestBytes: preAuthLimit },
  }));
  // Made when the first connection of each protocol comes, not before.
  expect(made).toEqual(before);
});

afterAll(async () => {
  await server?.close({ graceMs: 0 });
  stubs?.dispose();
});

function method(name: string) {
  return stubs.module["VaultService"].methods[name];
}

/** One unary gRPC call on `session`: its grpc-status. */
function grpcCall(session: ClientHttp2Session, name: string, args: unknown[], headers: Record<string, string> = {}): Promise<string> {
  const message = binaryCodec.encodeArgs(method(name), args);
  const frame = Buffer.alloc(5 + message.byteLength);
  frame.writeUInt32BE(message.byteLength, 1);
  frame.set(message, 5);
  return new Promise((resolve, reject) => {
    const stream = session.request({ ":method": "POST", ":path": `/vault.Vault/${name}`, "content-type": "application/grpc", te: "trailers", ...headers });
    let status: string | undefined;
    stream.on("response", (head) => (status ??= head["grpc-status"] as string | undefined));
    stream.on("trailers", (trailers) => (status ??= trailers["grpc-status"] as string | undefined));
    stream.on("data", () => {});
    stream.on("close", () => resolve(status ?? `no status (${stream.rstCode})`));
    stream.on("error", reject);
    stream.end(frame);
  });
}

/** One Connect call (JSON over HTTP/1.1) on `agent`'s one connection: its HTTP status. */
function connectCall(agent: Agent, name: string, body: unknown, headers: Record<string, string> = {}): Promise<number> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      { host: "127.0.0.1", port, agent, method: "POST", path: `/vault.Vault/${name}`, headers: { "content-type": "application/json", ...headers } },
      (response) => {
        response.resume();
        response.on("end", () => resolve(response.statusCode ?? 0));
      },
    );
    request.on("error", reject);
    request.end(payload);
  });
}

describe("one node:http and node:http2 server per rpcgen Server, under authentication", () => {
  it("gRPC: two authenticated connections and one that is not share one Http2Server; only the latter meets the lowered limit", async () => {
    const before = made.http2;
    const sessions = [0, 1, 2].map(() => connectHttp2(`http://127.0.0.1:${port}`));
    try {
      const [first, second, anonymous] = sessions as [ClientHttp2Session, ClientHttp2Session, ClientHttp2Session];
      expect(await grpcCall(first, "whoami", [], token)).toBe("0");
      expect(await grpcCall(second, "whoami", [], token)).toBe("0");
      // Authenticated: the server's own request limit (and reply limit: the reply is as large as the request).
      expect(await grpcCall(first, "rotate", [bigKey], token)).toBe("0");
      // Not yet authenticated: the same request is over the lowered limit (RESOURCE_EXHAUSTED), and stays so...
      expect(await grpcCall(anonymous, "rotate", [bigKey], token)).toBe("8");
      // ...while the other connections keep the server's.
      expect(await grpcCall(second, "rotate", [bigKey], token)).toBe("0");
      expect(made.http2 - before).toBe(1);
    } finally {
      for (const session of sessions) session.destroy();
    }
  });

  it("Connect over HTTP/1.1: two authenticated connections and one that is not share one http.Server; only the latter meets the lowered limit", async () => {
    const before = made.http;
    // One keep-alive connection per agent.
    const agents = [0, 1, 2].map(() => new Agent({ keepAlive: true, maxSockets: 1 }));
    try {
      const [first, second, anonymous] = agents as [Agent, Agent, Agent];
      expect(await connectCall(first, "whoami", {}, token)).toBe(200);
      expect(await connectCall(second, "whoami", {}, token)).toBe(200);
      expect(await connectCall(first, "rotate", { key: bigKey }, token)).toBe(200);
      expect(await connectCall(anonymous, "rotate", { key: bigKey }, token)).toBe(413);
      expect(await connectCall(second, "rotate", { key: bigKey }, token)).toBe(200);
      expect(made.http - before).toBe(1);
    } finally {
      for (const agent of agents) agent.destroy();
    }
  });
});
