import type { MethodTable } from "../../dispatch-contract.js";
import { rpcPath } from "../../protocols/http/rpc-paths.js";

/**
 * The IDL name of the service `name` designates in `table`: by its IDL name
 * (`Calculator`), qualified name or proto name (`calculator.Calculator`, as
 * gRPC health checkers name it); undefined if the table has no such service.
 */
export function servedServiceName(table: MethodTable, name: string): string | undefined {
  for (const registered of table.all()) {
    const service = registered.service;
    if (service.name === name || service.qualifiedName === name) return service.name;
    const path = rpcPath(service, registered.method.name);
    if (path.slice(1, path.indexOf("/", 1)) === name) return service.name;
  }
  return undefined;
}
