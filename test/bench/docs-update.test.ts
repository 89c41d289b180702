import { describe, expect, it } from "vitest";
import { replaceMarkedSections } from "../../bench/docs-update.js";

describe("bench docs update", () => {
  const doc = [
    "# Title",
    "<!-- bench:run:begin -->",
    "old run line",
    "<!-- bench:run:end -->",
    "prose kept",
    "<!-- bench:targets:begin -->",
    "| old | table |",
    "<!-- bench:targets:end -->",
    "",
  ].join("\n");

  it("replaces only the text between each pair of markers", () => {
    const updated = replaceMarkedSections(doc, { run: "new run line\n", targets: "| new | table |" });
    expect(updated).toBe(
      [
        "# Title",
        "<!-- bench:run:begin -->",
        "new run line",
        "<!-- bench:run:end -->",
        "prose kept",
        "<!-- bench:targets:begin -->",
        "| new | table |",
        "<!-- bench:targets:end -->",
        "",
      ].join("\n"),
    );
    // Idempotent: a second run with the same figures changes nothing.
    expect(replaceMarkedSections(updated, { run: "new run line", targets: "| new | table |" })).toBe(updated);
  });

  it("refuses a document whose markers were edited away", () => {
    expect(() => replaceMarkedSections("# no markers\n", { run: "x" })).toThrow(/bench:run:begin/);
  });
});
