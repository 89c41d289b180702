import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { precompiledModulePath, precompiledModuleText } from "../../generator/precompile-templates.js";

// rpcgen renders its own templates from precompiled specs while their sources match the
// .hbs files (template-set.ts); a stale module is not wrong, only slower (compiled per run).
describe("precompiled templates", () => {
  it("are current with templates/*.hbs (else run `npm run build` or `npm run precompile-templates`)", () => {
    expect(readFileSync(precompiledModulePath(), "utf8")).toBe(precompiledModuleText());
  });
});
