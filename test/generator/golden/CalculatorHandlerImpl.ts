// Starter implementation written once by `rpcgen --skeleton` from everything.thrift.
// It is yours to edit: rpcgen never overwrites this file.

import type { CallContext } from "@rpcgen/runtime";
import { Code, RpcError } from "@rpcgen/runtime";
import type * as everything from "./everything.js";
import { SharedServiceHandlerImpl } from "./SharedServiceHandlerImpl.js";

export class CalculatorHandlerImpl
  extends SharedServiceHandlerImpl
  implements everything.CalculatorHandler
{
  /** Does nothing. */
  async ping(_context: CallContext): Promise<void> {
    throw new RpcError(Code.UNIMPLEMENTED, "Calculator.ping is not implemented yet");
  }

  /**
   * Adds two numbers.
   *
   * @param _num1 The first.
   */
  async add(_num1: number, _num2: number, _context: CallContext): Promise<number> {
    throw new RpcError(Code.UNIMPLEMENTED, "Calculator.add is not implemented yet");
  }

  /**
   * Runs one operation.
   *
   * @see add
   * @throws {everything.DivideByZero} ouch Bad input.
   * @throws {everything.Awkward} awk when it feels like it
   */
  async calculate(_logid: number, _w: everything.Work, _context: CallContext): Promise<bigint> {
    throw new RpcError(Code.UNIMPLEMENTED, "Calculator.calculate is not implemented yet");
  }

  async zip(_note: string, _context: CallContext): Promise<void> {
    throw new RpcError(Code.UNIMPLEMENTED, "Calculator.zip is not implemented yet");
  }

  async echo(_v: everything.Value, _context: CallContext): Promise<everything.Value> {
    throw new RpcError(Code.UNIMPLEMENTED, "Calculator.echo is not implemented yet");
  }

  async grow(
    _t: everything.Tree,
    _at: everything.Millis,
    _context: CallContext,
  ): Promise<everything.Tree> {
    throw new RpcError(Code.UNIMPLEMENTED, "Calculator.grow is not implemented yet");
  }

  /** @deprecated use ping *\/ instead */
  async old(_context: CallContext): Promise<void> {
    throw new RpcError(Code.UNIMPLEMENTED, "Calculator.old is not implemented yet");
  }

  async history(
    _ops: Set<everything.Operation>,
    _filter: everything.Counters,
    _context: CallContext,
  ): Promise<Map<everything.Operation, everything.Work[]>> {
    throw new RpcError(Code.UNIMPLEMENTED, "Calculator.history is not implemented yet");
  }
}
