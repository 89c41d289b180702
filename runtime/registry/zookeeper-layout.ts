/**
 * Where providers live in ZooKeeper (documented in docs/REGISTRY.md), beside the
 * etcd layout and with the same JSON value:
 *
 *   <prefix>/services/<service>/providers/<host:port>-<sequence>  =  {"version","weight","metadata"}
 *
 * Each node is ephemeral (it lives as long as the provider's session) and
 * sequential: ZooKeeper appends a 10-digit number that grows with every node
 * created under the same parent. A provider that restarts on the same address
 * before its old session has expired therefore creates a second node instead of
 * failing on the first, and readers keep only the node with the highest number
 * per address: the newest registration wins, and the old node disappears on its
 * own when its session expires. A plain `<host:port>` node (no sequence, as a tool
 * or a hand-written entry might create) is read too, as the oldest of its address.
 */
import { decodeProvider, encodeProviderValue } from "./etcd-key-layout.js";
import type { ProviderInfo } from "./registry.js";

/** The default path prefix of ZooKeeperRegistry (the same as etcd's key prefix). */
export const DEFAULT_ZOOKEEPER_PREFIX = "/rpcgen";

/** Checks a path prefix: absolute, no trailing '/', no empty, "." or ".." segment. */
export function checkZooKeeperPrefix(prefix: string): string | undefined {
  const segments = typeof prefix === "string" ? prefix.split("/").slice(1) : [];
  const valid =
    typeof prefix === "string" &&
    prefix.startsWith("/") &&
    segments.every((segment) => segment !== "" && segment !== "." && segment !== ".." && !/\s/.test(segment));
  if (!valid) {
    return `prefix ${JSON.stringify(prefix)} must be a ZooKeeper path such as "/rpcgen" (starts with '/', no trailing '/')`;
  }
  return undefined;
}

/** The persistent node whose children are the providers of `service`. */
export function providersPath(prefix: string, service: string): string {
  return `${prefix}/services/${service}/providers`;
}

/** The path given to an EPHEMERAL_SEQUENTIAL create; ZooKeeper appends the sequence number. */
export function providerNodePrefix(prefix: string, provider: ProviderInfo): string {
  return `${providersPath(prefix, provider.service)}/${provider.address}-`;
}

/** The data stored in a provider's node: the same JSON as etcd's value. */
export function encodeProviderData(provider: ProviderInfo): Buffer {
  return Buffer.from(encodeProviderValue(provider), "utf8");
}

/** A provider node's name split into its address and sequence (-1 for a plain `<host:port>`). */
export interface ProviderNodeName {
  address: string;
  sequence: number;
}

const sequentialName = /^(.+:\d{1,5})-(\d{10})$/;

/** Splits a child name of providersPath; returns a message when it is not a provider node. */
export function parseProviderNodeName(name: string): ProviderNodeName | string {
  const match = sequentialName.exec(name);
  if (match) return { address: match[1]!, sequence: Number(match[2]) };
  if (/^.+:\d{1,5}$/.test(name)) return { address: name, sequence: -1 };
  return `node name ${JSON.stringify(name)} is not "<host:port>-<10-digit sequence>" or "<host:port>"`;
}

/**
 * Reads one provider node; returns an error message instead of throwing, because
 * another writer may have stored junk, which must be skipped (and logged).
 */
export function decodeProviderNode(
  service: string,
  name: string,
  data: Buffer | undefined,
): (ProviderNodeName & { provider: ProviderInfo }) | string {
  const parsed = parseProviderNodeName(name);
  if (typeof parsed === "string") return parsed;
  const provider = decodeProvider("", service, parsed.address, data?.toString("utf8") ?? "");
  if (typeof provider === "string") return provider;
  return { ...parsed, provider };
}
