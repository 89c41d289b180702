/**
 * The rpcgen side of bench/resp-vs-redis.ts, forked into a process of its own
 * (so redis-benchmark's load and the orchestrator never share its event loop):
 * the examples' Calculator on a free loopback port, built from runtime/dist as a
 * user would. Tells the parent its port over IPC, answers `cpu` with its CPU time
 * so far (microseconds, user and system), and closes and exits once disconnected.
 */
import { cpuUsage } from "node:process";
import { Server, silentLogger } from "@rpcgen/runtime";
import { CalculatorHandlerImpl } from "../examples/calculator/calculator-handler.js";
import { registerCalculator } from "../examples/calculator/gen/calculator.js";

/** What the parent hears from this process. */
export type RespServerMessage = { type: "listening"; port: number } | { type: "cpu"; micros: CpuMicros };

/** CPU time so far, in microseconds: in user space and in the kernel (system calls, loopback TCP). */
export interface CpuMicros {
  user: number;
  system: number;
}

const server = new Server({ logger: silentLogger });
registerCalculator(server, new CalculatorHandlerImpl());
const { port } = await server.listen({ host: "127.0.0.1", port: 0 });
send({ type: "listening", port });
// Run by hand (no parent), e.g. under strace or perf: say where it listens.
if (process.send === undefined) console.log(`listening on 127.0.0.1:${port}`);

process.on("message", (message: unknown) => {
  if (message !== "cpu") return;
  const { user, system } = cpuUsage();
  send({ type: "cpu", micros: { user, system } });
});
process.on("disconnect", () => {
  const exit = (): never => process.exit(0);
  // A close that hangs (a connection redis-benchmark left open) must not keep the process.
  setTimeout(exit, 2000).unref();
  void server.close({ graceMs: 0 }).then(exit, exit);
});

function send(message: RespServerMessage): void {
  process.send?.(message);
}
