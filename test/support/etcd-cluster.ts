/**
 * Starts a real etcd (Debian's `etcd` binary) for tests: one or three members on
 * free 127.0.0.1 ports with a throw-away data dir under os.tmpdir(). Members can be
 * stopped and started again with the same data dir and ports, for restart tests.
 */
import { readFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { get } from "node:http";
import { get as getHttps } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, startServerGroup } from "./server-process.js";

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

  const members = await startServerGroup({
    kind: "etcd member",
    specs,
    baseDir,
    command: (spec) => ({
      name: `etcd ${spec.name} at ${spec.clientUrl}`,
      command: "etcd",
      args: [
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
    }),
    // GET /health answers {"health":"true"} once the member has joined a quorum.
    isReady: (spec) => isHealthy(spec.clientUrl, healthTls),
    readiness: "healthy",
    readyTimeoutMs: healthTimeoutMs,
    pollMs: 100,
  });

  return {
    endpoints: specs.map((s) => s.clientUrl),
    stopMember: members.stop,
    startMember: members.start,
    stop: members.stopAll,
  };
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
