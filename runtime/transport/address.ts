/** A TCP endpoint. */
export interface HostPort {
  host: string;
  port: number;
}

/**
 * Parses `host:port` (IPv6 as `[::1]:9090`). Throws a TypeError naming the bad
 * input so a typo in configuration is reported where it was made.
 */
export function parseAddress(address: string): HostPort {
  const match = /^(?:\[([^\]]+)\]|([^:\s]+)):(\d{1,5})$/.exec(address.trim());
  const port = match === null ? NaN : Number(match[3]);
  if (match === null || port < 1 || port > 65535) {
    throw new TypeError(`invalid address "${address}": expected host:port, e.g. 127.0.0.1:9090 or [::1]:9090`);
  }
  return { host: (match[1] ?? match[2])!, port };
}

/** Formats a host and port back as `host:port`, bracketing IPv6 hosts. */
export function formatAddress(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}
