/**
 * The TLS cases: rpcgen and grpc-js with TLS on the server port, certificates
 * made with `openssl` for the run (a throw-away CA and a server certificate for
 * 127.0.0.1 in a temporary directory, removed when the run ends; no key is
 * committed). bench/run.ts makes them and sets RPCGEN_BENCH_TLS_DIR before it
 * forks a TLS server; the forked servers and clients read the files from there.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const tlsDirEnv = "RPCGEN_BENCH_TLS_DIR";

export interface BenchTlsFiles {
  ca: string;
  cert: string;
  key: string;
}

/** The files under the directory RPCGEN_BENCH_TLS_DIR names. */
export function benchTlsFiles(dir = process.env[tlsDirEnv]): BenchTlsFiles {
  if (dir === undefined || dir === "") throw new Error(`${tlsDirEnv} is not set: bench/run.ts makes the TLS files`);
  return { ca: join(dir, "ca.crt"), cert: join(dir, "server.crt"), key: join(dir, "server.key") };
}

/** PEM text of a file. */
export function readPem(file: string): Buffer {
  return readFileSync(file);
}

/** Makes the CA and the server certificate once per run; sets RPCGEN_BENCH_TLS_DIR for the children. */
export function ensureBenchTls(): BenchTlsFiles {
  const existing = process.env[tlsDirEnv];
  if (existing !== undefined && existing !== "") return benchTlsFiles(existing);
  const dir = mkdtempSync(join(tmpdir(), "rpcgen-bench-tls-"));
  const openssl = (...args: string[]): void => void execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=rpcgen bench CA");
  openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost");
  writeFileSync(join(dir, "server.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
  openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-set_serial", "1", "-out", "server.crt", "-days", "2", "-extfile", "server.ext");
  process.env[tlsDirEnv] = dir;
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  return benchTlsFiles(dir);
}
