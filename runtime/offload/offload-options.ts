import { availableParallelism } from "node:os";
import type { ResourceLimits } from "node:worker_threads";

/**
 * A module whose exports implement offloaded methods, loaded in every worker
 * thread: a URL (`new URL("./fib-handler.js", import.meta.url)`, which names the
 * compiled file next to the compiled caller and, under tsx, finds the `.ts`
 * file of the same name), an absolute path, or either with the name of the
 * export that holds the handler object.
 */
export type HandlerModule = URL | string | { readonly module: URL | string; readonly export?: string };

/**
 * `ServerOptions.offload`: which methods run in a pool of worker threads, and
 * the pool's limits. A method is offloaded when its IDL says
 * `(rpc.offload = "worker")` or when `methods` names it; see docs/OFFLOAD.md.
 */
export interface OffloadOptions {
  /**
   * By wire name (`Calculator.fib`): the module that implements the method in the
   * workers. Naming a method here offloads it even without the annotation;
   * `"inline"` keeps a method annotated `rpc.offload = "worker"` on the event loop
   * (its handler then comes from the handler object, as for any other method).
   */
  readonly methods?: Readonly<Record<string, HandlerModule | "inline">>;
  /** By service name: the module for the service's methods annotated `rpc.offload = "worker"` that `methods` does not name. */
  readonly services?: Readonly<Record<string, HandlerModule>>;
  /** Worker threads in the pool, shared by every offloaded method. Default: the cores less one, at least 1. */
  readonly threads?: number;
  /**
   * Calls that may wait for a free worker. A call beyond it fails at once with
   * RESOURCE_EXHAUSTED. Default: 16 per thread.
   */
  readonly maxQueue?: number;
  /**
   * A worker still busy with a call this long after the call was cancelled or
   * passed its deadline is terminated and replaced: its handler did not look at
   * `context.signal`. Default 1000.
   */
  readonly recycleAfterMs?: number;
  /**
   * Register tsx's loader in each worker before the handler modules load, so they
   * may be TypeScript. Default: on when this process runs under tsx (`tsx main.ts`,
   * `node --import tsx`) or loads rpcgen's runtime from its TypeScript source.
   * Node 20 does not run `--import` hooks in worker threads, hence this option.
   */
  readonly tsx?: boolean;
  /** V8 heap limits of each worker (node:worker_threads `resourceLimits`). */
  readonly resourceLimits?: ResourceLimits;
}

/** The pool's settings with every default applied. */
export interface PoolSettings {
  readonly threads: number;
  readonly maxQueue: number;
  readonly recycleAfterMs: number;
  readonly tsx: boolean | undefined;
  readonly resourceLimits: ResourceLimits | undefined;
}

export function resolvePoolSettings(options: OffloadOptions): PoolSettings {
  const threads = whole("threads", options.threads ?? Math.max(1, availableParallelism() - 1), 1);
  return {
    threads,
    maxQueue: whole("maxQueue", options.maxQueue ?? 16 * threads, 0),
    recycleAfterMs: whole("recycleAfterMs", options.recycleAfterMs ?? 1000, 0),
    tsx: options.tsx,
    resourceLimits: options.resourceLimits,
  };
}

function whole(name: string, value: number, min: number): number {
  if (!(Number.isInteger(value) && value >= min)) {
    throw new TypeError(`server option offload.${name} must be an integer of at least ${min}, got ${String(value)}`);
  }
  return value;
}
