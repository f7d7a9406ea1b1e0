/**
 * The one address-range matcher of the core: the SSRF guard's `jwks.allow` list and
 * `certificates.trustedProxies` both read their address and CIDR entries here and match with it.
 * Entries and candidates are compared in canonical form (ip/address.ts): an IPv4-mapped IPv6
 * address is the IPv4 host it reaches (RFC 4291 §2.5.5.2), and IPv4 and IPv6 ranges are kept
 * apart, so an IPv6 range never covers an IPv4 host by way of its mapped form.
 */
import { BlockList, isIP } from 'node:net';
import { canonicalAddress } from './address.js';

/** One address or CIDR entry, canonical. */
export interface AddressRange {
  /** The address, or the network of a CIDR, in canonical form (ip/address.ts). */
  address: string;
  family: 4 | 6;
  /** Prefix length in bits; undefined for a single address. */
  bits: number | undefined;
}

/**
 * Read one entry: an address (`10.0.0.1`, `::1`, `::ffff:10.0.0.1`) or a CIDR (`10.0.0.0/8`,
 * `fd00::/8`). Returns undefined when the text is no address at all (a host name, for the callers
 * that accept those), `'invalid'` for an address with a malformed prefix (RFC 4632 §3.1: the
 * prefix length is a decimal number of bits, at most 32 for IPv4 and 128 for IPv6).
 */
export function parseAddressRange(text: string): AddressRange | 'invalid' | undefined {
  const parts = text.trim().split('/');
  const [head = '', prefix] = parts;
  const address = canonicalAddress(head);
  if (address === undefined) return parts.length > 1 ? 'invalid' : undefined;
  const family = address.includes(':') ? 6 : 4;
  if (prefix === undefined) return { address, family, bits: undefined };
  const bits = Number(prefix);
  if (parts.length > 2 || !/^\d{1,3}$/.test(prefix) || bits > (family === 4 ? 32 : 128)) return 'invalid';
  return { address, family, bits };
}

/** Matches addresses against a fixed list of ranges; built once at setup. */
export interface AddressMatcher {
  /** True when `address` (any textual form; a zone id is ignored) lies in one of the ranges. */
  matches(address: string): boolean;
  /** Number of ranges. */
  readonly size: number;
}

/**
 * Build the matcher of `ranges`.
 *
 * @example
 * ```ts
 * const trusted = createAddressMatcher([parseAddressRange('10.0.0.0/8') as AddressRange])
 * trusted.matches('::ffff:10.1.2.3') // true: the IPv4-mapped form of 10.1.2.3
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc4632#section-3.1
 */
export function createAddressMatcher(ranges: readonly AddressRange[]): AddressMatcher {
  // Two lists: a BlockList would match an IPv4 address against IPv6 rules covering ::ffff:0:0/96.
  const v4 = new BlockList();
  const v6 = new BlockList();
  for (const { address, family, bits } of ranges) {
    const list = family === 4 ? v4 : v6;
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, bits, type);
  }
  return {
    size: ranges.length,
    matches(address: string): boolean {
      // Dotted IPv4, the common peer, is canonical already: no rewriting on the request path.
      if (isIP(address) === 4) return v4.check(address, 'ipv4');
      // A link-local peer may be reported with its zone id (`fe80::1%eth0`): the range decides.
      const percent = address.indexOf('%');
      const canonical = canonicalAddress(percent === -1 ? address : address.slice(0, percent));
      if (canonical === undefined) return false;
      return canonical.includes(':') ? v6.check(canonical, 'ipv6') : v4.check(canonical, 'ipv4');
    },
  };
}
