import type { MethodDescriptor, MethodHints, ServiceDescriptor } from "@rpcgen/runtime";

/** Builds a method descriptor with one string argument `key` and the given hints. */
export function method(service: string, name: string, hints: MethodHints = {}): MethodDescriptor {
  return {
    name,
    jsName: name,
    fullName: `${service}.${name}`,
    service,
    oneway: false,
    args: {
      name: `${service}.${name}_args`,
      kind: "struct",
      fields: [
        { id: 1, name: "key", jsName: "key", protoNumber: 1, type: { kind: "string" }, requiredness: "default" },
      ],
    },
    result: {
      name: `${service}.${name}_result`,
      kind: "struct",
      fields: [
        {
          id: 0,
          name: "success",
          jsName: "success",
          protoNumber: 1,
          type: { kind: "string" },
          requiredness: "optional",
        },
      ],
    },
    hints,
    annotations: {},
  };
}

/** A service "Store" (or `name`) with: get (idempotent, routekey=key), put (not idempotent), read (idempotent). */
export function storeService(name = "Store"): ServiceDescriptor {
  return {
    name,
    qualifiedName: `test.${name}`,
    version: "1.0.0",
    parent: undefined,
    methods: {
      get: method(name, "get", { idempotent: true, routeKey: "key" }),
      put: method(name, "put", {}),
      read: method(name, "read", { idempotent: true }),
    },
    annotations: {},
  };
}
