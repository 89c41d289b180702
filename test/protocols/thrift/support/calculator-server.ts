import { Server, silentLogger, type CallContext, type ServerOptions } from "@rpcgen/runtime";
import { CalculatorHandlerImpl } from "../../../../examples/calculator/calculator-handler.js";
import { registerCalculator } from "../../../../examples/calculator/gen/calculator.js";

/** The example's handler, keeping the lines of `log` instead of printing them, and counting `add` calls. */
export class QuietCalculatorHandler extends CalculatorHandlerImpl {
  adds = 0;

  override add(a: number, b: number): number {
    this.adds++;
    return super.add(a, b);
  }

  override log(line: string, _context: CallContext): void {
    this.logLines.push(line);
  }
}

export interface RunningCalculator {
  server: Server;
  handler: QuietCalculatorHandler;
  port: number;
  close(): Promise<void>;
}

/** The calculator served by rpcgen's Server on 127.0.0.1 and a free port. */
export async function startCalculator(options: ServerOptions = {}): Promise<RunningCalculator> {
  const server = new Server({ logger: silentLogger, ...options });
  const handler = new QuietCalculatorHandler();
  registerCalculator(server, handler);
  const { port } = await server.listen({ host: "127.0.0.1", port: 0 });
  return { server, handler, port, close: () => server.close({ graceMs: 1000 }) };
}

/** Waits until `check` holds, polling; fails after `timeoutMs`. */
export async function eventually(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
