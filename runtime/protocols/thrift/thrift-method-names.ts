import type { MethodTable, RegisteredMethod } from "../../dispatch-contract.js";
import { Code, RpcError } from "../../errors.js";

/**
 * Turns the name in a Thrift message header into a registered method:
 * `Service:method` (TMultiplexedProtocol) names the service; a plain `method`
 * is taken when exactly one registered service has a method of that name, as a
 * server of one service (or of services whose method names do not clash) needs.
 * Names that resolve are remembered, so a call costs one Map lookup; names that
 * do not are never stored, so a client sending made-up names costs no memory.
 * (A plain name is resolved when first called: register every service before
 * serving, as usual, or a later service sharing a method name goes unnoticed.)
 */
export class ThriftMethodNames {
  private readonly resolved = new Map<string, RegisteredMethod>();

  constructor(private readonly table: MethodTable) {}

  resolve(name: string): RegisteredMethod | undefined {
    const known = this.resolved.get(name);
    if (known !== undefined) return known;
    const found = this.find(name);
    if (found !== undefined) this.resolved.set(name, found);
    return found;
  }

  /** Why `name` resolved to nothing, when the reason is not simply that no service has it. */
  ambiguity(name: string): RpcError | undefined {
    if (name.includes(":")) return undefined;
    const services = this.servicesWith(name);
    if (services.length < 2) return undefined;
    return new RpcError(
      Code.UNIMPLEMENTED,
      `method "${name}" is served by several services (${services.join(", ")}): call it as <Service>:${name} (TMultiplexedProtocol)`,
    );
  }

  private find(name: string): RegisteredMethod | undefined {
    const colon = name.indexOf(":");
    if (colon >= 0) return this.table.lookup(`${name.slice(0, colon)}.${name.slice(colon + 1)}`);
    let match: RegisteredMethod | undefined;
    for (const registered of this.table.all()) {
      if (registered.method.name !== name) continue;
      if (match !== undefined) return undefined;
      match = registered;
    }
    return match;
  }

  private servicesWith(name: string): string[] {
    const services: string[] = [];
    for (const registered of this.table.all()) {
      if (registered.method.name === name) services.push(registered.service.name);
    }
    return services;
  }
}

const perTable = new WeakMap<MethodTable, ThriftMethodNames>();

/** The name index of a server's method table, shared by its Thrift connections. */
export function thriftMethodNamesOf(table: MethodTable): ThriftMethodNames {
  let names = perTable.get(table);
  if (names === undefined) {
    names = new ThriftMethodNames(table);
    perTable.set(table, names);
  }
  return names;
}

/** The method part of a message name (`Service:method` → `method`): what replies carry. */
export function methodPartOf(name: string): string {
  const colon = name.indexOf(":");
  return colon < 0 ? name : name.slice(colon + 1);
}
