/**
 * The other protocols of the port get TLS and authentication from the server
 * and the dispatch without code of their own: grpc-js, with TLS credentials
 * and a bearer token as call metadata, calls the generated .proto on the same
 * port that serves rpcgen frames and RESP.
 */
import * as grpc from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger, staticTokenAuthenticator, type Server } from "@rpcgen/runtime";
import { makeTestCa, type TestCa } from "./support/test-ca.js";
import { loadVault, startVault, type VaultStubs } from "./support/vault.js";

let ca: TestCa;
let stubs: VaultStubs;
let server: Server;
let port: number;
let Vault: grpc.ServiceClientConstructor;

beforeAll(async () => {
  ca = makeTestCa();
  stubs = await loadVault("grpc");
  ({ server, port } = await startVault(stubs.module, {
    logger: silentLogger,
    tls: { certFile: ca.server.cert, keyFile: ca.server.key, caFile: ca.ca, watch: false, reloadSignal: false },
    auth: {
      authenticate: staticTokenAuthenticator([{ token: "grpc-token", id: "grpc-caller" }, { token: "reader-token", id: "reader" }]),
      authorize: (principal, method) => method.name !== "rotate" || principal.id === "grpc-caller",
    },
  }));
  const definition = loadSync(path.join(stubs.dir, "vault.proto"), { keepCase: true });
  Vault = findService(grpc.loadPackageDefinition(definition), "Vault");
});

afterAll(async () => {
  await server?.close({ graceMs: 0 });
  stubs?.dispose();
  ca?.remove();
});

function findService(tree: grpc.GrpcObject, name: string): grpc.ServiceClientConstructor {
  for (const [key, value] of Object.entries(tree)) {
    if (key === name && typeof value === "function") return value as grpc.ServiceClientConstructor;
    if (typeof value === "object" && value !== null && !("format" in value)) {
      try {
        return findService(value as grpc.GrpcObject, name);
      } catch {
        // not in this branch
      }
    }
  }
  throw new Error(`service ${name} not in the .proto`);
}

function call(method: string, request: object, token: string | undefined): Promise<{ code: number; reply?: any }> {
  const credentials = grpc.credentials.createSsl(readFileSync(ca.ca), readFileSync(ca.client.key), readFileSync(ca.client.cert));
  const client = new Vault(`127.0.0.1:${port}`, credentials, { "grpc.ssl_target_name_override": "localhost" });
  const metadata = new grpc.Metadata();
  if (token !== undefined) metadata.set("authorization", `Bearer ${token}`);
  return new Promise((resolve) => {
    (client as any)[method](request, metadata, (error: grpc.ServiceError | null, reply: unknown) => {
      client.close();
      resolve(error === null ? { code: 0, reply } : { code: error.code });
    });
  });
}

describe("grpc-js over mutual TLS with call credentials", () => {
  it("reaches the handler with the principal of its token and its client certificate", async () => {
    const { code, reply } = await call("whoami", {}, "grpc-token");
    expect(code).toBe(0);
    expect(JSON.stringify(reply)).toContain("grpc-caller|client-a");
  });

  it("without a token: UNAUTHENTICATED (16); a public method needs none; authorization: PERMISSION_DENIED (7)", async () => {
    expect((await call("whoami", {}, undefined)).code).toBe(grpc.status.UNAUTHENTICATED);
    expect((await call("whoami", {}, "wrong")).code).toBe(grpc.status.UNAUTHENTICATED);
    expect((await call("health", {}, undefined)).code).toBe(0);
    expect((await call("rotate", { key: "k" }, "reader-token")).code).toBe(grpc.status.PERMISSION_DENIED);
    expect((await call("rotate", { key: "k" }, "grpc-token")).code).toBe(0);
  });
});
