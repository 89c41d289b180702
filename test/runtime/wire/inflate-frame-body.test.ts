import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { type FrameLimits } from "@rpcgen/runtime";
import { FrameError } from "@rpcgen/runtime/internal/wire/frame-decoder.js";
import { inflateFrameBody } from "../../../runtime/wire/inflate-frame-body.js";

const limits: FrameLimits = { maxFrameBytes: 64 * 1024, compressThresholdBytes: 1024, maxInflatedBodyBytes: 1024 * 1024 };

async function refusal(body: Uint8Array, frameLimits: FrameLimits = limits): Promise<FrameError> {
  const error: unknown = await inflateFrameBody(body, frameLimits).then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(FrameError);
  return error as FrameError;
}

describe("inflateFrameBody", () => {
  it("inflates what gzip deflated, small, empty, and exactly at the limit", async () => {
    const text = Buffer.from("the quick brown fox ".repeat(500));
    expect(await inflateFrameBody(gzipSync(text), limits)).toEqual(text);
    expect(await inflateFrameBody(gzipSync(Buffer.alloc(0)), limits)).toEqual(Buffer.alloc(0));
    const atLimit = Buffer.alloc(1024 * 1024, 7);
    expect(await inflateFrameBody(gzipSync(atLimit), limits)).toEqual(atLimit);
  });

  it("inflates a body of several gzip members, whose trailer gives only the last one's size", async () => {
    const first = Buffer.alloc(300_000, 1);
    const second = Buffer.from("tail");
    expect(await inflateFrameBody(Buffer.concat([gzipSync(first), gzipSync(second)]), limits)).toEqual(Buffer.concat([first, second]));
  });

  it("refuses a bomb over the limit with too-large", async () => {
    const bomb = gzipSync(Buffer.alloc(1024 * 1024 + 1));
    const error = await refusal(bomb);
    expect(error.reason).toBe("too-large");
    expect(error.message).toBe("gzipped body inflates to more than 1048576 bytes");
    // The default limit is 16 × maxFrameBytes.
    expect((await refusal(gzipSync(Buffer.alloc(16 * 1024 + 1)), { maxFrameBytes: 1024, compressThresholdBytes: 512 })).reason).toBe("too-large");
  });

  it.each([
    ["garbage", Buffer.from("not gzip at all")],
    ["nothing", Buffer.alloc(0)],
    ["a truncated body", gzipSync(Buffer.from("hello world")).subarray(0, 20)],
    ["a body whose trailer lies about its size", Buffer.concat([gzipSync(Buffer.from("hello world")).subarray(0, -4), Buffer.from([0xff, 0xff, 0xff, 0x7f])])],
  ])("refuses %s with bad-gzip", async (_label, body) => {
    const error = await refusal(body);
    expect(error.reason).toBe("bad-gzip");
    expect(error.message).toMatch(/^gzipped body cannot be inflated: /);
  });
});
