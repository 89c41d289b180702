import type { FieldDescriptor, MethodDescriptor } from "../descriptor.js";
import { Code, RpcError } from "../errors.js";

/** Per method, the positions of the arguments a handler is promised a value for. */
const requiredPositions = new WeakMap<MethodDescriptor, readonly number[]>();

function positionsOf(method: MethodDescriptor): readonly number[] {
  let positions = requiredPositions.get(method);
  if (positions === undefined) {
    positions = [];
    method.args.fields.forEach((field, index) => {
      if (isPromised(field)) (positions as number[]).push(index);
    });
    requiredPositions.set(method, positions);
  }
  return positions;
}

/**
 * An argument is promised to the handler unless it is declared `optional`:
 * Thrift's default requiredness is written by every client, and the generated
 * handler type gives it a non-optional parameter. (A missing argument with an
 * IDL default was given that default by the codec already.)
 */
function isPromised(field: FieldDescriptor): boolean {
  return field.requiredness !== "optional";
}

/**
 * Checks decoded arguments before the handler runs: a missing argument that the
 * handler's type promises is INVALID_ARGUMENT naming it, with the same message
 * whichever protocol carried the call. Extra arguments never get this far: the
 * codecs skip fields the method does not declare (a newer client calling an
 * older server, as Thrift and protobuf do).
 */
export function checkArguments(method: MethodDescriptor, args: readonly unknown[]): void {
  const positions = positionsOf(method);
  for (let i = 0; i < positions.length; i++) {
    const position = positions[i]!;
    const value = args[position];
    if (value === undefined || value === null) throw missingArgument(method, method.args.fields[position]!);
  }
}

export function missingArgument(method: MethodDescriptor, field: FieldDescriptor): RpcError {
  return new RpcError(Code.INVALID_ARGUMENT, `${method.fullName}: argument '${field.name}' is missing`);
}
