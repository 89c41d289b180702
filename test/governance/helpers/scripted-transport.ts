import { EventEmitter } from "node:events";
import type { CallOptions, MethodDescriptor, ProviderInfo, ProviderTransport } from "@rpcgen/runtime";

/** How a scripted provider answers a call. */
export type Behaviour = (
  method: MethodDescriptor,
  args: readonly unknown[],
  options: CallOptions | undefined,
) => Promise<unknown>;

/**
 * An in-process provider transport for unit tests of governance logic: answers
 * with a deterministic behaviour the test sets, and records every call.
 */
export class ScriptedTransport extends EventEmitter implements ProviderTransport {
  calls: Array<{ method: string; args: readonly unknown[]; options: CallOptions | undefined }> = [];
  pendingCalls = 0;
  closed = false;
  pingOk = true;
  pings = 0;

  constructor(
    readonly address: string,
    public behaviour: Behaviour,
    private readonly order: string[] = [],
  ) {
    super();
  }

  async invoke(method: MethodDescriptor, args: readonly unknown[], options?: CallOptions): Promise<unknown> {
    this.calls.push({ method: method.name, args, options });
    this.order.push(this.address);
    this.pendingCalls += 1;
    try {
      return await this.behaviour(method, args, options);
    } finally {
      this.pendingCalls -= 1;
    }
  }

  async ping(): Promise<number> {
    this.pings += 1;
    if (!this.pingOk) throw new Error("ping refused");
    return 1;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

/** Keeps one ScriptedTransport per address; the factory hands them to the invoker. */
export class TransportBook {
  readonly byAddress = new Map<string, ScriptedTransport>();
  /** Address of every call, across all transports, in the order they were sent. */
  readonly order: string[] = [];

  constructor(private readonly behaviourFor: (address: string) => Behaviour) {}

  readonly factory = (provider: ProviderInfo): ScriptedTransport => {
    const transport = new ScriptedTransport(provider.address, this.behaviourFor(provider.address), this.order);
    this.byAddress.set(provider.address, transport);
    return transport;
  };

  get(address: string): ScriptedTransport {
    const transport = this.byAddress.get(address);
    if (transport === undefined) throw new Error(`no transport opened for ${address}`);
    return transport;
  }

  /** Calls the transport of `address` received. */
  callCount(address: string): number {
    return this.byAddress.get(address)?.calls.length ?? 0;
  }
}

/** A promise that never settles until the call's signal aborts (then rejects with the reason). */
export function hangUntilAborted(options: CallOptions | undefined): Promise<never> {
  return new Promise((_resolve, reject) => {
    options?.signal?.addEventListener("abort", () => reject(options.signal!.reason), { once: true });
  });
}
