import type { MethodDescriptor } from "../descriptor.js";
import { Code, RpcError } from "../errors.js";
import { declaredExceptionFieldId } from "../server/declared-exception-field.js";
import { shortName } from "../resp/type-names.js";

/** How a call ended, in the words of metrics, spans and log lines. */
export interface CallOutcome {
  /** `OK`, or the RpcError code the caller was (or would be) given. */
  readonly code: Code | "OK";
  /** Undefined on success; the declared exception's IDL name, or the code. */
  readonly errorType: string | undefined;
  /** True for a declared IDL exception (an application outcome, not a failure of the call). */
  readonly declared: boolean;
}

export const okOutcome: CallOutcome = { code: "OK", errorType: undefined, declared: false };

/**
 * The outcome of a call that threw `thrown`: a declared exception is UNKNOWN
 * with its IDL name as error type (as gRPC reports it), an RpcError its code,
 * anything else `otherCode` (INTERNAL on a server, whose outcome policy hides
 * it; UNKNOWN on a client).
 */
export function outcomeOfError(method: MethodDescriptor, thrown: unknown, otherCode: Code): CallOutcome {
  if (thrown instanceof RpcError) return { code: thrown.code, errorType: thrown.code, declared: false };
  const fieldId = declaredExceptionFieldId(method, thrown);
  if (fieldId !== undefined) {
    const field = method.result.fields.find((candidate) => candidate.id === fieldId)!;
    const name = field.type.kind === "struct" ? shortName(field.type.struct().name) : (thrown as Error).name;
    return { code: Code.UNKNOWN, errorType: name, declared: true };
  }
  return { code: otherCode, errorType: otherCode, declared: false };
}

/** `rpc.system` of a protocol name: the OpenTelemetry values where they exist, the protocol's name otherwise. */
export function rpcSystemOf(protocol: string): string {
  switch (protocol) {
    case "grpc":
      return "grpc";
    case "connect":
      return "connect_rpc";
    case "thrift":
      return "apache_thrift";
    default:
      return protocol;
  }
}
