import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { CliIo } from "../../generator/cli/cli-io.js";
import { type GenerateCommandOptions, runGenerateCommand } from "../../generator/cli/generate-command.js";
import { main } from "../../generator/cli/main.js";
import { scratchDir } from "./support/generated-dir.js";

const scratch = scratchDir("cli");
afterAll(() => scratch.dispose());

let counter = 0;
/** A project directory with one IDL file and an output directory. */
function project(idl = "service Echo {\n  string echo(1: string text)\n}\n"): { dir: string; idl: string; out: string } {
  const dir = path.join(scratch.dir, `p${counter++}`);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, "echo.thrift");
  writeFileSync(file, idl);
  return { dir, idl: file, out: path.join(dir, "gen") };
}

function captureIo(cwd: string): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, cwd, stdout: (t) => void out.push(t), stderr: (t) => void err.push(t) };
}

function options(p: { idl: string; out: string }, extra: Partial<GenerateCommandOptions> = {}): GenerateCommandOptions {
  return {
    files: [p.idl],
    outDir: p.out,
    includeDirs: [],
    json: false,
    watch: false,
    templatesDir: undefined,
    skeleton: false,
    verify: false,
    i64: "bigint",
    ...extra,
  };
}

describe("rpcgen file generation", () => {
  it("writes x.ts and x.proto, then rewrites nothing when nothing changed", async () => {
    const p = project();
    const io = captureIo(p.dir);
    expect(await runGenerateCommand(options(p), io)).toBe(0);
    expect(io.out.join("")).toBe("wrote gen/echo.ts\nwrote gen/echo.proto\n");
    expect(readFileSync(path.join(p.out, "echo.ts"), "utf8")).toContain("export class EchoClient");
    const before = statSync(path.join(p.out, "echo.ts")).mtimeMs;
    const again = captureIo(p.dir);
    expect(await runGenerateCommand(options(p), again)).toBe(0);
    expect(again.out).toEqual([]);
    expect(statSync(path.join(p.out, "echo.ts")).mtimeMs).toBe(before);
  });

  it("is reached through main() with the parsed command line", async () => {
    const p = project();
    const io = captureIo(p.dir);
    expect(await main(["echo.thrift", "-o", "out", "--i64", "string"], io)).toBe(0);
    expect(existsSync(path.join(p.dir, "out/echo.ts"))).toBe(true);
  });

  it("--verify lists files that differ and writes nothing", async () => {
    const p = project();
    const io = captureIo(p.dir);
    expect(await runGenerateCommand(options(p, { verify: true }), io)).toBe(1);
    expect(io.err.join("")).toContain("rpcgen: out of date: gen/echo.ts\nrpcgen: out of date: gen/echo.proto\n");
    expect(existsSync(p.out)).toBe(false);
    await runGenerateCommand(options(p), captureIo(p.dir));
    expect(await runGenerateCommand(options(p, { verify: true }), captureIo(p.dir))).toBe(0);
    writeFileSync(path.join(p.out, "echo.proto"), "edited");
    const stale = captureIo(p.dir);
    expect(await runGenerateCommand(options(p, { verify: true }), stale)).toBe(1);
    expect(stale.err.join("")).toContain("out of date: gen/echo.proto");
    expect(stale.err.join("")).not.toContain("echo.ts");
  });

  it("--skeleton writes a starter handler once, beside the generated folder, and never overwrites it", async () => {
    const p = project();
    expect(await runGenerateCommand(options(p, { skeleton: true }), captureIo(p.dir))).toBe(0);
    expect(existsSync(path.join(p.out, "EchoHandlerImpl.ts"))).toBe(false);
    const skeleton = path.join(p.dir, "EchoHandlerImpl.ts");
    const text = readFileSync(skeleton, "utf8");
    expect(text).toContain('import type * as echo from "./gen/echo.js";');
    expect(text).toContain("export class EchoHandlerImpl implements echo.EchoHandler");
    writeFileSync(skeleton, "// mine\n");
    const io = captureIo(p.dir);
    expect(await runGenerateCommand(options(p, { skeleton: true }), io)).toBe(0);
    expect(readFileSync(skeleton, "utf8")).toBe("// mine\n");
    expect(io.out.join("")).toContain("kept EchoHandlerImpl.ts");
  });

  it("--skeleton-out puts the skeletons elsewhere, importing the generated modules from there", async () => {
    const p = project();
    const run = await runGenerateCommand(options(p, { skeleton: true, skeletonOut: "src/handlers" }), captureIo(p.dir));
    expect(run).toBe(0);
    const text = readFileSync(path.join(p.dir, "src/handlers/EchoHandlerImpl.ts"), "utf8");
    expect(text).toContain('import type * as echo from "../../gen/echo.js";');
  });

  it("--skeleton without -o writes next to the IDL file, like the generated files", async () => {
    const p = project();
    expect(await runGenerateCommand(options(p, { skeleton: true, outDir: undefined }), captureIo(p.dir))).toBe(0);
    expect(readFileSync(path.join(p.dir, "EchoHandlerImpl.ts"), "utf8")).toContain('from "./echo.js"');
  });

  it("--erasable writes enums as const objects and relative imports ending in .ts", async () => {
    const p = project('include "colors.thrift"\nstruct Paint { 1: colors.Color color }\n');
    writeFileSync(path.join(p.dir, "colors.thrift"), "enum Color { RED = 1, GREEN = 2 }\n");
    expect(await runGenerateCommand(options(p, { erasable: true }), captureIo(p.dir))).toBe(0);
    expect(readFileSync(path.join(p.out, "echo.ts"), "utf8")).toContain('import * as colors from "./colors.ts";');
    const colors = readFileSync(path.join(p.out, "colors.ts"), "utf8");
    expect(colors).toContain("export const Color = {\n  RED: 1,\n  GREEN: 2,\n} as const;");
    expect(colors).toContain("export type Color = (typeof Color)[keyof typeof Color];");
    expect(colors).not.toContain("enum");
  });

  it("--templates replaces a template or partial by file name", async () => {
    const p = project();
    const templates = path.join(p.dir, "templates");
    mkdirSync(templates);
    writeFileSync(path.join(templates, "handler.hbs"), "export type {{handlerName}} = { custom: true };\n");
    expect(await runGenerateCommand(options(p, { templatesDir: templates }), captureIo(p.dir))).toBe(0);
    const ts = readFileSync(path.join(p.out, "echo.ts"), "utf8");
    expect(ts).toContain("export type EchoHandler = { custom: true };");
    expect(ts).not.toContain("registerEcho");
  });

  it("reports a template that names a field the model lacks (strict mode) as a usage error", async () => {
    const p = project();
    const templates = path.join(p.dir, "templates");
    mkdirSync(templates);
    writeFileSync(path.join(templates, "const.hbs"), "{{noSuchField}}\n");
    writeFileSync(p.idl, "const i32 X = 1\n");
    const io = captureIo(p.dir);
    expect(await runGenerateCommand(options(p, { templatesDir: templates }), io)).toBe(2);
    expect(io.err.join("")).toMatch(/const\.hbs: "noSuchField" not defined/);
  });

  it("prints generator diagnostics with their location and exits 1", async () => {
    const p = project('struct S { 1: i64 a (ts.type = "long") }\n');
    const io = captureIo(p.dir);
    expect(await runGenerateCommand(options(p), io)).toBe(1);
    expect(io.err.join("")).toContain('echo.thrift:1:22: error: ts.type must be "bigint", "number" or "string", not "long" [E_GEN_TS_TYPE]');
    expect(existsSync(p.out)).toBe(false);
  });

  it("--watch regenerates when an input changes, until stopped", async () => {
    const p = project();
    const controller = new AbortController();
    const io = captureIo(p.dir);
    const regenerated = new Promise<void>((resolve) => {
      const stdout = io.stdout;
      (io as { stdout: (t: string) => void }).stdout = (text) => {
        stdout(text);
        if (text.includes("wrote") && io.err.join("").includes("changed")) resolve();
      };
    });
    const running = runGenerateCommand(options(p, { watch: true, signal: controller.signal }), io);
    // Wait until the first generation is on disk and the watch is set up before editing.
    await new Promise<void>((resolve) => {
      const check = (): void => (io.err.join("").includes("watching") ? resolve() : void setImmediate(check));
      check();
    });
    writeFileSync(p.idl, "service Echo {\n  string echo(1: string text)\n  i32 count()\n}\n");
    await regenerated;
    controller.abort();
    expect(await running).toBe(0);
    expect(readFileSync(path.join(p.out, "echo.ts"), "utf8")).toContain("count(options?: CallOptions)");
    expect(io.err.join("")).toContain("echo.thrift changed, regenerating");
  });
});
