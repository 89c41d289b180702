/**
 * A throw-away certificate authority made with `openssl` at test time in a
 * temporary directory (no key is ever committed): a CA, server certificates
 * for localhost / 127.0.0.1, and client certificates for mutual TLS.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface CertPair {
  cert: string;
  key: string;
}

export interface TestCa {
  dir: string;
  /** The CA certificate file. */
  ca: string;
  /** A server certificate: CN=localhost, SANs DNS:localhost and IP:127.0.0.1. */
  server: CertPair;
  /** A client certificate: CN=client-a, O=Example, SANs DNS:client-a.example and a SPIFFE URI. */
  client: CertPair;
  /** Issues another certificate of this CA. */
  issue(name: string, subject: string, sans: string, usage: "serverAuth" | "clientAuth"): CertPair;
  /** SHA-256 fingerprint of a certificate file, as Node prints it (`AB:CD:...`). */
  fingerprint(certFile: string): string;
  remove(): void;
}

function openssl(dir: string, ...args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
}

/** Makes a CA named `name` with a server and a client certificate. */
export function makeTestCa(name = "rpcgen test CA"): TestCa {
  const dir = mkdtempSync(join(tmpdir(), "rpcgen-ca-"));
  openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", `/CN=${name}`);
  let serial = 1;
  const issue = (file: string, subject: string, sans: string, usage: "serverAuth" | "clientAuth"): CertPair => {
    const key = join(dir, `${file}.key`);
    const cert = join(dir, `${file}.crt`);
    openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", `${file}.csr`, "-subj", subject);
    writeFileSync(join(dir, `${file}.ext`), `subjectAltName=${sans}\nextendedKeyUsage=${usage}\nbasicConstraints=CA:FALSE\n`);
    openssl(dir, "x509", "-req", "-in", `${file}.csr`, "-CA", "ca.crt", "-CAkey", "ca.key", "-set_serial", String(serial++), "-out", cert, "-days", "2", "-extfile", `${file}.ext`);
    return { cert, key };
  };
  const fingerprint = (certFile: string): string => {
    const out = execFileSync("openssl", ["x509", "-in", certFile, "-noout", "-fingerprint", "-sha256"], { encoding: "utf8" });
    return out.trim().split("=")[1]!.toUpperCase();
  };
  return {
    dir,
    ca: join(dir, "ca.crt"),
    server: issue("server", "/CN=localhost", "DNS:localhost,IP:127.0.0.1", "serverAuth"),
    client: issue("client", "/CN=client-a/O=Example", "DNS:client-a.example,URI:spiffe://example/client-a", "clientAuth"),
    issue,
    fingerprint,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The PEM text of a file. */
export function pem(file: string): string {
  return readFileSync(file, "utf8");
}
