/**
 * ZooKeeperRegistry on a three-server ensemble: losing any one member (killed, or
 * hung without closing its connections) must not disturb discovery, and no session
 * may expire because of it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger, ZooKeeperRegistry, type Registration } from "@rpcgen/runtime";
import { startZooKeeper, type ZooKeeperEnsemble } from "../support/zookeeper-server.js";
import { addresses, provider, RecordingLogger, watchUntil } from "./watch-until.js";

let zookeeper: ZooKeeperEnsemble;
const sessionTimeoutMs = 3_000;

beforeAll(async () => {
  zookeeper = await startZooKeeper({ servers: 3 });
});

afterAll(async () => {
  await zookeeper?.stop();
});

const expired = "ZooKeeper session expired; starting a new session";

/** The index of the member that holds session `id` (from `cons` on each member). */
async function memberHolding(id: string): Promise<number | undefined> {
  for (let index = 0; index < 3; index++) {
    if ((await zookeeper.fourLetterWord(index, "cons")).includes(`sid=0x${id},`)) return index;
  }
  return undefined;
}

describe("ZooKeeperRegistry on a three-server ensemble", { timeout: 60_000 }, () => {
  it("keeps discovering while any one member is killed with SIGKILL", async () => {
    const prefix = "/ensemble-test-kill";
    const serverLog = new RecordingLogger();
    const clientLog = new RecordingLogger();
    const server = new ZooKeeperRegistry({ servers: zookeeper.servers, prefix, sessionTimeoutMs, logger: serverLog });
    const client = new ZooKeeperRegistry({ servers: zookeeper.servers, prefix, sessionTimeoutMs, logger: clientLog });
    const watch = await client.watch("Calc");
    const steady = await server.register(provider("Calc", 7000));
    await watchUntil(watch, (list) => addresses(list) === "127.0.0.1:7000", "the steady provider");
    let emptied = false;
    watch.on("change", (list) => void (emptied ||= list.length === 0));

    // Kill each member in turn, so whichever member the client's and the provider's
    // sessions happen to use (and the leader) is lost once.
    let previous: Registration | undefined;
    for (let member = 0; member < 3; member++) {
      await zookeeper.stopServer(member, "SIGKILL");
      const stoppedAt = Date.now();
      const port = 7001 + member;
      const registration = await server.register(provider("Calc", port));
      const registeredAt = Date.now();
      await previous?.deregister();
      await watchUntil(
        watch,
        (list) => addresses(list) === `127.0.0.1:7000,127.0.0.1:${port}`,
        `the change made without member ${member}`,
      );
      console.log(
        `[zookeeper] member ${member} killed: register() took ${registeredAt - stoppedAt} ms, the watch saw it ${Date.now() - registeredAt} ms later`,
      );
      previous = registration;
      await zookeeper.startServer(member);
    }
    expect(emptied).toBe(false);
    expect(serverLog.count(expired) + clientLog.count(expired)).toBe(0);
    await steady.deregister();
    await watchUntil(watch, (list) => addresses(list) === "127.0.0.1:7003", "the steady provider gone");
    await Promise.all([server.close(), client.close()]);
  });

  it("moves off a hung member (SIGSTOP) before the session expires", async () => {
    const prefix = "/ensemble-test-hung";
    const clientLog = new RecordingLogger();
    const client = new ZooKeeperRegistry({ servers: zookeeper.servers, prefix, sessionTimeoutMs, logger: clientLog });
    const watch = await client.watch("Calc");
    const started = clientLog.entries.find((e) => e.message === "ZooKeeper session started")!;
    const sessionId = (started.fields as { sessionId: string }).sessionId;
    const hung = await memberHolding(sessionId);
    expect(hung).toBeDefined();
    const role = /^Mode: (\w+)/m.exec(await zookeeper.fourLetterWord(hung!, "srvr"))?.[1];

    zookeeper.pauseServer(hung!, "SIGSTOP");
    const pausedAt = Date.now();
    try {
      const others = zookeeper.servers.filter((_, index) => index !== hung);
      const server = new ZooKeeperRegistry({ servers: others, prefix, logger: silentLogger });
      await server.register(provider("Calc", 7100));
      await watchUntil(watch, (list) => addresses(list) === "127.0.0.1:7100", "a change made while its member hung");
      console.log(
        `[zookeeper] member ${hung} (${role}) hung: the client moved to another member and saw a change ${Date.now() - pausedAt} ms after SIGSTOP`,
      );
      expect(
        clientLog.count("ZooKeeper server stopped answering; connecting to another server"),
      ).toBeGreaterThanOrEqual(1);
      expect(clientLog.count(expired)).toBe(0);
      await server.close();
    } finally {
      zookeeper.pauseServer(hung!, "SIGCONT");
    }
    await client.close();
  });
});
