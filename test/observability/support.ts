import { SpanKind } from "@opentelemetry/api";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { Registry } from "prom-client";
import { Server, silentLogger, type Logger, type ServerOptions } from "@rpcgen/runtime";
import { registerCalculator } from "../../examples/calculator/gen/calculator.js";
import { CalculatorHandlerImpl } from "../../examples/calculator/calculator-handler.js";

/** Things to close after a test, last opened first. */
export class Cleanup {
  private readonly steps: Array<() => unknown> = [];
  add(step: () => unknown): void {
    this.steps.push(step);
  }
  async run(): Promise<void> {
    while (this.steps.length > 0) await this.steps.pop()!();
  }
}

export interface RunningCalculator {
  readonly server: Server;
  readonly port: number;
  readonly address: string;
  readonly handler: CalculatorHandlerImpl;
}

/** The example Calculator served on 127.0.0.1 port 0, closed by `cleanup`. */
export async function startCalculator(cleanup: Cleanup, options: ServerOptions = {}): Promise<RunningCalculator> {
  const server = new Server({ logger: silentLogger, ...options });
  const handler = new CalculatorHandlerImpl();
  registerCalculator(server, handler);
  const { port } = await server.listen({ host: "127.0.0.1", port: 0 });
  cleanup.add(() => server.close({ graceMs: 1000 }));
  return { server, port, address: `127.0.0.1:${port}`, handler };
}

/** A GET on the service port: status, content type and body. */
export async function httpGet(port: number, path: string): Promise<{ status: number; type: string | null; body: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(10_000) });
  return { status: response.status, type: response.headers.get("content-type"), body: await response.text() };
}

/** One Prometheus sample: the value of `name` whose labels include every one of `labels`, or undefined. */
export function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const open = line.indexOf("{");
    const close = line.lastIndexOf("}");
    const labelText = open >= 0 && open < close ? line.slice(open + 1, close) : "";
    const found = Object.fromEntries([...labelText.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return undefined;
}

/** A logger that keeps every line (fields and message) per level. */
export function recordingLogger(): Logger & { lines: Array<{ level: string; fields: Record<string, unknown>; msg: string | undefined }> } {
  const lines: Array<{ level: string; fields: Record<string, unknown>; msg: string | undefined }> = [];
  const at =
    (level: string) =>
    (objOrMsg: object | string, msg?: string): void => {
      if (typeof objOrMsg === "string") lines.push({ level, fields: {}, msg: objOrMsg });
      else lines.push({ level, fields: objOrMsg as Record<string, unknown>, msg });
    };
  return { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/**
 * A calculator server that records its SERVER spans in memory and its metrics
 * in a registry of its own: `serverSpans()` so far, and `countOf(labels)`, the
 * calls counted with those labels (read from the registry, since a closing
 * server answers no GET /metrics).
 */
export async function tracedCalculator(cleanup: Cleanup, options: ServerOptions = {}) {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  cleanup.add(() => provider.shutdown());
  const registry = new Registry();
  const running = await startCalculator(cleanup, { ...options, observability: { tracing: { tracerProvider: provider }, metrics: { registry } } });
  return {
    ...running,
    serverSpans: (): ReadableSpan[] => exporter.getFinishedSpans().filter((span) => span.kind === SpanKind.SERVER),
    countOf: async (labels: Record<string, string>) => sample(await registry.metrics(), "rpc_server_duration_seconds_count", labels),
  };
}

/** Sends one inline RESP command on a raw connection of its own (closed by `cleanup`) and resolves with the first chunk of the answer. */
export async function rawRespCommand(cleanup: Cleanup, port: number, line: string): Promise<string> {
  const { connect } = await import("node:net");
  const raw = connect({ port, host: "127.0.0.1" });
  cleanup.add(() => raw.destroy());
  return new Promise<string>((resolve) => {
    raw.once("data", (chunk) => resolve(chunk.toString()));
    raw.write(`${line}\r\n`);
  });
}
