/**
 * Starts a real etcd (Debian's `etcd` binary) for tests: one or three members on
 * free 127.0.0.1 ports with a throw-away data dir under os.tmpdir(). Members can be
 * stopped and started again with the same data dir and ports, for restart tests.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { get } from "node:http";
import { get as getHttps } from "node:https";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A running etcd cluster started by startEtcd. */
export interface EtcdCluster {
  /** Client URLs of every member, e.g. "http://127.0.0.1:41234". */
  readonly endpoints: string[];
  /**
   * Stops member i and waits for it to exit: SIGTERM by default (then SIGKILL if it
   * lingers), or SIGKILL at once to simulate a crash (no leadership hand-over).
   */
  stopMember(index: number, signal?: "SIGTERM" | "SIGKILL"): Promise<void>;
  /** Starts member i again with the same data dir and ports; resolves once it is healthy. */
  startMember(index: number): Promise<void>;
  /** Stops every member and removes the data dir. */
  stop(): Promise<void>;
}

interface MemberSpec {
  name: string;
  clientUrl: string;
  peerUrl: string;
  dataDir: string;
}

const healthTimeoutMs = 30_000;
const stopTimeoutMs = 10_000;
const keptOutputChars = 8_000;

/**
 * TLS on etcd's client URLs (`--cert-file`, `--key-file`, `--trusted-ca-file`,
 * and with `clientCertAuth`, `--client-cert-auth`): the members serve https, and
 * the health check presents `client` when given.
 */
export interface EtcdTlsFiles {
  certFile: string;
  keyFile: string;
  caFile: string;
  clientCertAuth?: boolean;
  client?: { certFile: string; keyFile: string };
}

/** Starts etcd with `members` members and waits until every member reports healthy. */
export async function startEtcd(options: { members: 1 | 3; tls?: EtcdTlsFiles }): Promise<EtcdCluster> {
  const baseDir = await mkdtemp(join(tmpdir(), "rpcgen-etcd-"));
  const specs: MemberSpec[] = [];
  const tls = options.tls;
  const scheme = tls === undefined ? "http" : "https";
  const tlsArgs =
    tls === undefined
      ? []
      : [
          `--cert-file=${tls.certFile}`,
          `--key-file=${tls.keyFile}`,
          `--trusted-ca-file=${tls.caFile}`,
          ...(tls.clientCertAuth === true ? ["--client-cert-auth"] : []),
        ];
  const healthTls = tls === undefined ? undefined : healthOptions(tls);
  for (let i = 0; i < options.members; i++) {
    specs.push({
      name: `member${i}`,
      clientUrl: `${scheme}://127.0.0.1:${await freePort()}`,
      peerUrl: `http://127.0.0.1:${await freePort()}`,
      dataDir: join(baseDir, `member${i}`),
    });
  }
  const initialCluster = specs.map((s) => `${s.name}=${s.peerUrl}`).join(",");
  const clusterToken = `rpcgen-test-${process.pid}-${Date.now()}`;
  const running: (RunningMember | undefined)[] = specs.map(() => undefined);

  const launch = (index: number): RunningMember => {
    const spec = specs[index]!;
    const member = new RunningMember(
      spec.name,
      spawn(
        "etcd",
        [
          `--name=${spec.name}`,
          `--data-dir=${spec.dataDir}`,
          `--listen-client-urls=${spec.clientUrl}`,
          `--advertise-client-urls=${spec.clientUrl}`,
          `--listen-peer-urls=${spec.peerUrl}`,
          `--initial-advertise-peer-urls=${spec.peerUrl}`,
          `--initial-cluster=${initialCluster}`,
          `--initial-cluster-state=new`,
          `--initial-cluster-token=${clusterToken}`,
          "--logger=zap",
          "--log-outputs=stderr",
          "--log-level=warn",
          ...tlsArgs,
        ],
        { stdio: ["ignore", "pipe", "pipe"] },
      ),
    );
    running[index] = member;
    return member;
  };

  const stopMember = async (index: number, signal: "SIGTERM" | "SIGKILL" = "SIGTERM"): Promise<void> => {
    checkIndex(index, specs.length);
    const member = running[index];
    running[index] = undefined;
    if (member) await member.stop(signal);
  };

  const stopAll = async (): Promise<void> => {
    await Promise.all(specs.map((_, i) => stopMember(i, "SIGKILL")));
    await rm(baseDir, { recursive: true, force: true });
  };

  try {
    const members = specs.map((_, i) => launch(i));
    await Promise.all(members.map((m, i) => waitHealthy(specs[i]!.clientUrl, m, healthTls)));
  } catch (error) {
    await stopAll();
    throw error;
  }

  return {
    endpoints: specs.map((s) => s.clientUrl),
    stopMember,
    async startMember(index: number): Promise<void> {
      checkIndex(index, specs.length);
      if (running[index] && !running[index]!.isExited)
        throw new Error(`etcd ${specs[index]!.name} is already running`);
      await waitHealthy(specs[index]!.clientUrl, launch(index), healthTls);
    },
    stop: stopAll,
  };
}

class RunningMember {
  private output = "";
  readonly exited: Promise<void>;
  private hasExited = false;

  constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    const keep = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString("utf8")).slice(-keptOutputChars);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    // If the test process ends without stop() (a crash, a timeout), take etcd with it.
    const killOnExit = (): void => void child.kill("SIGKILL");
    process.once("exit", killOnExit);
    this.exited = new Promise((resolve) => {
      child.once("exit", () => {
        this.hasExited = true;
        process.off("exit", killOnExit);
        resolve();
      });
      child.once("error", (error) => {
        this.output += `\nspawn failed: ${error.message}`;
        this.hasExited = true;
        process.off("exit", killOnExit);
        resolve();
      });
    });
  }

  get isExited(): boolean {
    return this.hasExited;
  }

  get recentOutput(): string {
    return this.output;
  }

  async stop(signal: "SIGTERM" | "SIGKILL"): Promise<void> {
    if (this.hasExited) return;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill("SIGKILL"), stopTimeoutMs);
    await this.exited;
    clearTimeout(timer);
  }
}

function checkIndex(index: number, count: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw new RangeError(`etcd member index ${index} is out of range 0..${count - 1}`);
  }
}

/** Binds port 0 on 127.0.0.1 and releases it, so etcd can take the port. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === "object") resolve(address.port);
        else reject(new Error("could not read the port of a probe socket"));
      });
    });
  });
}

/** Polls GET /health until etcd answers {"health":"true"}; fails early if the process exits. */
async function waitHealthy(clientUrl: string, member: RunningMember, tls: HealthTls | undefined): Promise<void> {
  const deadline = Date.now() + healthTimeoutMs;
  while (Date.now() < deadline) {
    if (member.isExited) {
      throw new Error(`etcd ${member.name} exited before becoming healthy:\n${member.recentOutput}`);
    }
    if (await isHealthy(clientUrl, tls)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `etcd ${member.name} at ${clientUrl} not healthy after ${healthTimeoutMs} ms:\n${member.recentOutput}`,
  );
}

interface HealthTls {
  ca: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

function healthOptions(tls: EtcdTlsFiles): HealthTls {
  return {
    ca: readFileSync(tls.caFile),
    ...(tls.client === undefined ? {} : { cert: readFileSync(tls.client.certFile), key: readFileSync(tls.client.keyFile) }),
  };
}

function isHealthy(clientUrl: string, tls: HealthTls | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    const fetch = tls === undefined ? get : getHttps;
    const request = fetch(`${clientUrl}/health`, { timeout: 1_000, ...tls }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () => {
        try {
          resolve(response.statusCode === 200 && JSON.parse(body).health === "true");
        } catch {
          resolve(false);
        }
      });
      response.on("error", () => resolve(false));
    });
    request.on("timeout", () => request.destroy());
    request.on("error", () => resolve(false));
  });
}
