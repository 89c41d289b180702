/**
 * Generates the peers' code from bench/echo.thrift into bench/gen/ (git-ignored),
 * as a user of each framework would: rpcgen's typed stubs, and Apache Thrift's
 * `js:node` code (which needs the `thrift` compiler on PATH).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const benchDir = fileURLToPath(new URL(".", import.meta.url));
const idl = `${benchDir}echo.thrift`;

/** Directory of the generated code. */
export const genDir = `${benchDir}gen`;

/** Runs both generators; throws with the generator's own message if one fails. */
export function generateStubs(): void {
  mkdirSync(`${genDir}/thrift`, { recursive: true });
  execFileSync(
    process.execPath,
    [`${benchDir}../bin/rpcgen`, idl, "-o", `${genDir}/rpcgen`],
    { stdio: "pipe" },
  );
  try {
    execFileSync(
      "thrift",
      ["--gen", "js:node,es6", "-out", `${genDir}/thrift`, idl],
      { stdio: "pipe" },
    );
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === "ENOENT"
        ? "the `thrift` compiler is not installed"
        : String(error);
    throw new Error(
      `cannot generate the Apache Thrift peer: ${reason} (apt-get install thrift-compiler)`,
    );
  }
  // The thrift compiler emits CommonJS; the package is "type": "module".
  writeFileSync(`${genDir}/thrift/package.json`, '{ "type": "commonjs" }\n');
}
