import type { PeerCertificate, TLSSocket } from "node:tls";

/**
 * The verified identity of a client that presented a certificate (mutual TLS):
 * what the handler reads as `context.tlsPeer` and an authenticator as
 * `context.tls`. Present only when the server checked the certificate against
 * its CA bundle.
 */
export interface TlsPeerIdentity {
  /** The subject as `CN=orders,O=Example` (attributes in certificate order). */
  readonly subject: string;
  /** The subject's common name, if it has one. */
  readonly commonName: string | undefined;
  /** Subject alternative names as OpenSSL prints them: `DNS:orders.internal`, `IP Address:10.0.0.7`, `URI:spiffe://...`. */
  readonly subjectAltNames: readonly string[];
  /** SHA-256 fingerprint of the certificate, `AB:CD:...` (upper-case hex pairs). */
  readonly fingerprint256: string;
  /** The issuer, formatted as the subject. */
  readonly issuer: string;
  /** Serial number in hex. */
  readonly serialNumber: string;
  /** End of validity as the certificate says it (`Jan  1 00:00:00 2030 GMT`). */
  readonly validTo: string;
}

/** The identity of `socket`'s verified client certificate, or undefined when it presented none. */
export function tlsPeerIdentity(socket: TLSSocket): TlsPeerIdentity | undefined {
  const certificate = socket.getPeerCertificate();
  if (certificate === null || typeof certificate !== "object" || Object.keys(certificate).length === 0) return undefined;
  return identityOf(certificate);
}

/** The identity of a peer certificate (exported for tests). */
export function identityOf(certificate: PeerCertificate): TlsPeerIdentity {
  const cn = certificate.subject?.CN as string | string[] | undefined;
  return Object.freeze({
    subject: distinguishedName(certificate.subject),
    commonName: Array.isArray(cn) ? cn[0] : cn,
    subjectAltNames: Object.freeze(splitAltNames(certificate.subjectaltname ?? "")),
    fingerprint256: certificate.fingerprint256 ?? "",
    issuer: distinguishedName(certificate.issuer),
    serialNumber: certificate.serialNumber ?? "",
    validTo: certificate.valid_to ?? "",
  });
}

function distinguishedName(name: object | undefined): string {
  if (name === undefined || name === null) return "";
  const parts: string[] = [];
  for (const [key, value] of Object.entries(name)) {
    for (const one of Array.isArray(value) ? value : [value]) parts.push(`${key}=${String(one)}`);
  }
  return parts.join(",");
}

/**
 * Splits Node's `subjectaltname` text (`DNS:a, IP Address:1.2.3.4`). A value
 * holding a comma or quote is written by Node as a JSON string (`DNS:"a, b"`).
 */
export function splitAltNames(text: string): string[] {
  const names: string[] = [];
  let i = 0;
  while (i < text.length) {
    const colon = text.indexOf(":", i);
    if (colon === -1) break;
    const kind = text.slice(i, colon);
    let value: string;
    let next: number;
    if (text[colon + 1] === '"') {
      let end = colon + 2;
      while (end < text.length && text[end] !== '"') end += text[end] === "\\" ? 2 : 1;
      try {
        value = JSON.parse(text.slice(colon + 1, end + 1)) as string;
      } catch {
        value = text.slice(colon + 2, end);
      }
      next = text.indexOf(",", end + 1);
    } else {
      next = text.indexOf(",", colon + 1);
      value = text.slice(colon + 1, next === -1 ? text.length : next);
    }
    names.push(`${kind}:${value}`);
    if (next === -1) break;
    i = next + 1;
    while (text[i] === " ") i++;
  }
  return names;
}
