import path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot, runRpcgen } from "./cli-process.js";

// The examples commit their generated stubs so readers can see what rpcgen writes;
// `rpcgen --verify` is how such a project keeps them honest in CI.
describe("committed example stubs", () => {
  it.each([
    ["calculator", "examples/calculator/calculator.thrift", "examples/calculator/gen"],
    ["cluster", "examples/cluster/inventory.thrift", "examples/cluster/gen"],
  ])("are what rpcgen generates today (%s)", (_name, idl, out) => {
    const run = runRpcgen([path.join(repoRoot, idl), "-o", path.join(repoRoot, out), "--verify"], repoRoot);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
  });
});
