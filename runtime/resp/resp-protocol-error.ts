/** Input that is not RESP. The message says what was wrong and at which byte of the stream. */
export class RespProtocolError extends Error {
  override get name(): string {
    return "RespProtocolError";
  }
}
