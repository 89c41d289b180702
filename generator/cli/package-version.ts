import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * rpcgen's version from its package.json, found by walking up from this
 * module (it runs both from the sources and from dist/).
 */
export function packageVersion(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const version = versionIn(path.join(dir, "package.json"));
    if (version !== undefined) return version;
    const parent = path.dirname(dir);
    if (parent === dir) return "unknown";
    dir = parent;
  }
}

function versionIn(packageJsonPath: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(packageJsonPath, "utf8");
  } catch {
    return undefined; // no package.json at this level: keep walking up
  }
  const json = JSON.parse(text) as { name?: unknown; version?: unknown };
  return json.name === "rpcgen" && typeof json.version === "string" ? json.version : undefined;
}
