import type { CallContext } from "../../call.js";
import { defineService } from "../../define-descriptors.js";
import type { ServiceDescriptor } from "../../descriptor.js";
import type { MethodTable, RegisteredMethod } from "../../dispatch-contract.js";
import { describeServices } from "./reflection-schema.js";

/**
 * The built-in reflection service: `rpcgen.Reflection.describe()` returns the
 * server's ReflectionDocument as JSON text. Its dotted name cannot clash with
 * an IDL service (IDL names have no dots). Callable over rpcgen frames
 * (`rpcgen list`/`rpcgen call` use it) and RESP
 * (`redis-cli CALL rpcgen.Reflection.describe`).
 */
export const ReflectionService: ServiceDescriptor = defineService({
  name: "rpcgen.Reflection",
  qualifiedName: "rpcgen.Reflection",
  version: "1.0.0",
  methods: {
    describe: { returns: { kind: "string" }, hints: { idempotent: true } },
  },
});

/** The registered `describe` method, answering for `table`. */
export function reflectionMethods(table: MethodTable): RegisteredMethod[] {
  const describe: RegisteredMethod = {
    service: ReflectionService,
    method: ReflectionService.methods["describe"]!,
    promisedArguments: [],
    // Described at each call: services may be added while the server runs, and reflection is rare.
    invoke: (_args: readonly unknown[], _context: CallContext) => Promise.resolve(JSON.stringify(describeServices(table))),
  };
  return [describe];
}
