import type { CallContext } from "@rpcgen/runtime";
import type { GeneratedModule } from "./generated-stubs.js";

/**
 * A LoudEcho handler (so every Echo, Base and Root method too): echo methods
 * return their argument untouched, so one call checks encoding and decoding in
 * both directions; `many`, `touch` and `notify` record what they received.
 */
export class EchoHandler {
  /** Arguments of the last `many` call, as the handler received them. */
  lastMany: unknown[] | undefined;
  /** Keys `touch` was called with. */
  readonly touched: string[] = [];
  private readonly notified: string[] = [];
  private readonly notifyWaiters = new Map<string, () => void>();

  constructor(private readonly roundtrip: GeneratedModule) {}

  /** Resolves once `notify(event)` reached the handler (oneway calls have no reply to await). */
  notifiedWith(event: string): Promise<void> {
    if (this.notified.includes(event)) return Promise.resolve();
    return new Promise((resolve) => this.notifyWaiters.set(event, resolve));
  }

  whoAmI(context: CallContext): string {
    return context.service.qualifiedName;
  }
  stamp(s: unknown): unknown {
    return s;
  }
  add(a: number, b: number): number {
    return a + b;
  }
  shout(v: string): string {
    return v.toUpperCase();
  }
  echoBool = echo;
  echoByte = echo;
  echoI8 = echo;
  echoI16 = echo;
  echoI32 = echo;
  echoI64 = echo;
  echoDouble = echo;
  echoString = echo;
  echoBinary = echo;
  echoUuid = echo;
  echoColor = echo;
  echoList = echo;
  echoSet = echo;
  echoMap = echo;
  echoNested = echo;
  echoStructKeys = echo;
  echoDoubles = echo;
  echoScalars = echo;
  echoDefaults = echo;
  echoShape = echo;
  echoTree = echo;
  echoPath = echo;
  echoCount = echo;

  /** Negative keys are not found; key 0 is "overloaded"; others are found. */
  find(key: bigint): string {
    if (key < 0n) {
      throw new this.roundtrip["NotFound"]({ message: `no entry ${key}`, key, tried: ["cache", "disk"] });
    }
    if (key === 0n) throw new this.roundtrip["Overloaded"]({ retryAfterMs: 250 });
    return `entry ${key}`;
  }
  touch(key: string): void {
    this.touched.push(key);
  }
  notify(event: string): void {
    this.notified.push(event);
    this.notifyWaiters.get(event)?.();
    this.notifyWaiters.delete(event);
  }
  many(...args: unknown[]): string {
    // The last argument is the CallContext.
    this.lastMany = args.slice(0, -1);
    return `received ${this.lastMany.length} arguments`;
  }
}

function echo<T>(value: T): T {
  return value;
}
