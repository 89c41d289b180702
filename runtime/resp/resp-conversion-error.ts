/**
 * A value that does not fit its IDL type. `path` says where it sits in the call
 * (`argument 'p'`, `argument 'p'.tags[2]`), so the message can point at it.
 */
export class RespConversionError extends Error {
  readonly path: string;
  readonly reason: string;

  constructor(path: string, reason: string) {
    super(path === "" ? reason : `${path}: ${reason}`);
    this.path = path;
    this.reason = reason;
  }

  override get name(): string {
    return "RespConversionError";
  }
}
