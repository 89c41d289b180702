// Starter implementation written once by `rpcgen --skeleton` from keywords.thrift.
// It is yours to edit: rpcgen never overwrites this file.

import type { CallContext } from "@rpcgen/runtime";
import { Code, RpcError } from "@rpcgen/runtime";
import type * as keywords from "./keywords.js";

export class Promise_HandlerImpl implements keywords.Promise_Handler {
  /** @throws {keywords.constructor} err */
  async delete(
    _typeof_: string,
    _Error_: keywords.Map_,
    _options: number,
    _context: CallContext,
  ): Promise<keywords.Map_> {
    throw new RpcError(Code.UNIMPLEMENTED, "Promise_.delete is not implemented yet");
  }

  async constructor_(
    _in_: keywords.Set_,
    _context: keywords.Object_,
    _context_: CallContext,
  ): Promise<void> {
    throw new RpcError(Code.UNIMPLEMENTED, "Promise_.constructor is not implemented yet");
  }

  async toString(___proto__: string, _context: CallContext): Promise<string> {
    throw new RpcError(Code.UNIMPLEMENTED, "Promise_.toString is not implemented yet");
  }

  async __proto___(_context: CallContext): Promise<keywords.Object_> {
    throw new RpcError(Code.UNIMPLEMENTED, "Promise_.__proto__ is not implemented yet");
  }
}
