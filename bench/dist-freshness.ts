import { readdirSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));

/**
 * The bench imports `@rpcgen/runtime` from dist/, as a user would: warns (returns a
 * message) when dist/ is missing or older than a runtime/ source, so numbers are
 * not taken on stale code. Undefined when dist/ is fresh.
 */
export function staleDistWarning(): string | undefined {
  let built: number;
  try {
    built = statSync(`${root}runtime/dist/index.js`).mtimeMs;
  } catch {
    return "runtime/dist/index.js is missing: run `npm run build` first";
  }
  const newest = newestMtime(`${root}runtime`);
  if (newest.mtime <= built) return undefined;
  return `dist/ is older than ${newest.path.replace(root, "")}: run \`npm run build\` to measure the current runtime`;
}

function newestMtime(dir: string): { path: string; mtime: number } {
  let newest = { path: dir, mtime: 0 };
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "dist" || entry.name === "node_modules") continue;
    const path = `${dir}/${entry.name}`;
    const candidate = entry.isDirectory()
      ? newestMtime(path)
      : entry.name.endsWith(".ts")
        ? { path, mtime: statSync(path).mtimeMs }
        : newest;
    if (candidate.mtime > newest.mtime) newest = candidate;
  }
  return newest;
}
