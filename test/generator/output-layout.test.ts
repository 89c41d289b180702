import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
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
    const checked = typeCheck(out);
    expect(checked.output).toBe("");
    expect(checked.status).toBe(0);
    const compiled = protoc(out, "app/api.proto");
    expect(compiled.output).toBe("");
    expect(compiled.status).toBe(0);
  }, 120_000);
});
