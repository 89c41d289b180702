import type { MethodTable, RegisteredMethod } from "../dispatch-contract.js";

/**
 * The server's table of services with the built-in ones (reflection) behind it:
 * a wire name the user's table does not know is looked up among the built-ins,
 * so user methods pay nothing for them. `all()` lists the user's services only,
 * as RESP's COMMAND and the gRPC/Connect path scan expect.
 */
export class BuiltinMethodTable implements MethodTable {
  private readonly builtins = new Map<string, RegisteredMethod>();

  constructor(
    private readonly table: MethodTable,
    builtins: readonly RegisteredMethod[],
  ) {
    for (const registered of builtins) this.builtins.set(registered.method.fullName, registered);
  }

  lookup(fullName: string): RegisteredMethod | undefined {
    return this.table.lookup(fullName) ?? this.builtins.get(fullName);
  }

  all(): Iterable<RegisteredMethod> {
    return this.table.all();
  }
}
