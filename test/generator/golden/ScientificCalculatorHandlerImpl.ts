// Starter implementation written once by `rpcgen --skeleton` from everything.thrift.
// It is yours to edit: rpcgen never overwrites this file.

import type { CallContext } from "@rpcgen/runtime";
import { Code, RpcError } from "@rpcgen/runtime";
import type * as everything from "./everything.js";
import { CalculatorHandlerImpl } from "./CalculatorHandlerImpl.js";

export class ScientificCalculatorHandlerImpl
  extends CalculatorHandlerImpl
  implements everything.ScientificCalculatorHandler
{
  /** @throws {everything.DivideByZero} ouch */
  async sqrt(_x: number, _context: CallContext): Promise<number> {
    throw new RpcError(Code.UNIMPLEMENTED, "ScientificCalculator.sqrt is not implemented yet");
  }
}
