import { describe, expect, it } from "vitest";
import { loadProgram } from "../../../idl/load-program.js";
import { loadInMemory, located, virtualPath } from "./in-memory-program.js";

describe("include resolution", () => {
  it("resolves an include relative to the including file first", () => {
    const files = {
      "main.thrift": 'include "sub/a.thrift"\nstruct M { 1: a.A x }',
      "sub/a.thrift": 'include "b.thrift"\nstruct A { 1: b.B y }',
      "sub/b.thrift": "struct B {}",
      "b.thrift": "this file must not be read",
    };
    const { diagnostics, program } = loadInMemory(files);
    expect(located(diagnostics)).toEqual([]);
    expect([...program.files.keys()]).toEqual([
      virtualPath("sub/b.thrift"),
      virtualPath("sub/a.thrift"),
      virtualPath("main.thrift"),
    ]);
  });

  it("then searches the include directories in order", () => {
    const files = {
      "main.thrift": 'include "lib.thrift"\nstruct M { 1: lib.FromSecond x }',
      "second/lib.thrift": "struct FromSecond {}",
      "third/lib.thrift": "struct FromThird {}",
    };
    const { diagnostics, program, reads } = loadInMemory(files, ["main.thrift"], ["first", "second", "third"]);
    expect(located(diagnostics)).toEqual([]);
    expect(program.roots[0]!.includes.get("lib")!.path).toBe(virtualPath("second/lib.thrift"));
    expect(reads).toEqual([
      virtualPath("main.thrift"),
      virtualPath("lib.thrift"),
      virtualPath("first/lib.thrift"),
      virtualPath("second/lib.thrift"),
    ]);
  });

  it("reports a missing include at the include, and keeps checking", () => {
    const source = ["namespace js x", 'include "nowhere.thrift"', "struct A { 1: Unknown u }"].join("\n");
    const { diagnostics } = loadInMemory({ "main.thrift": source }, ["main.thrift"], ["dir"]);
    expect(located(diagnostics)).toEqual(["main.thrift:2:1 E_INCLUDE_NOT_FOUND", "main.thrift:3:15 E_UNKNOWN_TYPE"]);
    expect(diagnostics[0]!.message).toContain('"nowhere.thrift" not found');
    expect(diagnostics[0]!.message).toContain(virtualPath("dir"));
  });

  it("reports an include cycle naming the cycle, and terminates", () => {
    const files = {
      "main.thrift": 'include "a.thrift"\nstruct M { 1: a.A x }',
      "a.thrift": 'include "b.thrift"\nstruct A { 1: b.B y }',
      "b.thrift": 'include "a.thrift"\nstruct B { 1: a.A z }',
    };
    const { diagnostics, program } = loadInMemory(files);
    expect(located(diagnostics)).toEqual(["b.thrift:1:1 E_INCLUDE_CYCLE"]);
    expect(diagnostics[0]!.message).toBe("include cycle: a.thrift -> b.thrift -> a.thrift");
    expect(program.files.size).toBe(3);
  });

  it("reports a file that includes itself", () => {
    const { diagnostics } = loadInMemory({ "main.thrift": 'include "main.thrift"' });
    expect(located(diagnostics)).toEqual(["main.thrift:1:1 E_INCLUDE_CYCLE"]);
    expect(diagnostics[0]!.message).toBe("include cycle: main.thrift -> main.thrift");
  });

  it("loads a file included twice (diamond) once", () => {
    const files = {
      "main.thrift": 'include "left.thrift"\ninclude "right.thrift"',
      "left.thrift": 'include "base.thrift"\nstruct L { 1: base.B b }',
      "right.thrift": 'include "base.thrift"\nstruct R { 1: base.B b }',
      "base.thrift": "struct B {}",
    };
    const { diagnostics, program, reads } = loadInMemory(files);
    expect(located(diagnostics)).toEqual([]);
    expect(program.files.size).toBe(4);
    expect(reads.filter((r) => r === virtualPath("base.thrift"))).toHaveLength(1);
  });

  it("reports two different files included under the same scope name", () => {
    const files = {
      "main.thrift": 'include "a/types.thrift"\ninclude "b/types.thrift"',
      "a/types.thrift": "struct A {}",
      "b/types.thrift": "struct B {}",
    };
    expect(located(loadInMemory(files).diagnostics)).toEqual(["main.thrift:2:1 E_INCLUDE_SCOPE_CONFLICT"]);
  });

  it("reports an unreadable root file as E_READ_FILE and still checks the others", () => {
    const { diagnostics, program } = loadInMemory({ "ok.thrift": "struct A { 1: B b }" }, [
      "missing.thrift",
      "ok.thrift",
    ]);
    expect(located(diagnostics)).toEqual(["missing.thrift:1:1 E_READ_FILE", "ok.thrift:1:15 E_UNKNOWN_TYPE"]);
    expect(diagnostics[0]!.message).toBe("cannot read file: no such file");
    expect(program.roots).toHaveLength(1);
  });

  it("reports an include that exists but cannot be read at the include", () => {
    const { diagnostics } = loadProgram([virtualPath("main.thrift")], {
      readFile: (absPath) => {
        if (absPath === virtualPath("main.thrift")) return 'include "locked.thrift"';
        throw Object.assign(new Error("EACCES: permission denied"), { code: "EACCES" });
      },
    });
    expect(located(diagnostics)).toEqual(["main.thrift:1:1 E_READ_FILE"]);
    expect(diagnostics[0]!.message).toBe('cannot read included file "locked.thrift": permission denied');
  });

  it("reads real files from disk by default", () => {
    const { diagnostics } = loadProgram(["/definitely/not/here.thrift"]);
    expect(diagnostics.map((d) => [d.code, d.range.file])).toEqual([["E_READ_FILE", "/definitely/not/here.thrift"]]);
  });

  it("skips a UTF-8 byte order mark", () => {
    const { diagnostics, program } = loadInMemory({ "main.thrift": "\uFEFFstruct A {}" });
    expect(diagnostics).toEqual([]);
    expect(program.roots[0]!.source).toBe("struct A {}");
  });
});

describe("include search messages", () => {
  it("lists the directories searched, in order", () => {
    const { diagnostics } = loadInMemory({ "main.thrift": 'include "sub/lib.thrift"' }, ["main.thrift"], ["a", "b"]);
    expect(diagnostics.map((d) => d.message)).toEqual([
      `included file "sub/lib.thrift" not found (searched ${virtualPath("")}, ${virtualPath("a")}, ${virtualPath("b")})`,
    ]);
  });

  it("resolves an absolute include path as it is", () => {
    const files = {
      "main.thrift": `include "${virtualPath("abs/lib.thrift")}"\nstruct M { 1: lib.L l }`,
      "abs/lib.thrift": "struct L {}",
    };
    expect(located(loadInMemory(files).diagnostics)).toEqual([]);
  });
});

describe("include scopes with dots", () => {
  // Apache Thrift names the scope of "Foo.bar.thrift" Foo.bar: only the extension goes.
  const files = {
    "main.thrift": [
      'include "Foo.bar.thrift"',
      "struct M { 1: Foo.bar.Item item = Foo.bar.DEFAULT_ITEM, 2: Foo.bar.Kind kind = Foo.bar.Kind.BIG }",
      "const i32 LIMIT = Foo.bar.LIMIT",
      "service S extends Foo.bar.Base {}",
    ].join("\n"),
    "Foo.bar.thrift": [
      "enum Kind { SMALL, BIG }",
      "struct Item { 1: i32 size }",
      'const Item DEFAULT_ITEM = { "size": 1 }',
      "const i32 LIMIT = 10",
      "service Base { void ping() }",
    ].join("\n"),
  };

  it("takes the whole file name without its extension as the scope", () => {
    const { diagnostics, program } = loadInMemory(files);
    expect(located(diagnostics)).toEqual([]);
    expect([...program.roots[0]!.includes.keys()]).toEqual(["Foo.bar"]);
  });

  it("names the whole dotted scope when it is unknown", () => {
    const { diagnostics } = loadInMemory({ "main.thrift": "struct M { 1: Foo.bar.Item item }" });
    expect(diagnostics.map((d) => d.message)).toEqual([
      'unknown scope "Foo.bar" in "Foo.bar.Item": no included file is named Foo.bar.thrift',
    ]);
  });
});
