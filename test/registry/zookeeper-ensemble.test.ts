/**
 * ZooKeeperRegistry on a three-server ensemble: losing any one member (killed, or
 * hung without closing its connections) must not disturb discovery, and no session
 * may expire because of it. The killed-member test is shared with etcd.
 */
import { describe, expect, it } from "vitest";
import { useBackendServer, zookeeperBackend } from "./support/backends.js";
import { itKeepsDiscoveringWithoutAnyOneMember } from "./support/member-loss-contract.js";
import { addresses, provider, RecordingLogger, watchUntil } from "./watch-until.js";

const zookeeper = useBackendServer(zookeeperBackend, 3);
const sessionTimeoutMs = 3_000;
const expired = "ZooKeeper session expired; starting a new session";

/** The index of the member that holds session `id` (from `cons` on each member). */
async function memberHolding(id: string): Promise<number | undefined> {
  for (let index = 0; index < 3; index++) {
    if ((await zookeeper().ensemble.fourLetterWord(index, "cons")).includes(`sid=0x${id},`)) return index;
  }
  return undefined;
}

describe("ZooKeeperRegistry on a three-server ensemble", { timeout: 60_000 }, () => {
  itKeepsDiscoveringWithoutAnyOneMember(zookeeperBackend, zookeeper, {
    lifetimeMs: sessionTimeoutMs,
    forbiddenLogs: [expired],
  });

  it("moves off a hung member (SIGSTOP) before the session expires", async () => {
    const prefix = "/ensemble-test-hung";
    const clientLog = new RecordingLogger();
    const client = zookeeper().registry({ prefix, lifetimeMs: sessionTimeoutMs, logger: clientLog });
    const watch = await client.watch("Calc");
    const started = clientLog.entries.find((e) => e.message === "ZooKeeper session started")!;
    const sessionId = (started.fields as { sessionId: string }).sessionId;
    const hung = await memberHolding(sessionId);
    expect(hung).toBeDefined();
    const role = /^Mode: (\w+)/m.exec(await zookeeper().ensemble.fourLetterWord(hung!, "srvr"))?.[1];

    zookeeper().ensemble.pauseServer(hung!, "SIGSTOP");
    const pausedAt = Date.now();
    try {
      const others = zookeeper().ensemble.servers.filter((_, index) => index !== hung);
      const server = zookeeper().registry({ endpoints: others, prefix });
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
      zookeeper().ensemble.pauseServer(hung!, "SIGCONT");
    }
    await client.close();
  });
});
