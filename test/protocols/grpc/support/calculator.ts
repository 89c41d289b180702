import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { generate } from "../../../../generator/generate.js";
import { loadProgram } from "../../../../idl/load-program.js";
import { Server, silentLogger, type ServerOptions } from "@rpcgen/runtime";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");

/** The generated calculator module, typed loosely: it is imported at run time. */
export type CalculatorModule = Record<string, any>;

/** The calculator example generated fresh (its `.ts` and the `.proto` gRPC clients load). */
export interface CalculatorStubs {
  readonly dir: string;
  readonly protoPath: string;
  readonly module: CalculatorModule;
  dispose(): void;
}

/**
 * Generates examples/calculator/calculator.thrift into `.tmp/<name>/` (inside the
 * repo, so the generated code's `@rpcgen/runtime` import resolves) and loads it.
 */
export async function calculatorStubs(name: string): Promise<CalculatorStubs> {
  const { program, diagnostics } = loadProgram([path.join(repoRoot, "examples/calculator/calculator.thrift")]);
  const errors = diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) throw new Error(errors.map((d) => d.message).join("\n"));
  const dir = path.join(repoRoot, ".tmp", name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const file of await generate(program)) writeFileSync(path.join(dir, file.path), file.contents);
  const module = (await import(path.join(dir, "calculator.ts"))) as CalculatorModule;
  return { dir, protoPath: path.join(dir, "calculator.proto"), module, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The calculator's handler: what the example implements, plus a slow method's stand-in for deadlines. */
export function calculatorHandler(calculator: CalculatorModule, logged: string[] = []) {
  return {
    add: (a: number, b: number) => (a + b) | 0,
    subtract: (a: number, b: number) => (a - b) | 0,
    multiply: (a: bigint, b: bigint) => BigInt.asIntN(64, a * b),
    divide: async (dividend: number, divisor: number, context: { signal: AbortSignal; deadline: number | undefined }) => {
      if (divisor === 0) throw new calculator["DivideByZero"]({ message: `cannot divide ${dividend} by zero`, dividend });
      // divide(n, -1) sleeps n ms (or until cancelled): the tests' slow call.
      if (divisor === -1) {
        logged.push(`slow ${dividend} deadline ${context.deadline === undefined ? "none" : "set"}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, dividend);
          context.signal.addEventListener("abort", () => {
            logged.push(`slow ${dividend} aborted: ${(context.signal.reason as Error).message}`);
            clearTimeout(timer);
            resolve();
          }, { once: true });
        });
        return -dividend;
      }
      return Math.trunc(dividend / divisor);
    },
    log: (line: string, context: { metadata: Record<string, string> }) => void logged.push(`${line}|${context.metadata["x-trace"] ?? ""}`),
    calculate: (batch: Array<{ num1: number; num2: number; op: number; comment?: string }>) => {
      // A first comment "repeat:N" asks for a report of N results: the tests' large reply.
      const repeat = /^repeat:(\d+)$/.exec(batch[0]?.comment ?? "");
      if (repeat !== null) return { results: Array.from({ length: Number(repeat[1]) }, (_, i) => BigInt(i)), countsByOperation: new Map(), comments: new Set() };
      const results = batch.map((work) => BigInt(work.op === 1 ? work.num1 + work.num2 : work.num1 * work.num2));
      const countsByOperation = new Map<string, number>();
      for (const work of batch) countsByOperation.set(String(work.op), (countsByOperation.get(String(work.op)) ?? 0) + 1);
      const comments = new Set(batch.flatMap((work) => (work.comment === undefined ? [] : [work.comment])));
      return { results, countsByOperation, comments, mean: results.length === 0 ? undefined : Number(results.reduce((s, r) => s + r, 0n)) / results.length };
    },
  };
}

/** A Server on 127.0.0.1, a free port, serving the calculator. */
export async function serveCalculator(calculator: CalculatorModule, options: ServerOptions = {}, logged: string[] = []) {
  const server = new Server({ logger: silentLogger, ...options });
  calculator["registerCalculator"](server, calculatorHandler(calculator, logged));
  const { port } = await server.listen({ host: "127.0.0.1", port: 0 });
  return { server, port, address: `127.0.0.1:${port}` };
}
