// Starter implementation written once by `rpcgen --skeleton` from everything.thrift.
// It is yours to edit: rpcgen never overwrites this file.

import type { CallContext } from "rpcgen/runtime";
import { Code, RpcError } from "rpcgen/runtime";
import type * as everything from "./everything.js";
import type * as shared from "./shared.js";

export class ScientificCalculatorHandlerImpl implements everything.ScientificCalculatorHandler {
  /** Looks a struct up by key. */
  async getStruct(key: number, context: CallContext): Promise<shared.SharedStruct> {
    throw new RpcError(Code.UNIMPLEMENTED, "ScientificCalculator.getStruct is not implemented yet");
  }

  /** Does nothing. */
  async ping(context: CallContext): Promise<void> {
    throw new RpcError(Code.UNIMPLEMENTED, "ScientificCalculator.ping is not implemented yet");
  }

  /**
   * Adds two numbers.
   *
   * @param num1 The first.
   */
  async add(num1: number, num2: number, context: CallContext): Promise<number> {
    throw new RpcError(Code.UNIMPLEMENTED, "ScientificCalculator.add is not implemented yet");
  }

  /**
   * @throws {everything.DivideByZero} ouch Bad input.
   * @throws {everything.Awkward} awk
   */
  async calculate(logid: number, w: everything.Work, context: CallContext): Promise<bigint> {
    throw new RpcError(Code.UNIMPLEMENTED, "ScientificCalculator.calculate is not implemented yet");
  }

  async zip(note: string, context: CallContext): Promise<void> {
    throw new RpcError(Code.UNIMPLEMENTED, "ScientificCalculator.zip is not implemented yet");
  }

  async echo(v: everything.Value, context: CallContext): Promise<everything.Value> {
    throw new RpcError(Code.UNIMPLEMENTED, "ScientificCalculator.echo is not implemented yet");
  }

  async grow(
    t: everything.Tree,
    at: everything.Millis,
    context: CallContext,
  ): Promise<everything.Tree> {
    throw new RpcError(Code.UNIMPLEMENTED, "ScientificCalculator.grow is not implemented yet");
  }

  /** @deprecated use ping *\/ instead */
  async old(context: CallContext): Promise<void> {
    throw new RpcError(Code.UNIMPLEMENTED, "ScientificCalculator.old is not implemented yet");
  }

  async history(
    ops: Set<everything.Operation>,
    filter: everything.Counters,
    context: CallContext,
  ): Promise<Map<everything.Operation, everything.Work[]>> {
    throw new RpcError(Code.UNIMPLEMENTED, "ScientificCalculator.history is not implemented yet");
  }

  /** @throws {everything.DivideByZero} ouch */
  async sqrt(x: number, context: CallContext): Promise<number> {
    throw new RpcError(Code.UNIMPLEMENTED, "ScientificCalculator.sqrt is not implemented yet");
  }
}
