/**
 * The one IP address parser of the core: text → octets, and the canonical text form every
 * comparison uses (the SSRF guard, its allow list, trusted proxies, `tls_client_auth_san_ip`).
 * Constants and pure functions only.
 */
import { isIP } from 'node:net';

/**
 * `address` as octets: 4 for IPv4, 16 for IPv6 (an embedded dotted IPv4 tail included, RFC 4291
 * §2.2 form 3); undefined for anything else, zone ids (`fe80::1%eth0`) included.
 *
 * @example
 * ```ts
 * addressOctets('::ffff:10.0.0.1') // 16 octets: …, 0xff, 0xff, 10, 0, 0, 1
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc4291#section-2.2
 */
export function addressOctets(address: string): Uint8Array | undefined {
  const family = isIP(address);
  if (family === 4) {
    const octets = new Uint8Array(4);
    const parts = address.split('.');
    for (let i = 0; i < 4; i += 1) octets[i] = Number(parts[i]);
    return octets;
  }
  if (family !== 6) return undefined;
  let text: string;
  try {
    // The WHATWG URL serialiser gives the RFC 5952 form: hex groups only, at most one "::".
    // It refuses zone ids ("fe80::1%eth0"), which no comparison here needs.
    text = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return undefined;
  }
  const [head = '', tail] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  const octets = new Uint8Array(16);
  groups.forEach((group, index) => {
    const value = Number.parseInt(group, 16);
    octets[index * 2] = value >> 8;
    octets[index * 2 + 1] = value & 0xff;
  });
  return octets;
}

/** True when `octets` lie in the prefix `network`/`bits` (same length only). */
export function inPrefix(octets: Uint8Array, network: Uint8Array, bits: number): boolean {
  if (octets.length !== network.length) return false;
  const whole = bits >> 3;
  for (let i = 0; i < whole; i += 1) if (octets[i] !== network[i]) return false;
  const rest = bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((octets[whole] as number) & mask) === ((network[whole] as number) & mask);
}

/** Four octets from `offset`, as dotted IPv4 (each octet XORed with `xor`, for Teredo). */
export function dottedQuad(octets: Uint8Array, offset: number, xor = 0): string {
  return Array.from(octets.subarray(offset, offset + 4), (octet) => octet ^ xor).join('.');
}

/** RFC 4291 §2.5.5.2 IPv4-mapped prefix, ::ffff:0:0/96. */
const MAPPED_NETWORK = addressOctets('::ffff:0:0') as Uint8Array;

/** True for an IPv4-mapped IPv6 address (RFC 4291 §2.5.5.2), given as octets. */
export function isMapped(octets: Uint8Array): boolean {
  return inPrefix(octets, MAPPED_NETWORK, 96);
}

/**
 * The address in one canonical text form: dotted IPv4 (IPv4-mapped ones too), RFC 5952 IPv6;
 * undefined when it is not an IP address.
 *
 * @example
 * ```ts
 * canonicalAddress('::FFFF:7f00:1') // '127.0.0.1'
 * canonicalAddress('2001:DB8:0:0::1') // '2001:db8::1'
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc5952#section-4
 */
export function canonicalAddress(address: string): string | undefined {
  const octets = addressOctets(address);
  if (octets === undefined) return undefined;
  if (octets.length === 4) return dottedQuad(octets, 0);
  // RFC 4291 §2.5.5.2: a socket connected to ::ffff:a.b.c.d is connected to the IPv4 host a.b.c.d.
  if (isMapped(octets)) return dottedQuad(octets, 12);
  return new URL(`http://[${address}]/`).hostname.slice(1, -1);
}
