import { Code, RpcError, isCode } from "../errors.js";

/**
 * The body of an error frame (and optionally of a goaway frame): UTF-8 JSON
 * `{"code": "<Code>", "message": "..."}`, whatever codec the call used, so that
 * an error can always be read even when the codec itself is what failed.
 */
export function encodeErrorBody(error: RpcError): Buffer {
  return Buffer.from(JSON.stringify({ code: error.code, message: error.message }), "utf8");
}

/**
 * Reads an error frame body back into an RpcError. An unknown code becomes
 * UNKNOWN (keeping the peer's code in the message); a body that is not the
 * documented JSON becomes INTERNAL, so a broken peer never crashes the reader.
 */
export function decodeErrorBody(body: Uint8Array): RpcError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8"));
  } catch (error) {
    return new RpcError(Code.INTERNAL, "peer sent an error frame whose body is not JSON", { cause: error });
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return new RpcError(Code.INTERNAL, "peer sent an error frame whose body is not a JSON object");
  }
  const { code, message } = parsed as { code?: unknown; message?: unknown };
  const text = typeof message === "string" ? message : "";
  if (isCode(code)) return new RpcError(code, text);
  return new RpcError(Code.UNKNOWN, `peer sent unknown error code ${JSON.stringify(code)}: ${text}`);
}
