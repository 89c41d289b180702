/**
 * One dispatch for every protocol: the same handler outcome reaches a caller
 * with the same code and message whether it called over binary frames (protobuf
 * or JSON bodies) or RESP, and arguments are checked before the handler runs.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Channel, Code, RespChannel, RpcError, Server, type Invoker, type Logger } from "@rpcgen/runtime";
import { EchoService, echoHandler, newStats } from "../runtime/transport/fixtures/echo-service.js";

interface LogLine {
  level: string;
  fields: Record<string, unknown>;
  msg: string | undefined;
}

const logged: LogLine[] = [];
const record =
  (level: string) =>
  (fields: object | string, msg?: string): void => {
    logged.push({ level, fields: typeof fields === "string" ? {} : (fields as Record<string, unknown>), msg: typeof fields === "string" ? fields : msg });
  };
const logger: Logger = { debug: record("debug"), info: record("info"), warn: record("warn"), error: record("error") };

const stats = newStats();
const m = EchoService.methods;
let server: Server;
let port = 0;
const clients: Record<string, Invoker & { close(): unknown }> = {};

beforeAll(async () => {
  server = new Server({ logger });
  // A handler that leaks a secret in an INTERNAL error, as a careless one would.
  const handler = {
    ...echoHandler(stats),
    refuse(code: string): void {
      if (code === "LEAK") throw new RpcError(Code.INTERNAL, "db connect failed: postgres://admin:hunter2@db:5432/app");
      throw new RpcError(code as Code, `refused with ${code}`);
    },
  };
  server.addService(EchoService, handler);
  ({ port } = await server.listen({ host: "127.0.0.1", port: 0 }));
  clients["binary"] = new Channel({ address: `127.0.0.1:${port}`, codec: "binary" });
  clients["json"] = new Channel({ address: `127.0.0.1:${port}`, codec: "json" });
  clients["resp"] = new RespChannel({ port });
});

afterAll(async () => {
  for (const client of Object.values(clients)) await client.close();
  await server.close({ graceMs: 0 });
});

async function outcomeOf(protocol: string, method: keyof typeof m, args: unknown[]): Promise<{ code: string; message: string }> {
  const error = await clients[protocol]!.invoke(m[method]!, args).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RpcError);
  return { code: (error as RpcError).code, message: (error as RpcError).message };
}

const protocols = ["binary", "json", "resp"];

describe("the same outcome over every protocol", () => {
  it("an INTERNAL RpcError reaches every caller as `internal error`, its secret only in the server log", async () => {
    logged.length = 0;
    for (const protocol of protocols) {
      expect(await outcomeOf(protocol, "refuse", ["LEAK"])).toEqual({ code: Code.INTERNAL, message: "internal error" });
    }
    const errors = logged.filter((line) => line.level === "error" && line.msg === "handler failed");
    expect(errors.map((line) => line.fields["protocol"]).sort()).toEqual(["resp", "rpcgen", "rpcgen"]);
    expect(String((errors[0]!.fields["err"] as Error).message)).toContain("hunter2");
  });

  it("an undeclared Error is INTERNAL everywhere; a client-facing code passes through with its message", async () => {
    for (const protocol of protocols) {
      expect(await outcomeOf(protocol, "crash", [])).toEqual({ code: Code.INTERNAL, message: "internal error" });
      expect(await outcomeOf(protocol, "refuse", ["NOT_FOUND"])).toEqual({ code: Code.NOT_FOUND, message: "refused with NOT_FOUND" });
      expect(await outcomeOf(protocol, "refuse", ["PERMISSION_DENIED"])).toEqual({
        code: Code.PERMISSION_DENIED,
        message: "refused with PERMISSION_DENIED",
      });
    }
  });

  it("a missing argument is INVALID_ARGUMENT naming it, with one message, and the handler never runs", async () => {
    const before = stats.calls["add"] ?? 0;
    for (const protocol of protocols) {
      expect(await outcomeOf(protocol, "add", [1])).toEqual({ code: Code.INVALID_ARGUMENT, message: "Echo.add: argument 'b' is missing" });
    }
    expect(stats.calls["add"] ?? 0).toBe(before);
  });

  it("an unknown method is UNIMPLEMENTED with one message", async () => {
    const ghost = { ...m.echo!, name: "ghost", fullName: "Echo.ghost", jsName: "ghost" };
    for (const protocol of protocols) {
      const error = (await clients[protocol]!.invoke(ghost, ["x"]).catch((e: unknown) => e)) as RpcError;
      expect({ code: error.code, message: error.message }).toEqual({ code: Code.UNIMPLEMENTED, message: 'unknown method "Echo.ghost"' });
    }
  });

  it("a oneway call to an unknown method is logged, not silently dropped", async () => {
    logged.length = 0;
    const ghost = { ...m.fire!, name: "ghostFire", fullName: "Echo.ghostFire", jsName: "ghostFire" };
    await clients["binary"]!.invoke(ghost, ["note"]);
    // The oneway frame is sent and forgotten; a call behind it on the same connection proves it was read.
    await clients["binary"]!.invoke(m.echo!, ["after"]);
    expect(logged).toContainEqual(
      expect.objectContaining({ level: "warn", msg: "oneway call to an unknown method dropped", fields: expect.objectContaining({ method: "Echo.ghostFire" }) }),
    );
  });
});
