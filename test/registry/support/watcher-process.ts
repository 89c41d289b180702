/**
 * A client process for the registry tests: watches one service and prints
 * "list <addresses, sorted and comma-joined>" with the first full list and after
 * every change.
 * Usage: tsx watcher-process.ts <etcd|zookeeper> <endpoints> <prefix> <lifetimeMs> <service>
 */
import type { ProviderInfo } from "@rpcgen/runtime";
import { addresses } from "../watch-until.js";
import { registryFromArgs } from "./test-registry.js";

const { registry, rest } = registryFromArgs("watcher-process.ts", "<service>", 1);
const show = (providers: readonly ProviderInfo[]): void => void process.stdout.write(`list ${addresses(providers)}\n`);
const watch = await registry.watch(rest[0]!);
show(watch.providers);
watch.on("change", show);
