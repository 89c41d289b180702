import { spawnSync } from "node:child_process";
import path from "node:path";

/**
 * Runs `protoc --decode=<type>` (or `--encode`) on `input` with the generated
 * `.proto` of `protoFile` in `dir`, and returns stdout; throws with protoc's
 * stderr when it fails.
 */
export function protoc(mode: "decode" | "encode", dir: string, protoFile: string, type: string, input: Uint8Array | string): Buffer {
  const result = spawnSync("protoc", [`--${mode}=${type}`, "-I", dir, path.join(dir, protoFile)], {
    input,
    timeout: 60_000,
  });
  if (result.error !== undefined) throw result.error;
  if (result.status !== 0) {
    throw new Error(`protoc --${mode}=${type} exited with ${result.status}: ${result.stderr.toString()}`);
  }
  return result.stdout;
}
