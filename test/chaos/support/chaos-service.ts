// A hand-written descriptor of the service the chaos server runs, as the
// generator would emit it:
//
//   service Chaos {
//     binary bigReply(1: i32 size)   // a reply of `size` bytes
//     i32 add(1: i32 a, 2: i32 b)
//     i32 bodySize(1: binary data)   // how many bytes arrived
//     string slow(1: i32 ms)
//   }
import type { FieldDescriptor, MethodDescriptor, ServiceDescriptor, TypeDescriptor } from "../../../runtime/descriptor.js";

function field(id: number, name: string, type: TypeDescriptor): FieldDescriptor {
  return { id, name, jsName: name, protoNumber: id === 0 ? 100000 : id, type, requiredness: "default" };
}

const i32: TypeDescriptor = { kind: "i32" };
const bin: TypeDescriptor = { kind: "binary" };
const str: TypeDescriptor = { kind: "string" };

function method(name: string, args: FieldDescriptor[], success: TypeDescriptor): MethodDescriptor {
  return {
    name,
    jsName: name,
    fullName: `Chaos.${name}`,
    service: "Chaos",
    oneway: false,
    args: { name: `chaos.Chaos_${name}_args`, kind: "struct", fields: args },
    result: { name: `chaos.Chaos_${name}_result`, kind: "struct", fields: [field(0, "success", success)] },
    hints: { idempotent: true },
    annotations: {},
  };
}

export const ChaosService: ServiceDescriptor = {
  name: "Chaos",
  qualifiedName: "chaos.Chaos",
  version: "1.0.0",
  parent: undefined,
  methods: {
    bigReply: method("bigReply", [field(1, "size", i32)], bin),
    add: method("add", [field(1, "a", i32), field(2, "b", i32)], i32),
    bodySize: method("bodySize", [field(1, "data", bin)], i32),
    slow: method("slow", [field(1, "ms", i32)], str),
  },
  annotations: {},
};
