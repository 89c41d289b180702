import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Tests and generated code import the runtime as a user would, `@rpcgen/runtime`
// (and tests reach internals as `@rpcgen/runtime/internal/<file>.js`); point both at
// the TypeScript source so a test never mixes two copies (dist and source) of it,
// which would break `instanceof` on errors.
const runtimeSource = fileURLToPath(new URL("./runtime/", import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@rpcgen\/runtime$/, replacement: `${runtimeSource}index.ts` },
      { find: /^@rpcgen\/runtime\/internal\/(.*)\.js$/, replacement: `${runtimeSource}$1.ts` },
    ],
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
