import type { FieldDescriptor, MethodDescriptor } from "../descriptor.js";
import { Code, RpcError } from "../errors.js";

/**
 * The positions of the arguments a handler is promised a value for: all but
 * those declared `optional`. Thrift's default requiredness is written by every
 * client, and the generated handler type gives it a non-optional parameter. (A
 * missing argument with an IDL default was given that default by the codec.)
 */
export function promisedArguments(method: MethodDescriptor): number[] {
  const positions: number[] = [];
  method.args.fields.forEach((field, index) => {
    if (field.requiredness !== "optional") positions.push(index);
  });
  return positions;
}

/**
 * Checks decoded arguments before the handler runs: a missing argument that the
 * handler's type promises is INVALID_ARGUMENT naming it, with the same message
 * whichever protocol carried the call. Extra arguments never get this far: the
 * codecs skip fields the method does not declare (a newer client calling an
 * older server, as Thrift and protobuf do).
 */
export function checkArguments(method: MethodDescriptor, promised: readonly number[], args: readonly unknown[]): void {
  for (let i = 0; i < promised.length; i++) {
    const position = promised[i]!;
    const value = args[position];
    if (value === undefined || value === null) throw missingArgument(method, method.args.fields[position]!);
  }
}

export function missingArgument(method: MethodDescriptor, field: FieldDescriptor): RpcError {
  return new RpcError(Code.INVALID_ARGUMENT, `${method.fullName}: argument '${field.name}' is missing`);
}
