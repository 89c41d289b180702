import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { defineService, type OffloadOptions, Server, silentLogger } from "@rpcgen/runtime";
import { Cleanup } from "../runtime/transport/harness.js";
import * as workHandlers from "./fixtures/work-handlers.js";
import { WorkService } from "./fixtures/work-service.js";
import { startWorkServer, workHandlersModule } from "./offload-harness.js";

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

function newServer(offload: OffloadOptions | undefined): Server {
  const server = new Server({ logger: silentLogger, offload });
  cleanup.add(() => server.close({ graceMs: 0 }));
  return server;
}

describe("choosing which methods run in worker threads", () => {
  it("runs a method in a thread when its IDL annotation or the server option says so, and the others on the main thread", async () => {
    const work = await startWorkServer(cleanup, { threads: 1, services: { Work: workHandlersModule } });
    // threadId has no annotation and no option: inline, on the main thread (id 0).
    expect(await work.call("threadId", [])).toBe(0);
    await cleanup.run();
    const byOption = await startWorkServer(cleanup, { threads: 1, services: { Work: workHandlersModule }, methods: { "Work.threadId": workHandlersModule } });
    expect(await byOption.call("threadId", [])).toBeGreaterThan(0);
  });

  it("refuses at registration a method annotated for a worker with no module for it", () => {
    const server = newServer(undefined);
    expect(() => server.addService(WorkService, workHandlers)).toThrow(/Work\.heavy is annotated rpc\.offload = "worker", but no module implements it/);
  });

  it("refuses at registration an rpc.offload value it does not know", () => {
    const server = newServer({ services: {} });
    const odd = defineService({ name: "Odd", qualifiedName: "odd.Odd", methods: { run: { annotations: { "rpc.offload": "gpu" } } } });
    expect(() => server.addService(odd, { run: () => undefined })).toThrow(/rpc\.offload = "gpu" is not one of "worker", "inline"/);
  });

  it("refuses a module given as a relative path", () => {
    const server = newServer({ methods: { "Work.cheap": "./fixtures/work-handlers.ts" } });
    expect(() => server.addService(WorkService, workHandlers)).toThrow(/neither a URL nor an absolute path/);
  });

  it("fails listen for a name in the options that no registered method has", async () => {
    const server = newServer({ services: { Work: workHandlersModule }, methods: { "Work.hevy": workHandlersModule } });
    server.addService(WorkService, workHandlers);
    await expect(server.listen({ host: "127.0.0.1", port: 0 })).rejects.toThrow(/offload\.methods\["Work\.hevy"\]: no registered service has it/);
  });

  it("fails listen when the threads cannot load the handler module", async () => {
    const server = newServer({ threads: 1, services: { Work: new URL("./fixtures/no-such-module.ts", import.meta.url) } });
    server.addService(WorkService, workHandlers);
    await expect(server.listen({ host: "127.0.0.1", port: 0 })).rejects.toThrow(/could not load its handler modules: .*no-such-module/);
  });

  it("fails listen when the module lacks the method", async () => {
    const server = newServer({ threads: 1, services: { Work: new URL("./fixtures/work-service.ts", import.meta.url) } });
    server.addService(WorkService, workHandlers);
    await expect(server.listen({ host: "127.0.0.1", port: 0 })).rejects.toThrow(/does not implement Work\.heavy: expected a function "heavy"/);
  });
});

describe("graceful close", () => {
  it("lets offloaded calls in flight (running and queued) finish, then stops the threads", async () => {
    const script = fileURLToPath(new URL("./fixtures/close-drains-process.ts", import.meta.url));
    const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
    const child = spawn(process.execPath, ["--import", "tsx", script], { cwd: repoRoot, stdio: ["ignore", "pipe", "inherit"] });
    cleanup.add(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    // The process ends by itself only if close() left no thread running.
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the process did not exit by itself; it printed: ${output}`)), 20_000);
      child.once("exit", (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
    expect(exitCode).toBe(0);
    const { outcomes, closeMs } = JSON.parse(output) as { outcomes: string[]; closeMs: number };
    expect(outcomes).toEqual(["ok", "ok"]);
    // close() waited for both 300 ms calls (the second queued behind the first).
    expect(closeMs).toBeGreaterThanOrEqual(400);
  });
});
