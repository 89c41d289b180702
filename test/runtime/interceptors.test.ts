import { afterEach, describe, expect, it } from "vitest";
import { Code, RespChannel, RpcError, withInterceptors, type InterceptedCall, type Interceptor } from "@rpcgen/runtime";
import { EchoService } from "./transport/fixtures/echo-service.js";
import { Cleanup, openChannel, startEchoServer } from "./transport/harness.js";

const m = EchoService.methods;
const cleanup = new Cleanup();
afterEach(() => cleanup.run());

/** Records the calls it sees and the outcome of each, tagged with `name` to show the order. */
function recorder(name: string, seen: string[]): Interceptor {
  return (next) => async (call) => {
    seen.push(`${name}>${call.side}:${call.method.fullName}(${JSON.stringify(call.args)})`);
    try {
      const result = await next(call);
      seen.push(`${name}<${JSON.stringify(result)}`);
      return result;
    } catch (error) {
      seen.push(`${name}!${(error as RpcError).code}`);
      throw error;
    }
  };
}

describe("server interceptors", () => {
  it("run in order around the handler, over every protocol, seeing method, arguments, peer and protocol", async () => {
    const seen: string[] = [];
    const views: InterceptedCall[] = [];
    const capture: Interceptor = (next) => (call) => {
      views.push(call);
      return next(call);
    };
    const { address, server } = await startEchoServer(cleanup, { interceptors: [recorder("outer", seen), recorder("inner", seen), capture] });
    void server;
    const channel = openChannel(cleanup, { address });
    expect(await channel.invoke(m.add!, [1, 2])).toBe(3);
    expect(seen).toEqual(["outer>server:Echo.add([1,2])", "inner>server:Echo.add([1,2])", "inner<3", "outer<3"]);
    const resp = new RespChannel({ port: Number(address.split(":")[1]) });
    cleanup.add(() => resp.close());
    expect(await resp.invoke(m.add!, [2, 3])).toBe(5);
    expect(views.map((view) => view.protocol)).toEqual(["rpcgen", "resp"]);
    expect(views[0]!.peer).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(views[0]!.context?.method.fullName).toBe("Echo.add");
  });

  it("may short-circuit with a value or an error; an error goes through the outcome policy", async () => {
    const gate: Interceptor = (next) => async (call) => {
      if (call.args[0] === "cached") return "from cache";
      if (call.args[0] === "forbidden") throw new RpcError(Code.PERMISSION_DENIED, "not for you");
      if (call.args[0] === "secret") throw new Error("db password hunter2");
      return next(call);
    };
    const { address, stats } = await startEchoServer(cleanup, { interceptors: [gate] });
    const channel = openChannel(cleanup, { address });
    expect(await channel.invoke(m.echo!, ["cached"])).toBe("from cache");
    await expect(channel.invoke(m.echo!, ["forbidden"])).rejects.toMatchObject({ code: Code.PERMISSION_DENIED, message: "not for you" });
    await expect(channel.invoke(m.echo!, ["secret"])).rejects.toMatchObject({ code: Code.INTERNAL, message: "internal error" });
    expect(await channel.invoke(m.echo!, ["through"])).toBe("through");
    expect(stats.calls["echo"]).toBe(1);
  });

  it("fails only its call when it throws synchronously instead of rejecting", async () => {
    const careless: Interceptor = (next) => (call) => {
      if (call.args[0] === "boom") throw new RpcError(Code.FAILED_PRECONDITION, "not now");
      return next(call);
    };
    const { address } = await startEchoServer(cleanup, { interceptors: [careless] });
    const channel = openChannel(cleanup, { address });
    await expect(channel.invoke(m.echo!, ["boom"])).rejects.toMatchObject({ code: Code.FAILED_PRECONDITION, message: "not now" });
    expect(await channel.invoke(m.echo!, ["fine"])).toBe("fine");
  });

  it("may replace the arguments the handler receives", async () => {
    const double: Interceptor = (next) => (call) => {
      call.args = call.args.map((value) => (value as number) * 2);
      return next(call);
    };
    const { address } = await startEchoServer(cleanup, { interceptors: [double] });
    expect(await openChannel(cleanup, { address }).invoke(m.add!, [1, 2])).toBe(6);
  });
});

describe("client interceptors", () => {
  it("add metadata the server's handler sees, and see the outcome", async () => {
    const seen: string[] = [];
    const token: Interceptor = (next) => (call) => {
      call.metadata["x-request-id"] = "r-42";
      return next(call);
    };
    const { address } = await startEchoServer(cleanup);
    const invoker = withInterceptors(openChannel(cleanup, { address }), recorder("client", seen), token);
    const context = JSON.parse((await invoker.invoke(m.context!, ["x-request-id"])) as string) as { value: string };
    expect(context.value).toBe("r-42");
    await expect(invoker.invoke(m.divide!, [1, 0])).rejects.toMatchObject({ name: "CalcError" });
    expect(seen[0]).toBe('client>client:Echo.context(["x-request-id"])');
    expect(seen.at(-1)).toBe("client!undefined");
  });

  it("may answer without reaching the server", async () => {
    const offline: Interceptor = () => async (call) => `offline ${call.method.name}`;
    const { address, stats } = await startEchoServer(cleanup);
    const invoker = withInterceptors(openChannel(cleanup, { address }), offline);
    expect(await invoker.invoke(m.echo!, ["x"])).toBe("offline echo");
    expect(stats.calls["echo"]).toBeUndefined();
  });
});
