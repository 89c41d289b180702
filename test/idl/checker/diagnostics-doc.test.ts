import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { DIAGNOSTIC_CODES } from "../../../idl/diagnostic-codes.js";
import { parseDiagnosticsDoc, runDocExample } from "./diagnostics-doc.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const entries = parseDiagnosticsDoc(readFileSync(path.join(repoRoot, "docs/DIAGNOSTICS.md"), "utf8"));

describe("docs/DIAGNOSTICS.md", () => {
  it("documents every code of the registry, and no other", () => {
    const documented = entries.map((e) => e.code).sort();
    const emitted = Object.keys(DIAGNOSTIC_CODES).sort();
    expect(documented).toEqual(emitted);
  });

  it("gives each code its severity by prefix (E_ errors, W_ warnings)", () => {
    for (const entry of entries) expect(entry.severity).toBe(entry.code.startsWith("W_") ? "warning" : "error");
  });

  it.each(entries.map((e) => [e.code, e]))("shows the exact output of the %s example", (_code, entry) => {
    expect(entry.output).toBeDefined();
    const { diagnostic, formatted } = runDocExample(entry);
    expect(diagnostic?.severity).toBe(entry.severity);
    expect(formatted).toBe(entry.output);
  });
});
