import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../../idl/diagnostic.js";
import {
  displayPath,
  formatDiagnostic,
  formatDiagnostics,
  formatSummary,
  toJsonReport,
} from "../../../idl/format-diagnostic.js";

const cwd = path.resolve("/work/project");

function diagnosticAt(
  line: number,
  column: number,
  endLine: number,
  endColumn: number,
  severity: Diagnostic["severity"] = "error",
): Diagnostic {
  return {
    severity,
    code: "E_SYNTAX",
    message: "something is wrong",
    range: {
      file: path.join(cwd, "idl/a.thrift"),
      start: { offset: 0, line, column },
      end: { offset: 0, line: endLine, column: endColumn },
    },
  };
}

describe("displayPath", () => {
  it("is relative inside the working directory and absolute outside it", () => {
    expect(displayPath(path.join(cwd, "idl/a.thrift"), cwd)).toBe(path.join("idl", "a.thrift"));
    expect(displayPath("/elsewhere/b.thrift", cwd)).toBe(path.resolve("/elsewhere/b.thrift"));
    expect(displayPath("/work/project-other/c.thrift", cwd)).toBe(path.resolve("/work/project-other/c.thrift"));
  });
});

describe("formatDiagnostic", () => {
  const source = "struct A {\n  1: Missing m\n}\n";

  it("prints the location, severity, message and code, the source line and a caret over the range", () => {
    expect(formatDiagnostic(diagnosticAt(2, 6, 2, 13), source, cwd)).toBe(
      [
        `${path.join("idl", "a.thrift")}:2:6: error: something is wrong [E_SYNTAX]`,
        "  1: Missing m",
        "     ^~~~~~~",
      ].join("\n"),
    );
  });

  it("prints warnings the same way", () => {
    expect(formatDiagnostic(diagnosticAt(1, 1, 1, 7, "warning"), source, cwd).split("\n")[0]).toBe(
      `${path.join("idl", "a.thrift")}:1:1: warning: something is wrong [E_SYNTAX]`,
    );
  });

  it("draws a single caret for an empty range and runs to the end of the line for a multi-line one", () => {
    expect(formatDiagnostic(diagnosticAt(2, 3, 2, 3), source, cwd).split("\n")[2]).toBe("  ^");
    expect(formatDiagnostic(diagnosticAt(1, 8, 3, 2), source, cwd).split("\n")[2]).toBe("       ^~~");
  });

  it("keeps tabs in the indent so the caret lines up", () => {
    const tabbed = "struct A {\n\t1: Missing m\n}";
    expect(formatDiagnostic(diagnosticAt(2, 5, 2, 12), tabbed, cwd).split("\n")[2]).toBe("\t   ^~~~~~~");
  });

  it("handles CRLF line ends and positions past the end of the line", () => {
    expect(
      formatDiagnostic(diagnosticAt(2, 14, 2, 14), "a\r\nbb\r\n", cwd)
        .split("\n")
        .slice(1),
    ).toEqual(["bb", "  ^"]);
  });

  it("prints only the header when the source is unknown", () => {
    expect(formatDiagnostic(diagnosticAt(1, 1, 1, 1), undefined, cwd)).toBe(
      `${path.join("idl", "a.thrift")}:1:1: error: something is wrong [E_SYNTAX]`,
    );
  });
});

describe("formatDiagnostics and formatSummary", () => {
  it("prints each diagnostic followed by a newline, and counts them", () => {
    const diagnostics = [
      diagnosticAt(1, 1, 1, 2),
      diagnosticAt(1, 1, 1, 2, "warning"),
      diagnosticAt(1, 1, 1, 2, "warning"),
    ];
    const text = formatDiagnostics(diagnostics, () => "x", cwd);
    expect(text.split("\n")).toHaveLength(10);
    expect(text.endsWith("^\n")).toBe(true);
    expect(formatSummary(diagnostics)).toBe("1 error, 2 warnings");
    expect(formatSummary([])).toBe("0 errors, 0 warnings");
  });
});

describe("toJsonReport", () => {
  it("lists every diagnostic with its range and counts them", () => {
    expect(toJsonReport([diagnosticAt(2, 6, 2, 13), diagnosticAt(1, 1, 1, 1, "warning")], cwd)).toEqual({
      diagnostics: [
        {
          file: path.join("idl", "a.thrift"),
          line: 2,
          column: 6,
          endLine: 2,
          endColumn: 13,
          severity: "error",
          code: "E_SYNTAX",
          message: "something is wrong",
        },
        {
          file: path.join("idl", "a.thrift"),
          line: 1,
          column: 1,
          endLine: 1,
          endColumn: 1,
          severity: "warning",
          code: "E_SYNTAX",
          message: "something is wrong",
        },
      ],
      errorCount: 1,
      warningCount: 1,
    });
  });
});
