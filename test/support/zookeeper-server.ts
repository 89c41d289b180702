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
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

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
const stopTimeoutMs = 10_000;
const keptOutputChars = 8_000;
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
  const running: (RunningServer | undefined)[] = specs.map(() => undefined);

  const launch = (index: number): RunningServer => {
    const spec = specs[index]!;
    const server = new RunningServer(
      `zookeeper${spec.id}`,
      spawn(
        "java",
        [
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
        { stdio: ["ignore", "pipe", "pipe"] },
      ),
    );
    running[index] = server;
    return server;
  };

  const fourLetterWord = (index: number, word: string): Promise<string> => {
    checkIndex(index, specs.length);
    return askServer(specs[index]!.clientPort, word);
  };

  const stopServer = async (index: number, signal: "SIGTERM" | "SIGKILL" = "SIGTERM"): Promise<void> => {
    checkIndex(index, specs.length);
    const server = running[index];
    running[index] = undefined;
    if (server) await server.stop(signal);
  };

  const stopAll = async (): Promise<void> => {
    await Promise.all(specs.map((_, i) => stopServer(i, "SIGKILL")));
    await rm(baseDir, { recursive: true, force: true });
  };

  try {
    const servers = specs.map((_, i) => launch(i));
    await Promise.all(servers.map((server, i) => waitServing(specs[i]!.clientPort, server)));
  } catch (error) {
    await stopAll();
    throw error;
  }

  const addresses = specs.map((s) => `127.0.0.1:${s.clientPort}`);
  return {
    servers: addresses,
    connectString: addresses.join(","),
    tickTimeMs,
    stopServer,
    async startServer(index: number): Promise<void> {
      checkIndex(index, specs.length);
      if (running[index] && !running[index]!.isExited) {
        throw new Error(`zookeeper${specs[index]!.id} is already running`);
      }
      await waitServing(specs[index]!.clientPort, launch(index));
    },
    pauseServer(index: number, signal: "SIGSTOP" | "SIGCONT"): void {
      checkIndex(index, specs.length);
      running[index]?.signal(signal);
    },
    fourLetterWord,
    stop: stopAll,
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

class RunningServer {
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
    // If the test process ends without stop() (a crash, a timeout), take the server with it.
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

  signal(signal: "SIGSTOP" | "SIGCONT"): void {
    if (!this.hasExited) this.child.kill(signal);
  }

  async stop(signal: "SIGTERM" | "SIGKILL"): Promise<void> {
    if (this.hasExited) return;
    // A paused server would not act on SIGTERM.
    this.child.kill("SIGCONT");
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill("SIGKILL"), stopTimeoutMs);
    await this.exited;
    clearTimeout(timer);
  }
}

function checkIndex(index: number, count: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw new RangeError(`zookeeper server index ${index} is out of range 0..${count - 1}`);
  }
}

/** Binds port 0 on 127.0.0.1 and releases it, so ZooKeeper can take the port. */
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

/**
 * Polls `srvr` until the server reports a Mode (standalone, leader or follower):
 * a member that has not joined a quorum answers "not currently serving requests".
 */
async function waitServing(clientPort: number, server: RunningServer): Promise<void> {
  const deadline = Date.now() + serveTimeoutMs;
  while (Date.now() < deadline) {
    if (server.isExited) {
      throw new Error(`${server.name} exited before serving clients:\n${server.recentOutput}`);
    }
    if (/^Mode: /m.test(await askServer(clientPort, "srvr"))) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(
    `${server.name} on port ${clientPort} not serving after ${serveTimeoutMs} ms:\n${server.recentOutput}`,
  );
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
