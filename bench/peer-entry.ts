/**
 * How the bench starts its peer processes (servers, clients): their TypeScript
 * entry points bundled by esbuild into plain JavaScript beside them, forked
 * with plain `node`. Forking the .ts under tsx costs about half a second of
 * start-up per process on two cores, which was a third of a `--quick` run.
 *
 * A bundle sits in the same folder as its source (`bench/.peer-<name>.mjs`,
 * git-ignored), so every `new URL(..., import.meta.url)` in bench/ resolves as
 * it does from the source. Packages stay external: `@rpcgen/runtime` is the
 * built dist/, as for a user. Until `bundlePeerEntries()` has run (a standalone
 * script, a test), or for a peer that loads TypeScript at run time (offload
 * handlers in worker threads), the .ts is forked under the orchestrator's tsx.
 */
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import path from "node:path";

const benchDir = fileURLToPath(new URL(".", import.meta.url));
const bundled = new Set<string>();

/** Bundles each entry (a file name in bench/, e.g. "server-main.ts"); once per run. */
export async function bundlePeerEntries(entries: readonly string[]): Promise<void> {
  await Promise.all(
    entries.map(async (entry) => {
      await build({
        entryPoints: [path.join(benchDir, entry)],
        outfile: bundlePath(entry),
        bundle: true,
        packages: "external",
        platform: "node",
        format: "esm",
        target: "node20",
        logLevel: "error",
        // Bundled CommonJS (Apache Thrift's generated code) calls require(); give the ES module one.
        banner: { js: 'import { createRequire as __benchCreateRequire } from "node:module"; const require = __benchCreateRequire(import.meta.url);' },
      });
      bundled.add(entry);
    }),
  );
}

/** What to fork for `entry` (a file name in bench/): the script and node's own flags. */
export function peerEntry(entry: string, nodeFlags: readonly string[] = [], options: { needsTypeScript?: boolean } = {}): { script: string; execArgv: string[] } {
  if (bundled.has(entry) && options.needsTypeScript !== true) return { script: bundlePath(entry), execArgv: [...nodeFlags] };
  return { script: path.join(benchDir, entry), execArgv: [...process.execArgv, ...nodeFlags] };
}

function bundlePath(entry: string): string {
  return path.join(benchDir, `.peer-${entry.replace(/\.ts$/, "")}.mjs`);
}
