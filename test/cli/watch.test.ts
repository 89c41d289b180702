import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { repoRoot } from "./cli-process.js";

let dir: string | undefined;

afterEach(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** Resolves once `text` has appeared in what the stream printed so far. */
function waitFor(output: { text: string }, text: string, stream: NodeJS.ReadableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for "${text}" in:\n${output.text}`)), 20_000);
    const check = (): void => {
      if (output.text.includes(text)) {
        clearTimeout(timer);
        stream.off("data", check);
        resolve();
      }
    };
    stream.on("data", check);
    check();
  });
}

describe("rpcgen --watch", () => {
  it("keeps watching through IDL errors and generates once they are fixed", async () => {
    dir = mkdtempSync(path.join(tmpdir(), "rpcgen-watch-"));
    const idl = path.join(dir, "svc.thrift");
    writeFileSync(idl, "struct A {\n  1: Missing m\n}\n");
    const child = spawn(process.execPath, [path.join(repoRoot, "bin/rpcgen"), "svc.thrift", "-o", "out", "--watch"], {
      cwd: dir,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out = { text: "" };
    const err = { text: "" };
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (out.text += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (err.text += chunk));
    try {
      await waitFor(err, "watching for changes", child.stderr);
      expect(err.text).toContain("[E_UNKNOWN_TYPE]");
      expect(existsSync(path.join(dir, "out", "svc.ts"))).toBe(false);

      writeFileSync(idl, "struct A {\n  1: i32 m\n}\n");
      await waitFor(out, "wrote out/svc.ts", child.stdout);
      expect(existsSync(path.join(dir, "out", "svc.ts"))).toBe(true);
    } finally {
      child.kill("SIGINT");
    }
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code).toBe(0);
  });
});
