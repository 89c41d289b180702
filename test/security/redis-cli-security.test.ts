/**
 * The issue's judges with real peers against the example server started with
 * its security flags: `redis-cli --tls`, `redis-cli -a`, `openssl s_client`.
 */
import { execFile } from "node:child_process";
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { connect as connectTls } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CalculatorProcess, startCalculator } from "./support/calculator-process.js";
import { makeTestCa, pem, type TestCa } from "./support/test-ca.js";

let ca: TestCa;
let tlsOnly: CalculatorProcess;
let mutual: CalculatorProcess;
let withToken: CalculatorProcess;

beforeAll(async () => {
  ca = makeTestCa();
  [tlsOnly, mutual, withToken] = await Promise.all([
    startCalculator(["--tls-cert", ca.server.cert, "--tls-key", ca.server.key]),
    startCalculator(["--tls-cert", ca.server.cert, "--tls-key", ca.server.key, "--tls-ca", ca.ca]),
    startCalculator(["--auth-token", "s3cret"]),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all([tlsOnly?.stop(), mutual?.stop(), withToken?.stop()]);
  ca?.remove();
});

/** Runs a peer command; resolves with its exit code and output (never rejects). */
function run(command: string, args: string[], stdin = ""): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = execFile(command, args, { timeout: 15_000 }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, out: `${stdout}${stderr}` }),
    );
    child.stdin!.end(stdin);
  });
}

const redisCli = (port: number, ...args: string[]) => run("redis-cli", ["-p", String(port), ...args]);

describe("--tls-cert/--tls-key", () => {
  it("redis-cli --tls --cacert CA.crt prints 3", async () => {
    const { out } = await redisCli(tlsOnly.port, "--tls", "--cacert", ca.ca, "CALL", "Calculator.add", "1", "2");
    expect(out).toBe("3\n");
  });

  it("a plaintext redis-cli gets no answer", async () => {
    const { code, out } = await redisCli(tlsOnly.port, "CALL", "Calculator.add", "1", "2");
    expect(out).not.toContain("3");
    expect(out).toMatch(/closed the connection|Connection reset|Error/i);
    expect(code).not.toBe(0);
  });

  it("openssl s_client completes TLS 1.2 and 1.3 handshakes with Verify return code: 0", async () => {
    for (const version of ["-tls1_2", "-tls1_3"]) {
      const { out } = await run("openssl", ["s_client", "-connect", `127.0.0.1:${tlsOnly.port}`, "-CAfile", ca.ca, version]);
      expect(out).toContain("Verify return code: 0 (ok)");
    }
  });
});

describe("--tls-ca (mutual TLS)", () => {
  it("redis-cli with --cert/--key of a client certificate prints 3", async () => {
    const { out } = await redisCli(mutual.port, "--tls", "--cacert", ca.ca, "--cert", ca.client.cert, "--key", ca.client.key, "CALL", "Calculator.add", "1", "2");
    expect(out).toBe("3\n");
  });

  it("redis-cli without a client certificate is refused", async () => {
    const { code, out } = await redisCli(mutual.port, "--tls", "--cacert", ca.ca, "CALL", "Calculator.add", "1", "2");
    expect(out).not.toMatch(/^3$/m);
    expect(code).not.toBe(0);
  });
});

describe("--auth-token", () => {
  it("redis-cli without AUTH gets Redis's NOAUTH error", async () => {
    const { out } = await redisCli(withToken.port, "--no-raw", "CALL", "Calculator.add", "1", "2");
    expect(out).toBe("(error) NOAUTH Authentication required.\n");
  });

  it("redis-cli -a s3cret --no-auth-warning prints 3", async () => {
    const { out } = await redisCli(withToken.port, "-a", "s3cret", "--no-auth-warning", "CALL", "Calculator.add", "1", "2");
    expect(out).toBe("3\n");
  });

  it("a wrong token is refused with WRONGPASS, and the command then gets NOAUTH", async () => {
    const { out } = await redisCli(withToken.port, "-a", "wrong", "--no-auth-warning", "CALL", "Calculator.add", "1", "2");
    expect(out).toContain("WRONGPASS invalid username-password pair or user is disabled.");
    expect(out).toContain("NOAUTH Authentication required.");
    expect(out).not.toMatch(/^3$/m);
  });

  it("AUTH <user> <token> and HELLO 3 AUTH <user> <token> as Redis; COMMAND and PING need authentication too", async () => {
    const script = [
      "PING",
      "COMMAND COUNT",
      "HELLO 3",
      "AUTH default s3cret",
      "CALL Calculator.add 20 22",
    ].join("\n");
    const { out } = await redisCli(withToken.port, "--no-raw", script.split("\n")[0]!);
    expect(out).toBe("(error) NOAUTH Authentication required.\n");
    const piped = await run("redis-cli", ["-p", String(withToken.port)], `${script}\n`);
    const lines = piped.out.split("\n").filter((line) => line !== "");
    expect(lines[0]).toBe("NOAUTH Authentication required.");
    expect(lines[1]).toBe("NOAUTH Authentication required.");
    expect(lines[2]).toMatch(/^NOAUTH HELLO must be called with the client already authenticated/);
    expect(lines[3]).toBe("OK");
    expect(lines[4]).toBe("42");
    const hello = await run("redis-cli", ["-p", String(withToken.port)], "HELLO 3 AUTH default s3cret\nCALL Calculator.add 1 2\n");
    expect(hello.out).toContain("rpcgen");
    expect(hello.out.trimEnd().split("\n").at(-1)).toBe("3");
    const wrongUser = await run("redis-cli", ["-p", String(withToken.port)], "AUTH admin s3cret\n");
    expect(wrongUser.out).toContain("WRONGPASS");
  });

  it("the failed attempts are logged with the peer address, never the token", async () => {
    const failures = () => withToken.stderr.split("\n").filter((line) => line.includes("authentication failed"));
    const before = failures().length;
    await redisCli(withToken.port, "-a", "guessed-wrong", "--no-auth-warning", "PING");
    // The server's log reaches us through a pipe, a moment after redis-cli is done.
    const deadline = Date.now() + 10_000;
    while (failures().length === before && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    const lines = failures();
    expect(lines.length).toBeGreaterThan(before);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((line) => /"peer":"127\.0\.0\.1:\d+"/.test(line))).toBe(true);
    expect(withToken.stderr).not.toContain("guessed-wrong");
    expect(withToken.stderr).not.toContain("s3cret");
  });
});

describe("--workers 2 with TLS", () => {
  it("every worker serves TLS; SIGHUP to the primary reloads the workers' certificate and the primary lives on", async () => {
    const certFile = join(ca.dir, "workers.crt");
    const keyFile = join(ca.dir, "workers.key");
    copyFileSync(ca.server.cert, certFile);
    copyFileSync(ca.server.key, keyFile);
    const workers = await startCalculator(["--workers", "2", "--tls-cert", certFile, "--tls-key", keyFile]);
    try {
      for (let i = 0; i < 4; i++) {
        expect((await redisCli(workers.port, "--tls", "--cacert", ca.ca, "CALL", "Calculator.add", "1", "2")).out).toBe("3\n");
      }
      const next = ca.issue("workers-next", "/CN=localhost", "DNS:localhost,IP:127.0.0.1", "serverAuth");
      copyFileSync(next.cert, certFile);
      copyFileSync(next.key, keyFile);
      process.kill(workers.pid, "SIGHUP");
      const wanted = ca.fingerprint(next.cert);
      const deadline = Date.now() + 15_000;
      let seen: string[] = [];
      // Connections go to both workers in turn: a few in a row must all show the new certificate.
      while (Date.now() < deadline) {
        seen = await Promise.all([0, 1, 2, 3].map(() => served(workers.port)));
        if (seen.every((fingerprint) => fingerprint === wanted)) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(seen).toEqual([wanted, wanted, wanted, wanted]);
      expect(workers.alive).toBe(true);
      expect((await redisCli(workers.port, "--tls", "--cacert", ca.ca, "CALL", "Calculator.add", "2", "2")).out).toBe("4\n");
    } finally {
      await workers.stop();
    }
  });
});

function served(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connectTls({ host: "127.0.0.1", port, ca: pem(ca.ca) }, () => {
      resolve(socket.getPeerCertificate().fingerprint256);
      socket.destroy();
    });
    socket.on("error", reject);
  });
}
