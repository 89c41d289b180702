/**
 * EtcdRegistry on a three-member cluster: losing any one member must not disturb
 * discovery (the test shared with ZooKeeper), and a client given only one member
 * catches up when it returns.
 */
import { describe, expect, it } from "vitest";
import { etcdBackend, useBackendServer } from "./support/backends.js";
import { itKeepsDiscoveringWithoutAnyOneMember } from "./support/member-loss-contract.js";
import { addresses, provider, watchUntil } from "./watch-until.js";

const etcd = useBackendServer(etcdBackend, 3);

describe("EtcdRegistry on a three-member cluster", { timeout: 90_000 }, () => {
  itKeepsDiscoveringWithoutAnyOneMember(etcdBackend, etcd, { lifetimeMs: 2_000, forbiddenLogs: [] });

  it("a client given only one member re-lists after that member returns, missing nothing", async () => {
    const prefix = "/cluster-test-single-endpoint";
    const server = etcd().registry({ endpoints: etcd().endpoints.slice(1), prefix });
    const client = etcd().registry({ endpoints: etcd().endpoints.slice(0, 1), prefix });
    const watch = await client.watch("Calc");
    const first = await server.register(provider("Calc", 7001));
    await watchUntil(watch, (list) => addresses(list) === "127.0.0.1:7001", "the first provider");

    await etcd().stopMember(0);
    await first.deregister();
    await server.register(provider("Calc", 7002));
    await server.register(provider("Calc", 7003));
    expect(addresses(watch.providers)).toBe("127.0.0.1:7001");
    await etcd().startMember(0);
    await watchUntil(
      watch,
      (list) => addresses(list) === "127.0.0.1:7002,127.0.0.1:7003",
      "the changes made while its member was down",
    );
    await Promise.all([server.close(), client.close()]);
  });
});
