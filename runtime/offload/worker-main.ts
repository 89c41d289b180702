/**
 * The entry of an offload worker thread (started by worker-bootstrap.ts): loads
 * the handler modules, then runs one task at a time and reports its value or
 * what it threw. A task's arguments and result are moved where they can be.
 */
import { parentPort, workerData } from "node:worker_threads";
import { prepareTransfer } from "./transferables.js";
import { describeThrown } from "./thrown-value.js";
import { WorkerContext } from "./worker-context.js";
import type { FromWorker, OffloadedMethodEntry, TaskMessage, ToWorker, WorkerInit } from "./worker-messages.js";

type HandlerFunction = (...args: unknown[]) => unknown;

interface LoadedMethod {
  readonly entry: OffloadedMethodEntry;
  readonly fn: HandlerFunction;
  readonly self: unknown;
}

const port = parentPort!;
const init = workerData as WorkerInit;
const cancelFlag = new Int32Array(init.cancelFlag);
const loaded: Array<Promise<LoadedMethod>> = [];
/** The methods already loaded, so that a call does not wait a microtask for a settled promise. */
const ready: Array<LoadedMethod | undefined> = [];
let current: WorkerContext | undefined;

init.methods.forEach((entry, index) => define(index, entry));
Promise.all(loaded).then(
  () => send({ type: "ready" }),
  (error: unknown) => send({ type: "failed", message: loadFailure(error) }),
);

port.on("message", (message: ToWorker) => {
  if (message.type === "task") void run(message);
  else if (message.type === "define") define(message.index, message.entry);
  else if (current?.taskId === message.id) current.abort(message.reason);
});

function loadFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if ((error as { code?: unknown } | undefined)?.code !== "ERR_UNKNOWN_FILE_EXTENSION") return message;
  return `${message} (a TypeScript handler module needs tsx in the workers: set ServerOptions.offload.tsx = true, or point at the compiled .js)`;
}

function define(index: number, entry: OffloadedMethodEntry): void {
  const method = loadMethod(entry);
  // A method defined after start fails its own calls if it cannot load; keep the rejection handled meanwhile.
  method.then((done) => (ready[index] = done)).catch(() => {});
  loaded[index] = method;
}

async function loadMethod(entry: OffloadedMethodEntry): Promise<LoadedMethod> {
  const module = (await import(entry.moduleUrl)) as Record<string, unknown>;
  const owners = entry.exportName !== undefined ? [module[entry.exportName]] : [module, module["default"]];
  for (const owner of owners) {
    const fn = (owner as Record<string, unknown> | undefined)?.[entry.jsName];
    if (typeof fn === "function") return { entry, fn: fn as HandlerFunction, self: owner === module ? undefined : owner };
  }
  const where = entry.exportName !== undefined ? `its export "${entry.exportName}"` : `a named export or the default export`;
  throw new TypeError(`${entry.moduleUrl} does not implement ${entry.fullName}: expected a function "${entry.jsName}" in ${where}`);
}

async function run(task: TaskMessage): Promise<void> {
  try {
    const method = ready[task.method] ?? (await loaded[task.method]!);
    const context = new WorkerContext(task, method.entry.fullName, cancelFlag);
    current = context;
    let value = method.fn.call(method.self, ...task.args, context);
    // A synchronous handler's result goes back at once, without a turn through the microtask queue.
    if (isThenable(value)) value = await value;
    current = undefined;
    reply(task, value, method.entry.resultHoldsBinary);
  } catch (thrown) {
    current = undefined;
    send({ type: "thrown", id: task.id, thrown: describeThrown(thrown) });
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === "object" && value !== null && typeof (value as PromiseLike<unknown>).then === "function";
}

function reply(task: TaskMessage, value: unknown, holdsBinary: boolean): void {
  const transfer: ArrayBuffer[] = [];
  const wrapped = [value];
  if (holdsBinary) prepareTransfer(wrapped, transfer);
  try {
    port.postMessage({ type: "result", id: task.id, value: wrapped[0] } satisfies FromWorker, transfer);
  } catch (error) {
    // A result structured clone cannot copy (a function, a class with private state): the call fails, the worker lives on.
    send({ type: "thrown", id: task.id, thrown: describeThrown(error) });
  }
}

function send(message: FromWorker): void {
  port.postMessage(message);
}
