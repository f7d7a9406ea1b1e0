/**
 * The subjectAltName extension (RFC 5280 §4.2.1.6) read from DER, and the RFC 8705 §2.1.2
 * comparisons of its entries with a client's registered `tls_client_auth_san_*` value.
 */
import { addressOctets } from '../ip/address.js';
import { asn1, children, fromBinary, parseDer } from './der.js';

/** subjectAltName entries by type (RFC 5280 §4.2.1.6). */
export interface SubjectAltNames {
  dns: string[];
  uri: string[];
  ip: Uint8Array[];
  email: string[];
}

/** Read the entries of a subjectAltName extension value (DER, as a binary string). */
export function readSubjectAltName(extensionValue: string): SubjectAltNames {
  const san: SubjectAltNames = { dns: [], uri: [], ip: [], email: [] };
  for (const name of children(parseDer(extensionValue))) {
    if (name.tagClass !== asn1.Class.CONTEXT_SPECIFIC || typeof name.value !== 'string') continue;
    // RFC 5280 §4.2.1.6 GeneralName, IMPLICIT tags.
    switch (name.type as number) {
      case 1:
        san.email.push(name.value);
        break;
      case 2:
        san.dns.push(name.value);
        break;
      case 6:
        san.uri.push(name.value);
        break;
      case 7:
        san.ip.push(fromBinary(name.value));
        break;
    }
  }
  return san;
}

// ── RFC 8705 §2.1.2 SAN comparisons ─────────────────────────────────────────────────────────────

/** `tls_client_auth_san_dns`: ASCII case-insensitive, no wildcard expansion. */
export function dnsNameMatch(registered: string, presented: string): boolean {
  return registered.length === presented.length && asciiLower(registered) === asciiLower(presented);
}

/**
 * Lower-case A–Z only. `toLowerCase()` maps non-ASCII letters too: U+212A KELVIN SIGN became "k",
 * so "\u212Aey.example" matched "key.example" (found by the fuzzer, docs/FUZZING.md).
 */
function asciiLower(text: string): string {
  return text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

const URI_PARTS = /^([A-Za-z][A-Za-z0-9+.-]*):(?:\/\/([^/?#]*))?(.*)$/s;

/** Lower-case the scheme and the host of a URI; everything else is kept as is. */
export function normalizeUri(uri: string): string {
  const match = URI_PARTS.exec(uri);
  if (match === null) return uri;
  const [, scheme, authority, rest] = match as unknown as [string, string, string | undefined, string];
  if (authority === undefined) return `${scheme.toLowerCase()}:${rest}`;
  const at = authority.lastIndexOf('@');
  const userinfo = at === -1 ? '' : authority.slice(0, at + 1);
  const hostPort = authority.slice(at + 1);
  return `${scheme.toLowerCase()}://${userinfo}${hostPort.toLowerCase()}${rest}`;
}

/** `tls_client_auth_san_uri`: exact, after lower-casing scheme and host (RFC 3986 §6.2.2.1). */
export function uriMatch(registered: string, presented: string): boolean {
  return normalizeUri(registered) === normalizeUri(presented);
}

/** `tls_client_auth_san_ip`: binary comparison (RFC 8705 §2.1.2, RFC 5952 §8); v4 and v6 are distinct. */
export function ipAddressMatch(registered: string, presented: Uint8Array): boolean {
  const bytes = addressOctets(registered);
  return bytes !== undefined && Buffer.from(bytes).equals(Buffer.from(presented));
}

/** `tls_client_auth_san_email`: local part exact, domain case-insensitive (RFC 5280 §7.5). */
export function emailMatch(registered: string, presented: string): boolean {
  const a = registered.lastIndexOf('@');
  const b = presented.lastIndexOf('@');
  if (a <= 0 || b <= 0) return false;
  return (
    registered.slice(0, a) === presented.slice(0, b) &&
    asciiLower(registered.slice(a + 1)) === asciiLower(presented.slice(b + 1))
  );
}
