/**
 * What the etcd and ZooKeeper test servers share: free 127.0.0.1 ports, a spawned
 * server process that keeps its recent output and dies with the test process, and a
 * group of such servers (one, or the members of a cluster) that can be stopped,
 * paused and started again by index, each start waiting until the server is ready.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { rm } from "node:fs/promises";
import { createServer } from "node:net";

const stopTimeoutMs = 10_000;
const keptOutputChars = 8_000;

/** Binds port 0 on 127.0.0.1 and releases it, so a server can take the port. */
export function freePort(): Promise<number> {
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

/** A command line to start one server of a group. */
export interface ServerCommand {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
}

/** What startServerGroup needs to know about one kind of server. */
export interface ServerGroupOptions<Spec> {
  /** The kind of server in messages, e.g. "etcd member". */
  readonly kind: string;
  /** One spec (ports, dirs) per server of the group. */
  readonly specs: readonly Spec[];
  /** A temporary dir the group owns: removed when the group stops. */
  readonly baseDir: string;
  /** The command that starts a server (again: the same data and ports every time). */
  command(spec: Spec): ServerCommand;
  /** One readiness probe of a server: true once it serves clients; never throws. */
  isReady(spec: Spec): Promise<boolean>;
  /** What ready means, for messages: "healthy", "serving clients". */
  readonly readiness: string;
  readonly readyTimeoutMs: number;
  readonly pollMs: number;
}

/** A running group of servers started by startServerGroup. */
export interface ServerGroup {
  /** Stops server i and waits for it to exit: SIGTERM (then SIGKILL if it lingers), or SIGKILL at once. */
  stop(index: number, signal?: "SIGTERM" | "SIGKILL"): Promise<void>;
  /** Starts server i again; resolves once it is ready. */
  start(index: number): Promise<void>;
  /** SIGSTOP freezes server i without closing its connections; SIGCONT thaws it. */
  pause(index: number, signal: "SIGSTOP" | "SIGCONT"): void;
  /** Stops every server (SIGKILL) and removes the base dir. */
  stopAll(): Promise<void>;
}

/** Starts every server of the group and waits until all are ready; on failure stops them all. */
export async function startServerGroup<Spec>(options: ServerGroupOptions<Spec>): Promise<ServerGroup> {
  const { specs } = options;
  const running: (ServerProcess | undefined)[] = specs.map(() => undefined);

  const checkIndex = (index: number): void => {
    if (!Number.isInteger(index) || index < 0 || index >= specs.length) {
      throw new RangeError(`${options.kind} index ${index} is out of range 0..${specs.length - 1}`);
    }
  };

  const launch = async (index: number): Promise<void> => {
    const server = new ServerProcess(options.command(specs[index]!));
    running[index] = server;
    await waitReady(index, server);
  };

  /** Polls isReady until true; fails early if the process exits. */
  const waitReady = async (index: number, server: ServerProcess): Promise<void> => {
    const deadline = Date.now() + options.readyTimeoutMs;
    while (Date.now() < deadline) {
      if (server.isExited) {
        throw new Error(`${server.name} exited before ${options.readiness}:\n${server.recentOutput}`);
      }
      if (await options.isReady(specs[index]!)) return;
      await new Promise((resolve) => setTimeout(resolve, options.pollMs));
    }
    throw new Error(
      `${server.name} not ${options.readiness} after ${options.readyTimeoutMs} ms:\n${server.recentOutput}`,
    );
  };

  const stop = async (index: number, signal: "SIGTERM" | "SIGKILL" = "SIGTERM"): Promise<void> => {
    checkIndex(index);
    const server = running[index];
    running[index] = undefined;
    if (server) await server.stop(signal);
  };

  const stopAll = async (): Promise<void> => {
    await Promise.all(running.map((_, i) => stop(i, "SIGKILL")));
    await rm(options.baseDir, { recursive: true, force: true });
  };

  try {
    await Promise.all(running.map((_, i) => launch(i)));
  } catch (error) {
    await stopAll();
    throw error;
  }

  return {
    stop,
    async start(index: number): Promise<void> {
      checkIndex(index);
      const server = running[index];
      if (server && !server.isExited) throw new Error(`${server.name} is already running`);
      await launch(index);
    },
    pause(index: number, signal: "SIGSTOP" | "SIGCONT"): void {
      checkIndex(index);
      running[index]?.signal(signal);
    },
    stopAll,
  };
}

/** One spawned server: keeps its recent output, and is killed if the test process exits first. */
class ServerProcess {
  readonly name: string;
  private readonly child: ChildProcess;
  private output = "";
  private hasExited = false;
  readonly exited: Promise<void>;

  constructor(command: ServerCommand) {
    this.name = command.name;
    const child = spawn(command.command, command.args, { stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    const keep = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString("utf8")).slice(-keptOutputChars);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    // If the test process ends without stop() (a crash, a timeout), take the server with it.
    const killOnExit = (): void => void child.kill("SIGKILL");
    process.once("exit", killOnExit);
    this.exited = new Promise((resolve) => {
      const ended = (): void => {
        this.hasExited = true;
        process.off("exit", killOnExit);
        resolve();
      };
      child.once("exit", ended);
      child.once("error", (error) => {
        this.output += `\nspawn failed: ${error.message}`;
        ended();
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
