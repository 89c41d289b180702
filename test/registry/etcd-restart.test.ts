import { describe, expect, it } from "vitest";
import { EtcdRegistry, silentLogger } from "@rpcgen/runtime";
import { etcdBackend, useBackendServer } from "./support/backends.js";
import { addresses, provider, RecordingLogger, watchUntil } from "./watch-until.js";

const etcd = useBackendServer(etcdBackend);

async function leaseOf(key: string): Promise<string | undefined> {
  const response = await etcd().raw.get(key).exec();
  return response.kvs[0]?.lease;
}

async function waitUntilTrue(
  check: () => Promise<boolean>,
  description: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${description}: not true after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("EtcdRegistry across failures", { timeout: 90_000 }, () => {
  it("re-registers when its lease is lost (revoked by someone else)", async () => {
    const prefix = "/restart-test-revoke";
    const logger = new RecordingLogger();
    const server = new EtcdRegistry({ endpoints: etcd().endpoints, prefix, ttlSeconds: 2, logger });
    const client = new EtcdRegistry({ endpoints: etcd().endpoints, prefix, logger: silentLogger });
    const watch = await client.watch("Calc");
    await server.register(provider("Calc", 7001));
    const key = `${prefix}/services/Calc/providers/127.0.0.1:7001`;
    const firstLease = await leaseOf(key);
    expect(firstLease).toBeDefined();

    const removed = watchUntil(watch, (list) => list.length === 0, "the provider removed by the revoke");
    await etcd().raw.leaseClient.leaseRevoke({ ID: firstLease! });
    await removed;
    await logger.waitFor("provider registered again in etcd", 0);
    await watchUntil(watch, (list) => addresses(list) === "127.0.0.1:7001", "the provider back");
    const secondLease = await leaseOf(key);
    expect(secondLease).toBeDefined();
    expect(secondLease).not.toBe(firstLease);
    expect(logger.count("etcd lease lost; registering again")).toBe(1);
    await Promise.all([server.close(), client.close()]);
    expect(await leaseOf(key)).toBeUndefined();
  });

  it("keeps the last known list while etcd is down, resumes after restart, and re-registers a lost lease", async () => {
    const prefix = "/restart-test-outage";
    const serverLog = new RecordingLogger();
    const clientLog = new RecordingLogger();
    const server = new EtcdRegistry({ endpoints: etcd().endpoints, prefix, ttlSeconds: 2, logger: serverLog });
    const client = new EtcdRegistry({ endpoints: etcd().endpoints, prefix, logger: clientLog });
    const watch = await client.watch("Calc");
    await server.register(provider("Calc", 7001));
    await watchUntil(watch, (list) => addresses(list) === "127.0.0.1:7001", "the first provider");
    const key = `${prefix}/services/Calc/providers/127.0.0.1:7001`;
    const firstLease = await leaseOf(key);
    let emptied = false;
    watch.on("change", (list) => void (emptied ||= list.length === 0));

    await etcd().stopMember(0);
    // The watch notices, and the provider's client gives up its lease after 2 × TTL
    // without a keepalive: both happen while etcd is down.
    await clientLog.waitFor(
      "etcd watch failed; listing providers again (keeping the last known list meanwhile)",
      0,
    );
    await serverLog.waitFor("etcd lease lost; registering again", 0);
    expect(addresses(watch.providers)).toBe("127.0.0.1:7001");

    await etcd().startMember(0);
    const restartedAt = Date.now();
    const resumed = clientLog.waitFor("etcd watch resumed", 0).then(() => Date.now() - restartedAt);
    const later = new EtcdRegistry({ endpoints: etcd().endpoints, prefix, logger: silentLogger });
    await later.register(provider("Calc", 7002));
    const registeredAfter = Date.now() - restartedAt;
    await watchUntil(
      watch,
      (list) => addresses(list) === "127.0.0.1:7001,127.0.0.1:7002",
      "the provider added after the restart",
    );
    const seenAfter = Date.now() - restartedAt;
    console.log(
      `[registry] after etcd came back: watch re-listed in ${await resumed} ms; a provider registered at ${registeredAfter} ms was seen at ${seenAfter} ms`,
    );

    await serverLog.waitFor("provider registered again in etcd", 0);
    const secondLease = await leaseOf(key);
    expect(secondLease).toBeDefined();
    expect(secondLease).not.toBe(firstLease);
    // etcd renewed the old lease on restart; once it expires, the entry must stay,
    // because it now lives under the new lease.
    await waitUntilTrue(
      async () => (await etcd().raw.leaseClient.leaseTimeToLive({ ID: firstLease! })).TTL === "-1",
      "the old lease expired",
    );
    expect(await leaseOf(key)).toBe(secondLease);
    expect(addresses(watch.providers)).toBe("127.0.0.1:7001,127.0.0.1:7002");
    expect(emptied).toBe(false);
    await Promise.all([server.close(), client.close(), later.close()]);
  });

  it("sees every change after a compaction and a forced re-list", async () => {
    const prefix = "/restart-test-compaction";
    const clientLog = new RecordingLogger();
    const server = new EtcdRegistry({ endpoints: etcd().endpoints, prefix, logger: silentLogger });
    const client = new EtcdRegistry({ endpoints: etcd().endpoints, prefix, logger: clientLog });
    const watch = await client.watch("Calc");
    const registrations = [];
    for (let port = 7001; port <= 7005; port++)
      registrations.push(await server.register(provider("Calc", port)));
    await registrations[0]!.deregister();
    await registrations[2]!.deregister();
    const expected = "127.0.0.1:7002,127.0.0.1:7004,127.0.0.1:7005";
    await watchUntil(watch, (list) => addresses(list) === expected, "the changes before compaction");

    const head = await etcd().raw.get("/nothing").exec();
    await etcd().raw.kv.compact({ revision: head.header.revision, physical: true });
    await registrations[1]!.deregister();
    await server.register(provider("Calc", 7006));
    await watchUntil(
      watch,
      (list) => addresses(list) === "127.0.0.1:7004,127.0.0.1:7005,127.0.0.1:7006",
      "changes after compaction",
    );

    // Force a re-list: the watch stream breaks, changes happen that the watch cannot
    // see live, and the old revision it had reached is compacted away.
    await etcd().stopMember(0);
    await clientLog.waitFor(
      "etcd watch failed; listing providers again (keeping the last known list meanwhile)",
      0,
    );
    await etcd().startMember(0);
    await registrations[3]!.deregister();
    await server.register(provider("Calc", 7007));
    const afterChanges = await etcd().raw.get("/nothing").exec();
    await etcd().raw.kv.compact({ revision: afterChanges.header.revision, physical: true });
    await watchUntil(
      watch,
      (list) => addresses(list) === "127.0.0.1:7005,127.0.0.1:7006,127.0.0.1:7007",
      "every change after the restart",
    );
    expect(clientLog.count("etcd watch resumed")).toBeGreaterThanOrEqual(1);
    await Promise.all([server.close(), client.close()]);
  });

  it("close() while etcd is down returns, warns, and the entry expires by its TTL once etcd is back", async () => {
    const prefix = "/restart-test-close-while-down";
    const serverLog = new RecordingLogger();
    const server = new EtcdRegistry({
      endpoints: etcd().endpoints,
      prefix,
      ttlSeconds: 2,
      requestTimeoutMs: 1_000,
      logger: serverLog,
    });
    await server.register(provider("Calc", 7001));
    const client = new EtcdRegistry({ endpoints: etcd().endpoints, prefix, logger: silentLogger });
    const watch = await client.watch("Calc");
    expect(addresses(watch.providers)).toBe("127.0.0.1:7001");

    await etcd().stopMember(0);
    await server.close();
    expect(
      serverLog.count("could not revoke the lease in etcd; the entry expires when its TTL runs out"),
    ).toBe(1);
    await etcd().startMember(0);
    await watchUntil(watch, (list) => list.length === 0, "the entry expired after the restart", 30_000);
    await client.close();
  });
});
