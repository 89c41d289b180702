/**
 * The public API of rpcgen's code generator: turn a checked Program (from
 * `loadProgram` in rpcgen/idl) into TypeScript and .proto files.
 */
export { generate, GenerateError, TemplateError, type GenerateOptions, type GeneratedFile } from "./generate.js";
export { protoNumber } from "./proto-number.js";
