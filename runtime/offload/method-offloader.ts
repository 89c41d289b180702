import type { CallContext } from "../call.js";
import type { MethodDescriptor, ServiceDescriptor } from "../descriptor.js";
import type { Logger } from "../logger.js";
import { offloadTarget } from "./offload-choice.js";
import { resolvePoolSettings, type OffloadOptions, type PoolSettings } from "./offload-options.js";
import { structHoldsBinary, typeHoldsBinary } from "./transferables.js";
import { WorkerPool } from "./worker-pool.js";

export type OffloadedInvoke = (args: readonly unknown[], context: CallContext) => Promise<unknown>;

/**
 * The server's side of offloading: asked once per method at registration,
 * it answers with an invoke that runs the method in the worker pool, or with
 * undefined, and the method runs inline exactly as before (no per-call check).
 * The pool exists only once a method is offloaded.
 */
export class MethodOffloader {
  private readonly options: OffloadOptions;
  private readonly settings: PoolSettings;
  private pool: WorkerPool | undefined;
  private readonly seenMethods = new Set<string>();
  private readonly seenServices = new Set<string>();

  constructor(
    options: OffloadOptions | undefined,
    private readonly logger: Logger,
  ) {
    this.options = options ?? {};
    this.settings = resolvePoolSettings(this.options);
  }

  invokerFor(service: ServiceDescriptor, method: MethodDescriptor): OffloadedInvoke | undefined {
    this.seenMethods.add(method.fullName);
    this.seenServices.add(service.name);
    const target = offloadTarget(service, method, this.options);
    if (target === undefined) return undefined;
    const pool = (this.pool ??= new WorkerPool(this.settings, this.logger));
    const success = method.result.fields.find((field) => field.id === 0);
    const index = pool.define({
      fullName: method.fullName,
      jsName: method.jsName,
      moduleUrl: target.moduleUrl,
      exportName: target.exportName,
      resultHoldsBinary: success !== undefined && typeHoldsBinary(success.type),
    });
    const argsHoldBinary = structHoldsBinary(method.args);
    return (args, context) => pool.run(index, method, args, context, argsHoldBinary);
  }

  /**
   * Before the server listens: a name in the options that no registered method
   * has is a typo that would silently run a method inline, so it is an error;
   * then the threads start and load their modules (a module that fails to load
   * fails `listen`).
   */
  async start(): Promise<void> {
    const unknownMethods = Object.keys(this.options.methods ?? {}).filter((name) => !this.seenMethods.has(name));
    const unknownServices = Object.keys(this.options.services ?? {}).filter((name) => !this.seenServices.has(name));
    const unknown = [...unknownMethods.map((n) => `offload.methods["${n}"]`), ...unknownServices.map((n) => `offload.services["${n}"]`)];
    if (unknown.length > 0) throw new TypeError(`${unknown.join(", ")}: no registered service has it`);
    await this.pool?.start();
  }

  /** Once the server's calls have drained: stops the threads. */
  async close(): Promise<void> {
    await this.pool?.close();
  }
}
