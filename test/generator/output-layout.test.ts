import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generate } from "../../generator/generate.js";
import { loadProgram } from "../../idl/load-program.js";
import { generateFrom, protoc, scratchDir, typeCheck, writeGenerated } from "./support/generated-dir.js";

const scratch = scratchDir("layout");
afterAll(() => scratch.dispose());

function write(relative: string, text: string): string {
  const file = path.join(scratch.dir, "idl", relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

describe("output layout", () => {
  it("mirrors the IDL tree, so imports are the includes' relative paths", async () => {
    write("common/types.thrift", "struct Point { 1: i32 x, 2: i32 y }\nenum Unit { MM = 1 }\n");
    write("geo/shapes.thrift", 'include "../common/types.thrift"\ntypedef types.Point Origin\n');
    const root = write(
      "app/api.thrift",
      'include "../geo/shapes.thrift"\nstruct Line { 1: shapes.Origin from, 2: list<shapes.Origin> points }\nservice Api { Line get() }\n',
    );
    const files = await generateFrom([root]);
    expect(files.map((f) => f.path).sort()).toEqual([
      "app/api.proto",
      "app/api.ts",
      "common/types.proto",
      "common/types.ts",
      "geo/shapes.proto",
      "geo/shapes.ts",
    ]);
    const api = files.find((f) => f.path === "app/api.ts")!.contents;
    // The include is mirrored; the file that defines Point is imported too, for its descriptor.
    expect(api).toContain('import * as shapes from "../geo/shapes.js";');
    expect(api).toContain('import * as types from "../common/types.js";');
    expect(api).toContain("from?: shapes.Origin;");
    expect(api).toContain("struct: () => types.PointDescriptor");
    const proto = files.find((f) => f.path === "app/api.proto")!.contents;
    // shapes.proto is included by the IDL but none of its messages is used, so it is not imported.
    expect(proto).toContain('import "common/types.proto";');
    expect(proto).not.toContain('import "geo/shapes.proto";');
    expect(proto).toContain(".types.Point from = 1;");
    expect(proto).toContain("message List_types_Point {");

    const out = path.join(scratch.dir, "out");
    writeGenerated(out, files);
    const checked = typeCheck(out, { declarationsIn: scratch.dir });
    expect(checked.output).toBe("");
    expect(checked.status).toBe(0);
    const compiled = protoc(out, "app/api.proto");
    expect(compiled.output).toBe("");
    expect(compiled.status).toBe(0);
  }, 120_000);

  it("lays out files found through -I relative to that directory, not under a common parent", async () => {
    const lib = path.join(scratch.dir, "vendor", "acme", "idl");
    mkdirSync(path.join(lib, "geo"), { recursive: true });
    writeFileSync(path.join(lib, "geo", "point.thrift"), 'include "units.thrift"\nstruct Point { 1: units.Meters x }\n');
    writeFileSync(path.join(lib, "geo", "units.thrift"), "typedef double Meters\n");
    const root = write("api/service.thrift", 'include "geo/point.thrift"\nservice Maps { point.Point here() }\n');
    const { program, diagnostics } = loadProgram([root], { includeDirs: [lib] });
    expect(diagnostics).toEqual([]);
    const files = await generate(program);
    expect(files.map((f) => f.path).sort()).toEqual([
      "geo/point.proto",
      "geo/point.ts",
      "geo/units.proto",
      "geo/units.ts",
      "service.proto",
      "service.ts",
    ]);
    const service = files.find((f) => f.path === "service.ts")!.contents;
    expect(service).toContain('import * as point from "./geo/point.js";');
    expect(files.find((f) => f.path === "geo/point.ts")!.contents).toContain('import * as units from "./units.js";');

    const out = path.join(scratch.dir, "out-include-dirs");
    writeGenerated(out, files);
    const checked = typeCheck(out, { declarationsIn: scratch.dir });
    expect(checked.output).toBe("");
    expect(protoc(out, "service.proto").status).toBe(0);
  }, 120_000);

  it("falls back to paths under the common parent when two files would land on one path", async () => {
    const lib = path.join(scratch.dir, "lib2");
    mkdirSync(path.join(lib, "types"), { recursive: true });
    writeFileSync(path.join(lib, "a.thrift"), 'include "types/model.thrift"\nstruct A { 1: model.Theirs t }\n');
    writeFileSync(path.join(lib, "types", "model.thrift"), "struct Theirs {}\n");
    write("clash/types/model.thrift", "struct Ours {}\n");
    const root = write("clash/main.thrift", 'include "types/model.thrift"\ninclude "a.thrift"\nstruct M { 1: model.Ours o, 2: a.A a }\n');
    const { program, diagnostics } = loadProgram([root], { includeDirs: [lib] });
    expect(diagnostics).toEqual([]);
    const paths = (await generate(program)).map((f) => f.path).filter((p) => p.endsWith(".ts")).sort();
    expect(paths).toEqual(["idl/clash/main.ts", "idl/clash/types/model.ts", "lib2/a.ts", "lib2/types/model.ts"]);
  }, 60_000);

  it("generates for an include whose scope holds a dot, as Apache Thrift names it", async () => {
    write("dotted/Foo.bar.thrift", "enum Kind { A = 1 }\nstruct Item { 1: Kind kind = Kind.A }\nservice Base { void ping() }\n");
    const root = write(
      "dotted/main.thrift",
      'include "Foo.bar.thrift"\nstruct M { 1: Foo.bar.Item item, 2: Foo.bar.Kind kind = Foo.bar.Kind.A }\nservice S extends Foo.bar.Base {}\n',
    );
    const files = await generateFrom([root]);
    const main = files.find((f) => f.path === "main.ts")!.contents;
    expect(main).toContain('import * as Foo_bar from "./Foo.bar.js";');
    expect(main).toContain("kind?: Foo_bar.Kind;");
    const out = path.join(scratch.dir, "out-dotted");
    writeGenerated(out, files);
    expect(typeCheck(out, { declarationsIn: scratch.dir }).output).toBe("");
    expect(protoc(out, "main.proto").output).toBe("");
  }, 120_000);
});
