/**
 * Starts a real ZooKeeper (Debian's `zookeeper` package: the server jar run with
 * java) for tests: one server, or a three-server ensemble, on free 127.0.0.1 ports
 * with a throw-away config and data dir under os.tmpdir(). Servers can be stopped
 * (SIGTERM or SIGKILL) and started again on the same ports and data, for restart
 * and member-loss tests.
 *
 * Startup is kept short for a small machine: a small heap, the serial GC and the
 * C1 compiler only (a test server never runs long enough for C2 to pay off); a
 * server answers in about 0.3 s. The admin HTTP server is off; only the `srvr`
 * and `ruok` four-letter words are enabled, for the readiness check.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, startServerGroup } from "./server-process.js";

/** A running ZooKeeper server or ensemble started by startZooKeeper. */
export interface ZooKeeperEnsemble {
  /** Client addresses of every server, "127.0.0.1:<port>". */
  readonly servers: string[];
  /** The servers joined by commas, as ZooKeeper clients take them. */
  readonly connectString: string;
  /** The tickTime in ms: sessions are checked for expiry once per tick. */
  readonly tickTimeMs: number;
  /** Stops server i and waits for it to exit: SIGTERM by default, SIGKILL to simulate a crash. */
  stopServer(index: number, signal?: "SIGTERM" | "SIGKILL"): Promise<void>;
  /** Starts server i again with the same config and data; resolves once it serves clients. */
  startServer(index: number): Promise<void>;
  /** SIGSTOP freezes server i without closing its connections (a hung server); SIGCONT thaws it. */
  pauseServer(index: number, signal: "SIGSTOP" | "SIGCONT"): void;
  /** Sends a four-letter word (e.g. "srvr") to server i and returns the answer ("" if none). */
  fourLetterWord(index: number, word: string): Promise<string>;
  /** Stops every server (SIGKILL) and removes the config and data dirs. */
  stop(): Promise<void>;
}

const zookeeperJar = "/usr/share/java/zookeeper.jar";
// slf4j-simple comes with the package's dependencies; without a binding ZooKeeper
// logs nothing, and a server that fails to start would not say why.
const loggerJar = "/usr/share/java/slf4j-simple.jar";
const serveTimeoutMs = 30_000;
const tickTimeMs = 200;

interface ServerSpec {
  id: number;
  clientPort: number;
  quorumPort: number;
  electionPort: number;
  configFile: string;
  dataDir: string;
}

/** Starts `servers` ZooKeeper servers and waits until every one serves clients. */
export async function startZooKeeper(options: { servers: 1 | 3 }): Promise<ZooKeeperEnsemble> {
  if (!existsSync(zookeeperJar)) {
    throw new Error(
      `ZooKeeper is not installed (${zookeeperJar} is missing): run bash .ci/install-system-deps.sh (Debian package zookeeper)`,
    );
  }
  const baseDir = await mkdtemp(join(tmpdir(), "rpcgen-zookeeper-"));
  const specs: ServerSpec[] = [];
  for (let i = 0; i < options.servers; i++) {
    const dir = join(baseDir, `server${i + 1}`);
    specs.push({
      id: i + 1,
      clientPort: await freePort(),
      quorumPort: await freePort(),
      electionPort: await freePort(),
      configFile: join(dir, "zoo.cfg"),
      dataDir: join(dir, "data"),
    });
  }
  for (const spec of specs) await writeServerFiles(spec, specs);

  const group = await startServerGroup({
    kind: "zookeeper server",
    specs,
    baseDir,
    command: (spec) => ({
      name: `zookeeper${spec.id} on port ${spec.clientPort}`,
      command: "java",
      args: [
        "-Xms32m",
        "-Xmx128m",
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        "-Xshare:auto",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
        "-Dzookeeper.jmx.log4j.disable=true",
        "-cp",
        existsSync(loggerJar) ? `${zookeeperJar}:${loggerJar}` : zookeeperJar,
        "org.apache.zookeeper.server.quorum.QuorumPeerMain",
        spec.configFile,
      ],
    }),
    // `srvr` reports a Mode (standalone, leader or follower) once the server serves:
    // a member that has not joined a quorum answers "not currently serving requests".
    isReady: async (spec) => /^Mode: /m.test(await askServer(spec.clientPort, "srvr")),
    readiness: "serving clients",
    readyTimeoutMs: serveTimeoutMs,
    pollMs: 50,
  });

  const addresses = specs.map((s) => `127.0.0.1:${s.clientPort}`);
  return {
    servers: addresses,
    connectString: addresses.join(","),
    tickTimeMs,
    stopServer: group.stop,
    startServer: group.start,
    pauseServer: group.pause,
    fourLetterWord(index: number, word: string): Promise<string> {
      const spec = specs[index];
      if (spec === undefined) throw new RangeError(`zookeeper server index ${index} is out of range 0..${specs.length - 1}`);
      return askServer(spec.clientPort, word);
    },
    stop: group.stopAll,
  };
}

async function writeServerFiles(spec: ServerSpec, all: readonly ServerSpec[]): Promise<void> {
  await mkdir(spec.dataDir, { recursive: true });
  const lines = [
    `tickTime=${tickTimeMs}`,
    // Ticks a follower may take to connect to and sync with the leader.
    "initLimit=25",
    "syncLimit=10",
    `dataDir=${spec.dataDir}`,
    `clientPort=${spec.clientPort}`,
    "clientPortAddress=127.0.0.1",
    // Sessions from 2 ticks (400 ms) to 60 s, so tests can use short session timeouts.
    "maxSessionTimeout=60000",
    "admin.enableServer=false",
    "4lw.commands.whitelist=srvr,ruok,cons",
    // A test server keeps its few snapshots; no purge task needed.
    "autopurge.purgeInterval=0",
  ];
  if (all.length > 1) {
    for (const peer of all) lines.push(`server.${peer.id}=127.0.0.1:${peer.quorumPort}:${peer.electionPort}`);
    await writeFile(join(spec.dataDir, "myid"), `${spec.id}\n`);
  }
  await writeFile(spec.configFile, `${lines.join("\n")}\n`);
}

/** Sends a four-letter word and collects the answer until the server closes; "" on any error. */
function askServer(port: number, word: string): Promise<string> {
  return new Promise((resolve) => {
    let answer = "";
    const socket = connect({ host: "127.0.0.1", port });
    socket.setTimeout(1_000, () => socket.destroy());
    socket.on("connect", () => socket.write(word));
    socket.on("data", (chunk: Buffer) => (answer += chunk.toString("utf8")));
    socket.on("error", () => resolve(""));
    socket.on("close", () => resolve(answer));
  });
}
