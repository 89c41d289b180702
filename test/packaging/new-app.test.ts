/**
 * Issue 13, packaging: a new app outside the repository installs the runtime
 * package as a dependency and the CLI package as a devDependency, both from
 * `npm pack` tarballs, generates code with `npx rpcgen` from an IDL with every
 * construct, and type-checks it with the strictest settings and without
 * skipLibCheck; its production tree holds none of the generator's packages.
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { strictestCompilerOptions } from "../generator/support/generated-dir.js";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const fixtures = path.join(repoRoot, "test/generator/fixtures");

function run(command: string, args: readonly string[], cwd: string, timeout = 90_000): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, {
    cwd,
    encoding: "utf8",
    timeout,
    // No CI-only npm settings leak in from the suite's own `npm test`.
    env: { ...process.env, npm_config_loglevel: "error", npm_config_fund: "false", npm_config_audit: "false" },
  });
  return result;
}

function describeRun(result: SpawnSyncReturns<string>): string {
  return `exit ${String(result.status)} ${String(result.signal ?? "")}\n${result.stdout}\n${result.stderr}\n${String(result.error ?? "")}`;
}

describe("a new app using the packed packages", () => {
  let tmp: string;
  let app: string;
  let runtimeTarball: string;
  let cliTarball: string;

  beforeAll(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), "rpcgen-new-app-"));
    const packs = path.join(tmp, "packs");
    mkdirSync(packs);
    // `npm test` has already built both packages; --ignore-scripts keeps `prepack`
    // from rebuilding dist/ under tests that run the CLI in parallel.
    for (const args of [["--workspace=@rpcgen/runtime"], []]) {
      const packed = run("npm", ["pack", "--ignore-scripts", "--pack-destination", packs, ...args], repoRoot);
      if (packed.status !== 0) throw new Error(`npm pack failed: ${describeRun(packed)}`);
    }
    const tarballs = readdirSync(packs);
    runtimeTarball = path.join(packs, tarballs.find((name) => name.startsWith("rpcgen-runtime-"))!);
    cliTarball = path.join(packs, tarballs.find((name) => /^rpcgen-\d/.test(name))!);

    app = path.join(tmp, "app");
    cpSync(fixtures, path.join(app, "idl"), { recursive: true, filter: (source) => !source.includes("golden") });
    writeFileSync(
      path.join(app, "package.json"),
      JSON.stringify(
        {
          name: "new-app",
          version: "1.0.0",
          private: true,
          type: "module",
          dependencies: { "@rpcgen/runtime": `file:${runtimeTarball}` },
          devDependencies: { rpcgen: `file:${cliTarball}` },
        },
        null,
        2,
      ),
    );
    const installed = run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund"], app, 120_000);
    if (installed.status !== 0) throw new Error(`npm install failed: ${describeRun(installed)}`);
  }, 180_000);

  afterAll(() => {
    if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
  });

  it("ships LICENSE, dist and no sources of the other package in each tarball", () => {
    expect(existsSync(path.join(app, "node_modules/@rpcgen/runtime/LICENSE"))).toBe(true);
    expect(existsSync(path.join(app, "node_modules/@rpcgen/runtime/dist/index.d.ts"))).toBe(true);
    expect(existsSync(path.join(app, "node_modules/rpcgen/LICENSE"))).toBe(true);
    expect(existsSync(path.join(app, "node_modules/rpcgen/dist/generator/cli/main.js"))).toBe(true);
    // The CLI package does not carry its own copy of the runtime.
    expect(existsSync(path.join(app, "node_modules/rpcgen/dist/runtime"))).toBe(false);
    expect(existsSync(path.join(app, "node_modules/rpcgen/node_modules/@rpcgen/runtime"))).toBe(false);
  });

  it("generates with `npx rpcgen` and type-checks with the strictest settings, without skipLibCheck", () => {
    const generated = run("npx", ["--no", "rpcgen", "idl/everything.thrift", "-I", "idl", "-o", "src/gen"], app);
    expect(generated.status, describeRun(generated)).toBe(0);
    expect(readdirSync(path.join(app, "src/gen")).some((name) => name.endsWith(".ts"))).toBe(true);

    // A user's own file next to the generated code, importing the runtime's root export.
    writeFileSync(
      path.join(app, "src/main.ts"),
      [
        'import { Channel, RpcError, Server, type CallContext } from "@rpcgen/runtime";',
        "",
        "export function describe(context: CallContext | undefined): string {",
        '  return `${String(context !== undefined)} ${typeof Server} ${typeof Channel} ${RpcError.name}`;',
        "}",
        "",
      ].join("\n"),
    );
    writeFileSync(
      path.join(app, "tsconfig.json"),
      JSON.stringify(
        {
          compilerOptions: {
            target: "ES2022",
            lib: ["ES2022"],
            module: "NodeNext",
            moduleResolution: "NodeNext",
            types: ["node"],
            noEmit: true,
            ...strictestCompilerOptions,
          },
          include: ["src/**/*.ts"],
        },
        null,
        2,
      ),
    );
    expect(strictestCompilerOptions.skipLibCheck).toBe(false);
    const checked = run(path.join(repoRoot, "node_modules/.bin/tsc"), ["-p", app], app);
    expect(checked.status, describeRun(checked)).toBe(0);
  });

  it("has none of the generator's packages in the production tree", () => {
    const listed = run("npm", ["ls", "--omit=dev", "--all", "--parseable"], app);
    expect(listed.status, describeRun(listed)).toBe(0);
    const names = listed.stdout.split("\n").filter((line) => line.includes("node_modules"));
    expect(names.some((line) => line.endsWith(`${path.sep}@rpcgen${path.sep}runtime`))).toBe(true);
    for (const forbidden of ["prettier", "handlebars", "chevrotain", "commander", "rpcgen"]) {
      expect(names.filter((line) => line.endsWith(`${path.sep}node_modules${path.sep}${forbidden}`))).toEqual([]);
    }
  });
});
