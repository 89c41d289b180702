import { Code } from "../../errors.js";

/** gRPC status numbers by our codes (RpcError codes are gRPC's names). */
export const grpcStatusOf: Readonly<Record<Code, number>> = {
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
};

/** The status a gRPC call ends with when the handler threw a declared IDL exception (see docs/PROTO-MAPPING.md). */
export const declaredExceptionStatus = grpcStatusOf[Code.UNKNOWN];

const codeByStatus = new Map<number, Code>(Object.entries(grpcStatusOf).map(([code, status]) => [status, code as Code]));

/** Our code for a gRPC status other than OK (0); an unknown number is UNKNOWN. */
export function codeOfGrpcStatus(status: number): Code {
  return codeByStatus.get(status) ?? Code.UNKNOWN;
}

/**
 * `grpc-message` is percent-encoded UTF-8: bytes outside space..`~`, and `%`
 * itself, become `%XX`. Most messages are plain ASCII and pass unchanged.
 */
export function encodeGrpcMessage(message: string): string {
  if (/^[\x20-\x24\x26-\x7e]*$/.test(message)) return message;
  let out = "";
  for (const byte of Buffer.from(message, "utf8")) {
    out += byte >= 0x20 && byte <= 0x7e && byte !== 0x25 ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** Decodes `grpc-message`; a broken escape is kept as it is, as the spec asks (never an error). */
export function decodeGrpcMessage(text: string): string {
  if (!text.includes("%")) return text;
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const hex = text.charCodeAt(i) === 0x25 ? text.slice(i + 1, i + 3) : "";
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(text[i]!, "utf8"));
    }
  }
  return Buffer.from(bytes).toString("utf8");
}
