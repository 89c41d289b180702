import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Tests and generated code both import the runtime as `rpcgen/runtime`; point that
// at the TypeScript source so a test never mixes two copies (dist and source) of it,
// which would break `instanceof` on errors.
export default defineConfig({
  resolve: {
    alias: {
      "rpcgen/runtime": fileURLToPath(new URL("./runtime/index.ts", import.meta.url)),
    },
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
