import { readFileSync } from "node:fs";
import { ConfigError } from "./config-error.js";
import type { SecretSource } from "./security-schema.js";

/**
 * Reads a secret named in the configuration (an environment variable or a
 * file). A missing one is a ConfigError naming the key path and where it was
 * looked for, never what it holds.
 */
export function readSecret(source: SecretSource, path: string, env: NodeJS.ProcessEnv = process.env): string {
  if ("env" in source) {
    const value = env[source.env];
    if (value === undefined || value === "") {
      throw new ConfigError("config", [{ path, message: `environment variable ${source.env} is not set` }]);
    }
    return value;
  }
  let text: string;
  try {
    text = readFileSync(source.file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    throw new ConfigError("config", [{ path, message: `cannot read the secret file ${source.file} (${code})` }]);
  }
  const value = text.replace(/\r?\n$/, "");
  if (value === "") throw new ConfigError("config", [{ path, message: `the secret file ${source.file} is empty` }]);
  return value;
}
