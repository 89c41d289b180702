import type { IncomingHttpHeaders } from "node:http";

const noMetadata: Readonly<Record<string, string>> = Object.freeze({});

/**
 * A call's metadata from its request headers: every header except HTTP/2
 * pseudo-headers and those `reserved` names as the protocol's own. Names are in
 * lower case (HTTP); a repeated header's values are joined with ", " as HTTP
 * allows. A binary header (`-bin` suffix) keeps the base64 text it was sent as,
 * since metadata values are strings.
 */
export function headersToMetadata(headers: IncomingHttpHeaders, reserved: (name: string) => boolean): Readonly<Record<string, string>> {
  let metadata: Record<string, string> | undefined;
  for (const name in headers) {
    if (name.charCodeAt(0) === 0x3a || reserved(name)) continue;
    const value = headers[name];
    if (value === undefined) continue;
    metadata ??= Object.create(null) as Record<string, string>;
    metadata[name] = typeof value === "string" ? value : value.join(", ");
  }
  return metadata ?? noMetadata;
}
