/**
 * ZooKeeper sessions expiring and servers restarting under a ZooKeeperRegistry:
 * a process paused with SIGSTOP past its session timeout loses its session; on
 * SIGCONT it must start a new one, create its nodes again and set its watches
 * again, with nothing lost. A restarted server must not cost the last known list.
 */
import { describe, expect, it } from "vitest";
import { useBackendServer, zookeeperBackend } from "./support/backends.js";
import { startProviderProcess, startWatcherProcess, type ChildProcessHandle } from "./support/child-process.js";
import { freshPrefix } from "./support/registry-contract.js";
import { addresses, provider, RecordingLogger, watchUntil } from "./watch-until.js";

const zookeeper = useBackendServer(zookeeperBackend);
const sessionTimeoutMs = 1_500;

/** Where a child process registers or watches: this file's server, a session of sessionTimeoutMs. */
const childRegistry = (prefix: string) =>
  ({ kind: "zookeeper", endpoints: zookeeper().endpoints, prefix, lifetimeMs: sessionTimeoutMs }) as const;

/** The session id a child logged when its first session started. */
async function sessionIdOf(child: ChildProcessHandle): Promise<string> {
  const line = await child.waitForLine((l) => l.startsWith("log ZooKeeper session started"), "its session", {
    from: 0,
    timeoutMs: 30_000,
  });
  return JSON.parse(line.slice(line.indexOf("{"))).sessionId as string;
}

/** Waits (polling `cons`, bounded) until the server no longer has session `id`: it expired. */
async function waitSessionGone(id: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await zookeeper().ensemble.fourLetterWord(0, "cons")).includes(`sid=0x${id},`)) {
    if (Date.now() > deadline) throw new Error(`session 0x${id} still open after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("ZooKeeperRegistry across expired sessions and restarts", { timeout: 60_000 }, () => {
  it("a provider paused past its session timeout registers again on SIGCONT", async () => {
    const prefix = freshPrefix("rpcgen-sessions");
    const client = zookeeper().registry({ prefix });
    const watch = await client.watch("Calc");
    const { child, where: firstPath } = await startProviderProcess(childRegistry(prefix), {
      service: "Calc",
      address: "127.0.0.1:7300",
      version: "1.0.0",
    });
    await watchUntil(watch, (list) => addresses(list) === "127.0.0.1:7300", "the provider");

    child.signal("SIGSTOP");
    const pausedAt = Date.now();
    await watchUntil(watch, (list) => list.length === 0, "the paused provider's node gone with its session", 15_000);
    console.log(`[zookeeper] paused provider's node removed ${Date.now() - pausedAt} ms after SIGSTOP`);

    const again = child.waitForLine(
      (l) => l.startsWith("log provider registered again in ZooKeeper"),
      "registered again",
    );
    const resumedAt = Date.now();
    child.signal("SIGCONT");
    await watchUntil(watch, (list) => addresses(list) === "127.0.0.1:7300", "the provider registered again", 15_000);
    const reRegisteredMs = Date.now() - resumedAt;
    console.log(`[zookeeper] session expiry → provider re-registered and seen ${reRegisteredMs} ms after SIGCONT`);
    const line = await again;
    expect(line).not.toContain(firstPath);
    expect(child.lines.some((l) => l.startsWith("log ZooKeeper session expired; starting a new session"))).toBe(true);
    await child.kill();
    await client.close();
  });

  it("a client paused past its session timeout re-lists and re-watches on SIGCONT, missing nothing", async () => {
    const prefix = freshPrefix("rpcgen-sessions");
    const server = zookeeper().registry({ prefix });
    const first = await server.register(provider("Calc", 7401));
    const child = startWatcherProcess(childRegistry(prefix), "Calc");
    await child.waitForLine((l) => l === "list 127.0.0.1:7401", "the first list", { from: 0, timeoutMs: 30_000 });
    const sessionId = await sessionIdOf(child);

    child.signal("SIGSTOP");
    await waitSessionGone(sessionId);
    // Changes the paused client cannot see: its session and watches are gone.
    await first.deregister();
    await server.register(provider("Calc", 7402));
    await server.register(provider("Calc", 7403));

    const resumedAt = Date.now();
    child.signal("SIGCONT");
    await child.waitForLine((l) => l === "list 127.0.0.1:7402,127.0.0.1:7403", "the changes made while it was paused");
    console.log(`[zookeeper] paused client: new session and re-listed ${Date.now() - resumedAt} ms after SIGCONT`);
    expect(child.lines.some((l) => l.startsWith("log ZooKeeper session expired; starting a new session"))).toBe(true);
    // Lists it printed after resuming never lacked a provider that was there all along.
    const listsAfterResume = child.lines.filter((l) => l.startsWith("list ")).slice(1);
    expect(listsAfterResume).toEqual(["list 127.0.0.1:7402,127.0.0.1:7403"]);

    // Its watches are set again: a later change reaches it too.
    await server.register(provider("Calc", 7404));
    await child.waitForLine(
      (l) => l === "list 127.0.0.1:7402,127.0.0.1:7403,127.0.0.1:7404",
      "a change after resuming",
    );
    await child.kill();
    await server.close();
  });

  it("keeps the last known list while ZooKeeper restarts, then resumes the same sessions and sees later changes", async () => {
    const prefix = freshPrefix("rpcgen-sessions");
    const serverLog = new RecordingLogger();
    const clientLog = new RecordingLogger();
    const server = zookeeper().registry({ prefix, lifetimeMs: 4_000, logger: serverLog });
    const client = zookeeper().registry({ prefix, lifetimeMs: 4_000, logger: clientLog });
    const watch = await client.watch("Calc");
    await server.register(provider("Calc", 7501));
    await watchUntil(watch, (list) => addresses(list) === "127.0.0.1:7501", "the provider");
    let emptied = false;
    watch.on("change", (list) => void (emptied ||= list.length === 0));

    for (const signal of ["SIGTERM", "SIGKILL"] as const) {
      const lost = clientLog.waitFor("ZooKeeper connection lost; reconnecting with the same session");
      await zookeeper().stopMember(0, signal);
      await lost;
      expect(addresses(watch.providers)).toBe("127.0.0.1:7501");
      const restored = clientLog.waitFor("ZooKeeper connection restored with the same session");
      await zookeeper().startMember(0);
      const startedAt = Date.now();
      await restored;
      console.log(
        `[zookeeper] after a ${signal} restart the client reconnected ${Date.now() - startedAt} ms after the server served again`,
      );
    }
    const later = zookeeper().registry({ prefix });
    await later.register(provider("Calc", 7502));
    await watchUntil(
      watch,
      (list) => addresses(list) === "127.0.0.1:7501,127.0.0.1:7502",
      "a change after the restarts",
    );
    expect(emptied).toBe(false);
    // Sessions survived the restarts (a server restores them from its data dir): nothing expired.
    expect(serverLog.count("ZooKeeper session expired; starting a new session")).toBe(0);
    expect(clientLog.count("ZooKeeper session expired; starting a new session")).toBe(0);
    await Promise.all([server.close(), client.close(), later.close()]);
  });
});
