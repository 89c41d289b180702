// protobufjs is CommonJS; the minimal build has only Reader and Writer, which is all
// the binary codec uses (no reflection, no Long).
import protobuf from "protobufjs/minimal.js";

export type Reader = protobuf.Reader;
export type Writer = protobuf.Writer;
export const Reader = protobuf.Reader;
export const Writer = protobuf.Writer;
