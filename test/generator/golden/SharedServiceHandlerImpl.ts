// Starter implementation written once by `rpcgen --skeleton` from shared.thrift.
// It is yours to edit: rpcgen never overwrites this file.

import type { CallContext } from "@rpcgen/runtime";
import { Code, RpcError } from "@rpcgen/runtime";
import type * as shared from "./shared.js";

export class SharedServiceHandlerImpl implements shared.SharedServiceHandler {
  /** Looks a struct up by key. */
  async getStruct(_key: number, _context: CallContext): Promise<shared.SharedStruct> {
    throw new RpcError(Code.UNIMPLEMENTED, "SharedService.getStruct is not implemented yet");
  }
}
