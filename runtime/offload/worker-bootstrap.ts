/**
 * How an offload worker starts. A worker runs plain Node, without the loader
 * hooks of the main thread (Node 20 does not apply `--import` to worker
 * threads), so it starts from a few lines of JavaScript that first register
 * tsx when TypeScript must load, then import worker-main from beside this file:
 * worker-main.js when rpcgen runs compiled, worker-main.ts when it runs from
 * its source (tsx, vitest).
 */
const ownUrl = import.meta.url;
const runningFromSource = ownUrl.endsWith(".ts");

/** The worker entry's URL, with this file's own extension. */
export const workerMainUrl = new URL(`./worker-main${runningFromSource ? ".ts" : ".js"}`, ownUrl).href;

/** Whether this process runs under tsx: its loader is in the flags that started it. */
function processRunsTsx(): boolean {
  return process.execArgv.some((flag) => /[\\/]tsx[\\/]|^tsx(\/|$)/.test(flag));
}

/**
 * The source of a worker's first script. With `tsx` (by default: whenever this
 * process itself loads TypeScript) the worker registers tsx's ESM loader, found
 * from here, before anything else loads.
 */
export function workerBootstrapSource(tsx: boolean | undefined): string {
  const needsTsx = runningFromSource || (tsx ?? processRunsTsx());
  const steps = needsTsx ? [`const { register } = await import(${JSON.stringify(tsxApiUrl())});`, "register();"] : [];
  steps.push(`await import(${JSON.stringify(workerMainUrl)});`);
  // An eval'd worker is a CommonJS script: no top-level await, so wrap it; a failure
  // to load surfaces as the worker's "error" event.
  return `(async () => { ${steps.join(" ")} })().catch((error) => { setImmediate(() => { throw error; }); });`;
}

function tsxApiUrl(): string {
  try {
    return import.meta.resolve("tsx/esm/api");
  } catch (error) {
    throw new Error(
      "offload: the worker threads must load TypeScript, but tsx cannot be found; install it or set ServerOptions.offload.tsx = false and point at compiled .js handler modules",
      { cause: error },
    );
  }
}
