/**
 * A registry on a three-member etcd cluster or ZooKeeper ensemble keeps discovering
 * while any one member is killed: one test body run against each backend.
 */
import { expect, it } from "vitest";
import type { Registration } from "@rpcgen/runtime";
import { addresses, provider, RecordingLogger, watchUntil } from "../watch-until.js";
import type { BackendServer, RegistryBackend } from "./backends.js";
import { freshPrefix } from "./registry-contract.js";

/**
 * Kills each member in turn with SIGKILL (a crash: no leadership hand-over), so
 * whichever member the watch and the registration happen to use is lost once; a
 * change made without that member must reach the watch, and the list must never
 * empty. `forbiddenLogs` are messages neither registry may log meanwhile.
 */
export function itKeepsDiscoveringWithoutAnyOneMember<Server extends BackendServer>(
  backend: RegistryBackend<Server>,
  cluster: () => Server,
  options: { lifetimeMs: number; forbiddenLogs: readonly string[] },
): void {
  it("keeps discovering while any one member is killed with SIGKILL", async () => {
    const prefix = freshPrefix("member-loss");
    const serverLog = new RecordingLogger();
    const clientLog = new RecordingLogger();
    const { lifetimeMs } = options;
    const server = cluster().registry({ prefix, lifetimeMs, logger: serverLog });
    const client = cluster().registry({ prefix, lifetimeMs, logger: clientLog });
    const watch = await client.watch("Calc");
    const steady = await server.register(provider("Calc", 7000));
    await watchUntil(watch, (list) => addresses(list) === "127.0.0.1:7000", "the steady provider");
    let emptied = false;
    watch.on("change", (list) => void (emptied ||= list.length === 0));

    let previous: Registration | undefined;
    for (let member = 0; member < 3; member++) {
      await cluster().stopMember(member, "SIGKILL");
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
        `[${backend.kind}] member ${member} killed: register() took ${registeredAt - stoppedAt} ms, the watch saw it ${Date.now() - registeredAt} ms later`,
      );
      previous = registration;
      await cluster().startMember(member);
    }
    expect(emptied).toBe(false);
    for (const message of options.forbiddenLogs) {
      expect(serverLog.count(message) + clientLog.count(message), message).toBe(0);
    }
    await steady.deregister();
    await watchUntil(watch, (list) => addresses(list) === "127.0.0.1:7003", "the steady provider gone");
    await Promise.all([server.close(), client.close()]);
  });
}
