import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EtcdRegistry, silentLogger, type Registration } from "@rpcgen/runtime";
import { startEtcd, type EtcdCluster } from "../support/etcd-cluster.js";
import { addresses, provider, watchUntil } from "./watch-until.js";

let etcd: EtcdCluster;

beforeAll(async () => {
  etcd = await startEtcd({ members: 3 });
});

afterAll(async () => {
  await etcd?.stop();
});

describe("EtcdRegistry on a three-member cluster", { timeout: 90_000 }, () => {
  it("keeps discovering while any one member is down", async () => {
    const prefix = "/cluster-test";
    const server = new EtcdRegistry({
      endpoints: etcd.endpoints,
      prefix,
      ttlSeconds: 2,
      logger: silentLogger,
    });
    const client = new EtcdRegistry({ endpoints: etcd.endpoints, prefix, logger: silentLogger });
    const watch = await client.watch("Calc");
    const steady = await server.register(provider("Calc", 7000));
    await watchUntil(watch, (list) => addresses(list) === "127.0.0.1:7000", "the steady provider");
    let emptied = false;
    watch.on("change", (list) => void (emptied ||= list.length === 0));

    // Kill each member in turn (SIGKILL: a crash, no leadership hand-over), so
    // whichever member the watch stream or the lease keepalive happens to use is lost once.
    let previous: Registration | undefined;
    for (let member = 0; member < 3; member++) {
      await etcd.stopMember(member, "SIGKILL");
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
        `[registry] member ${member} killed: register() took ${registeredAt - stoppedAt} ms, the watch saw it ${Date.now() - registeredAt} ms later`,
      );
      previous = registration;
      await etcd.startMember(member);
    }
    expect(emptied).toBe(false);
    await steady.deregister();
    await watchUntil(watch, (list) => addresses(list) === "127.0.0.1:7003", "the steady provider gone");
    await Promise.all([server.close(), client.close()]);
  });

  it("a client given only one member re-lists after that member returns, missing nothing", async () => {
    const prefix = "/cluster-test-single-endpoint";
    const server = new EtcdRegistry({ endpoints: etcd.endpoints.slice(1), prefix, logger: silentLogger });
    const client = new EtcdRegistry({ endpoints: etcd.endpoints.slice(0, 1), prefix, logger: silentLogger });
    const watch = await client.watch("Calc");
    const first = await server.register(provider("Calc", 7001));
    await watchUntil(watch, (list) => addresses(list) === "127.0.0.1:7001", "the first provider");

    await etcd.stopMember(0);
    await first.deregister();
    await server.register(provider("Calc", 7002));
    await server.register(provider("Calc", 7003));
    expect(addresses(watch.providers)).toBe("127.0.0.1:7001");
    await etcd.startMember(0);
    await watchUntil(
      watch,
      (list) => addresses(list) === "127.0.0.1:7002,127.0.0.1:7003",
      "the changes made while its member was down",
    );
    await Promise.all([server.close(), client.close()]);
  });
});
