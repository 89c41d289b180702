import { CodecId, FrameKind, type Frame } from "@rpcgen/runtime/internal/wire/frame.js";

/** A frame with sensible defaults, for tests. */
export function frameOf(overrides: Partial<Frame> = {}): Frame {
  return {
    kind: FrameKind.Call,
    requestId: 1,
    method: "Calculator.add",
    codec: CodecId.Binary,
    flags: 0,
    deadlineMs: 0,
    metadata: undefined,
    body: new Uint8Array(0),
    ...overrides,
  };
}

/** A frame as the decoder hands it out: the body compared as plain bytes. */
export function comparable(frame: Frame): Frame {
  return { ...frame, body: new Uint8Array(frame.body) };
}
