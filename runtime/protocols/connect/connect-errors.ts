import type { Code } from "../../errors.js";

/** Connect's name and HTTP status for each of our codes (connectrpc.com/docs/protocol#error-codes). */
const connectCodes: Readonly<Record<Code, readonly [name: string, httpStatus: number]>> = {
  CANCELLED: ["canceled", 499],
  UNKNOWN: ["unknown", 500],
  INVALID_ARGUMENT: ["invalid_argument", 400],
  DEADLINE_EXCEEDED: ["deadline_exceeded", 504],
  NOT_FOUND: ["not_found", 404],
  ALREADY_EXISTS: ["already_exists", 409],
  PERMISSION_DENIED: ["permission_denied", 403],
  RESOURCE_EXHAUSTED: ["resource_exhausted", 429],
  FAILED_PRECONDITION: ["failed_precondition", 400],
  ABORTED: ["aborted", 409],
  OUT_OF_RANGE: ["out_of_range", 400],
  UNIMPLEMENTED: ["unimplemented", 501],
  INTERNAL: ["internal", 500],
  UNAVAILABLE: ["unavailable", 503],
  DATA_LOSS: ["data_loss", 500],
  UNAUTHENTICATED: ["unauthenticated", 401],
};

/** One entry of an error's `details`: a protobuf message, base64 without padding, and its JSON for people. */
export interface ConnectErrorDetail {
  readonly type: string;
  readonly value: Uint8Array;
  /** Proto3 JSON text of the message, shown under `debug`. */
  readonly debugJson?: string;
}

/** A Connect error: its HTTP status, and the JSON body `{"code": …, "message": …, "details": […]}`. */
export function connectError(code: Code, message: string, details: readonly ConnectErrorDetail[] = [], httpStatus?: number): { status: number; body: string } {
  const [name, status] = connectCodes[code];
  let body = `{"code":"${name}","message":${JSON.stringify(message)}`;
  if (details.length > 0) {
    const items = details.map((detail) => {
      const value = Buffer.from(detail.value.buffer, detail.value.byteOffset, detail.value.byteLength).toString("base64").replace(/=+$/, "");
      const debug = detail.debugJson === undefined ? "" : `,"debug":${detail.debugJson}`;
      return `{"type":${JSON.stringify(detail.type)},"value":"${value}"${debug}}`;
    });
    body += `,"details":[${items.join(",")}]`;
  }
  return { status: httpStatus ?? status, body: `${body}}` };
}
