import { framedMessage } from "./grpc-message.js";

/** grpc.health.v1.HealthCheckResponse.ServingStatus, by number. */
export const servingStatusOf = { UNKNOWN: 0, SERVING: 1, NOT_SERVING: 2, SERVICE_UNKNOWN: 3 } as const;

/** A HealthCheckResponse with its gRPC message prefix: field 1 (`status`), a one-byte varint. */
export function healthResponseFrame(status: number): Buffer {
  return framedMessage(2, (target, offset) => {
    target[offset] = 0x08;
    target[offset + 1] = status;
  });
}

/** Field 1 (`service`, a string) of a HealthCheckRequest; "" when absent, undefined when the bytes are not a message. */
export function healthRequestService(message: Buffer): string | undefined {
  let offset = 0;
  let service = "";
  const varint = (): number | undefined => {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (offset >= message.length) return undefined;
      const byte = message[offset++]!;
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
    }
    return undefined;
  };
  while (offset < message.length) {
    const tag = varint();
    if (tag === undefined) return undefined;
    const wireType = tag & 7;
    if (wireType === 0) {
      if (varint() === undefined) return undefined;
    } else if (wireType === 1 || wireType === 5) {
      offset += wireType === 1 ? 8 : 4;
    } else if (wireType === 2) {
      const length = varint();
      if (length === undefined || offset + length > message.length) return undefined;
      if (tag >>> 3 === 1) service = message.toString("utf8", offset, offset + length);
      offset += length;
    } else {
      return undefined;
    }
  }
  return offset === message.length ? service : undefined;
}
