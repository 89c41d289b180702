/**
 * The Vault service of the security tests, generated from fixtures/vault.thrift
 * at test time (into .tmp/, inside the repo so `@rpcgen/runtime` resolves), its
 * handler, and a Server with the security options under test.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { generate } from "../../../generator/generate.js";
import { loadProgram } from "../../../idl/load-program.js";
import { type CallContext, Server, type ServerOptions } from "@rpcgen/runtime";

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, "../../..");

export type VaultModule = Record<string, any>;

export interface VaultStubs {
  module: VaultModule;
  /** The directory of the generated files (vault.ts, vault.proto). */
  dir: string;
  dispose(): void;
}

/** Generates the Vault stubs into `.tmp/security-<name>/` and imports them. */
export async function loadVault(name: string): Promise<VaultStubs> {
  const { program, diagnostics } = loadProgram([path.join(here, "../fixtures/vault.thrift")]);
  const errors = diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) throw new Error(errors.map((d) => d.message).join("\n"));
  const dir = path.join(repoRoot, ".tmp", `security-${name}`);
  rmSync(dir, { recursive: true, force: true });
  for (const file of await generate(program, {})) {
    const target = path.join(dir, file.path);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, file.contents);
  }
  const module = (await import(path.join(dir, "vault.ts"))) as VaultModule;
  return { module, dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The handler: what a user writes. */
export function vaultHandler(vault: VaultModule) {
  return {
    whoami: (context: CallContext) => `${context.principal?.id ?? "-"}|${context.tlsPeer?.commonName ?? "-"}`,
    add: (a: number, b: number) => a + b,
    health: (context: CallContext) => `ok ${context.principal?.id ?? "anonymous"}`,
    rotate: (key: string) => {
      if (key === "") throw new vault["Sealed"]({ message: "no key" });
      return `rotated ${key}`;
    },
    slow: (ms: number) => new Promise<number>((resolve) => setTimeout(() => resolve(ms), ms)),
  };
}

/** A Vault server on 127.0.0.1, port 0. */
export async function startVault(vault: VaultModule, options: ServerOptions): Promise<{ server: Server; port: number; address: string }> {
  const server = new Server(options);
  vault["registerVault"](server, vaultHandler(vault));
  const { port } = await server.listen({ host: "127.0.0.1", port: 0 });
  return { server, port, address: `127.0.0.1:${port}` };
}
