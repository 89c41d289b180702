import type { MethodTable, RegisteredMethod } from "../../dispatch-contract.js";
import type { ServiceDescriptor, StructDescriptor } from "../../descriptor.js";

/**
 * A proto identifier from an IDL name, by the generator's rule
 * (docs/PROTO-MAPPING.md): characters other than `[A-Za-z0-9_]` become `_`, and
 * a leading digit gets a `_` in front.
 */
export function protoIdentifier(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_]/g, "_");
  return /^[0-9]/.test(cleaned) ? `_${cleaned}` : cleaned;
}

/** The proto package of a service: the scope part of its qualified name, as a proto identifier. */
function protoPackageOf(service: ServiceDescriptor): string {
  return protoIdentifier(service.qualifiedName.slice(0, service.qualifiedName.length - service.name.length - 1));
}

/**
 * The fully qualified proto name of a struct or exception message, e.g.
 * `calculator.DivideByZero`: the type name in gRPC status details and Connect
 * error details. (A qualified IDL name is `<scope>.<Name>`.)
 */
export function protoMessageName(struct: StructDescriptor): string {
  const dot = struct.name.lastIndexOf(".");
  return `${protoIdentifier(struct.name.slice(0, dot))}.${protoIdentifier(struct.name.slice(dot + 1))}`;
}

/** `/<package>.<Service>/<method>`: the path of a method for gRPC and Connect, as in the generated `.proto`. */
export function rpcPath(service: ServiceDescriptor, methodName: string): string {
  return `/${protoPackageOf(service)}.${protoIdentifier(service.name)}/${protoIdentifier(methodName)}`;
}

const tables = new WeakMap<MethodTable, RpcPaths>();

/**
 * The registered methods of a server by gRPC/Connect path. A path is tried as
 * `<Service>.<method>` first (the wire name, one map lookup); only names the
 * proto rules changed need the scan. Hits are cached; misses are not, so random
 * paths cannot grow the cache.
 */
export class RpcPaths {
  private readonly byPath = new Map<string, RegisteredMethod>();

  private constructor(private readonly table: MethodTable) {}

  static of(table: MethodTable): RpcPaths {
    let paths = tables.get(table);
    if (paths === undefined) {
      paths = new RpcPaths(table);
      tables.set(table, paths);
    }
    return paths;
  }

  lookup(path: string): RegisteredMethod | undefined {
    const cached = this.byPath.get(path);
    if (cached !== undefined) return cached;
    const found = this.guess(path) ?? this.scan(path);
    if (found !== undefined) this.byPath.set(path, found);
    return found;
  }

  private guess(path: string): RegisteredMethod | undefined {
    const slash = path.indexOf("/", 1);
    if (path.charCodeAt(0) !== 0x2f || slash < 0) return undefined;
    const qualified = path.slice(1, slash);
    const service = qualified.slice(qualified.lastIndexOf(".") + 1);
    const registered = this.table.lookup(`${service}.${path.slice(slash + 1)}`);
    return registered !== undefined && rpcPath(registered.service, registered.method.name) === path ? registered : undefined;
  }

  private scan(path: string): RegisteredMethod | undefined {
    // A method's path has exactly two slashes (names lose theirs to `_`): other paths need no scan.
    const slash = path.indexOf("/", 1);
    if (path.length > 1024 || path.charCodeAt(0) !== 0x2f || slash < 0 || path.indexOf("/", slash + 1) >= 0) return undefined;
    for (const registered of this.table.all()) {
      if (rpcPath(registered.service, registered.method.name) === path) return registered;
    }
    return undefined;
  }
}
