import type { FieldDescriptor, MethodDescriptor, ServiceDescriptor } from "@rpcgen/runtime";

// `service Bench { string echo(1: string text) }`, written out as the generator would.
const text: FieldDescriptor = {
  id: 1,
  name: "text",
  jsName: "text",
  protoNumber: 1,
  type: { kind: "string" },
  requiredness: "default",
};
const success: FieldDescriptor = {
  ...text,
  id: 0,
  name: "success",
  jsName: "success",
  protoNumber: 100000,
};

export const benchEcho: MethodDescriptor = {
  name: "echo",
  jsName: "echo",
  fullName: "Bench.echo",
  service: "Bench",
  oneway: false,
  args: { name: "bench.Bench_echo_args", kind: "struct", fields: [text] },
  result: {
    name: "bench.Bench_echo_result",
    kind: "struct",
    fields: [success],
  },
  hints: {},
  annotations: {},
};

export const BenchService: ServiceDescriptor = {
  name: "Bench",
  qualifiedName: "bench.Bench",
  version: undefined,
  parent: undefined,
  methods: { echo: benchEcho },
  annotations: {},
};
