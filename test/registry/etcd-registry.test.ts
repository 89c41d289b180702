/**
 * EtcdRegistry on a real etcd: the registry contract shared with ZooKeeper, and
 * what only etcd does (its key layout for unreadable entries, its options).
 */
import { describe, expect, it } from "vitest";
import { Code, EtcdRegistry } from "@rpcgen/runtime";
import { etcdBackend, useBackendServer } from "./support/backends.js";
import { describeRegistryContract, freshPrefix } from "./support/registry-contract.js";
import { addresses, RecordingLogger, watchUntil } from "./watch-until.js";

const etcd = useBackendServer(etcdBackend);

describe("EtcdRegistry on a real etcd", { timeout: 90_000 }, () => {
  describeRegistryContract(etcdBackend, etcd);

  it("skips unreadable entries (logged) and keeps the readable ones", async () => {
    const { raw } = etcd();
    const prefix = freshPrefix();
    const base = `${prefix}/services/Calc/providers/`;
    await raw.put(`${base}127.0.0.1:1`).value("not json");
    await raw.put(`${base}127.0.0.1:2`).value(JSON.stringify({ version: "x", weight: 1, metadata: {} }));
    await raw.put(`${base}127.0.0.1:3`).value(JSON.stringify({ version: "1.0.0", weight: 1, metadata: {} }));
    await raw
      .put(`${base}127.0.0.1:4/extra`)
      .value(JSON.stringify({ version: "1.0.0", weight: 1, metadata: {} }));
    const logger = new RecordingLogger();
    const client = etcd().registry({ prefix, logger });
    const watch = await client.watch("Calc");
    expect(addresses(watch.providers)).toBe("127.0.0.1:3");
    expect(logger.count("ignoring an unreadable provider entry in etcd")).toBe(3);
    await raw.put(`${base}127.0.0.1:5`).value("[]");
    await raw
      .put(`${base}127.0.0.1:6`)
      .value(JSON.stringify({ version: "1.0.0", weight: 1, metadata: { a: 1 } }));
    await raw.put(`${base}127.0.0.1:7`).value(JSON.stringify({ version: "1.0.0", weight: 2, metadata: {} }));
    await watchUntil(watch, (list) => addresses(list) === "127.0.0.1:3,127.0.0.1:7", "the readable entries");
    expect(logger.count("ignoring an unreadable provider entry in etcd")).toBe(5);
    await client.close();
    await raw.delete().prefix(prefix);
  });

  it("refuses bad options with a clear error", () => {
    expect(() => new EtcdRegistry({ endpoints: [] })).toThrowError(/endpoints must be a non-empty array/);
    expect(() => new EtcdRegistry({ endpoints: ["ftp://x:1"] })).toThrowError(
      /endpoints\[0\] "ftp:\/\/x:1"/,
    );
    // Options it does not know (say, credentials under another name) are mistakes, not silently ignored.
    expect(() => new EtcdRegistry({ endpoints: ["http://x:1"], credentials: {} } as never)).toThrowError(/unknown option "credentials"/);
    expect(() => new EtcdRegistry({ endpoints: ["http://x:1"], ttlSeconds: 0.5 })).toThrowError(
      /ttlSeconds 0.5/,
    );
    expect(() => new EtcdRegistry({ endpoints: ["x:1"], prefix: "rpcgen/" })).toThrowError(
      /prefix "rpcgen\/" must start with '\/'/,
    );
    expect(() => new EtcdRegistry({ endpoints: ["x:1"], requestTimeoutMs: 0 })).toThrowError(
      /requestTimeoutMs 0/,
    );
    expect(() => new EtcdRegistry({ endpoints: ["x:1"], maxReconnectDelayMs: -1 })).toThrowError(
      expect.objectContaining({ code: Code.INVALID_ARGUMENT }),
    );
  });
});
