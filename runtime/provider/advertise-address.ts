import { networkInterfaces } from "node:os";
import { Code, RpcError } from "../errors.js";
import { formatAddress, type HostPort } from "../transport/address.js";

/**
 * The address clients should dial for a server bound to `bound`. A wildcard
 * bind (0.0.0.0, ::) cannot be dialled from another machine, so the first
 * non-internal IPv4 address of this host stands in for it; pass
 * `advertiseAddress` to publishServer when that guess is wrong (NAT, several NICs).
 */
export function advertisedAddress(bound: HostPort): string {
  if (!isWildcard(bound.host)) return formatAddress(bound.host, bound.port);
  const external = Object.values(networkInterfaces())
    .flatMap((entries) => entries ?? [])
    .find((entry) => entry.family === "IPv4" && !entry.internal);
  if (external === undefined) {
    throw new RpcError(
      Code.FAILED_PRECONDITION,
      `server listens on ${formatAddress(bound.host, bound.port)} and this host has no external IPv4 address ` +
        "to advertise instead; pass advertiseAddress",
    );
  }
  return formatAddress(external.address, bound.port);
}

function isWildcard(host: string): boolean {
  return host === "0.0.0.0" || host === "::" || host === "[::]" || host === "";
}
