import { protoNumberOf } from "@rpcgen/runtime/internal/define-descriptors.js";

/**
 * The protobuf field number of a Thrift field id, per docs/PROTO-MAPPING.md.
 * The runtime derives every descriptor's number with the same function, so the
 * generated `.proto` and the binary codec cannot disagree.
 */
export const protoNumber: (thriftId: number) => number = protoNumberOf;
