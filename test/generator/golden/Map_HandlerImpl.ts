// Starter implementation written once by `rpcgen --skeleton` from keywords.thrift.
// It is yours to edit: rpcgen never overwrites this file.

import type { CallContext } from "@rpcgen/runtime";
import { Code, RpcError } from "@rpcgen/runtime";
import type * as keywords from "./keywords.js";
import { Promise_HandlerImpl } from "./Promise_HandlerImpl.js";

export class Map_HandlerImpl extends Promise_HandlerImpl implements keywords.Map_Handler {
  async instanceof(_Map_Service: keywords.Object_, _context: CallContext): Promise<keywords.Set_> {
    throw new RpcError(Code.UNIMPLEMENTED, "Map_.instanceof is not implemented yet");
  }
}
