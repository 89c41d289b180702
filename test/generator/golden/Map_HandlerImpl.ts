// Starter implementation written once by `rpcgen --skeleton` from keywords.thrift.
// It is yours to edit: rpcgen never overwrites this file.

import type { CallContext } from "rpcgen/runtime";
import { Code, RpcError } from "rpcgen/runtime";
import type * as keywords from "./keywords.js";

export class Map_HandlerImpl implements keywords.Map_Handler {
  /** @throws {keywords.constructor} err */
  async delete(
    typeof_: string,
    Error_: keywords.Map_,
    options: number,
    context: CallContext,
  ): Promise<keywords.Map_> {
    throw new RpcError(Code.UNIMPLEMENTED, "Map_.delete is not implemented yet");
  }

  async constructor_(
    in_: keywords.Set_,
    context: keywords.Object_,
    context_: CallContext,
  ): Promise<void> {
    throw new RpcError(Code.UNIMPLEMENTED, "Map_.constructor is not implemented yet");
  }

  async toString(__proto__: string, context: CallContext): Promise<string> {
    throw new RpcError(Code.UNIMPLEMENTED, "Map_.toString is not implemented yet");
  }

  async __proto___(context: CallContext): Promise<keywords.Object_> {
    throw new RpcError(Code.UNIMPLEMENTED, "Map_.__proto__ is not implemented yet");
  }

  async instanceof(Map_Service: keywords.Object_, context: CallContext): Promise<keywords.Set_> {
    throw new RpcError(Code.UNIMPLEMENTED, "Map_.instanceof is not implemented yet");
  }
}
