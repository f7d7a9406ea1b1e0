/**
 * The trusted peers of a header certificate source (`certificates.trustedProxies`): the proxy
 * addresses whose certificate header is believed. Read and matched by the one address-range
 * matcher of the core (ip/cidr.ts); an IPv4-mapped IPv6 peer (`::ffff:10.1.2.3`, as a dual-stack
 * socket reports an IPv4 peer) matches IPv4 entries (RFC 4291 §2.5.5.2).
 */
import { type AddressRange, createAddressMatcher, parseAddressRange } from '../ip/cidr.js';
import { fail } from '../option_checks.js';

/**
 * Build the matcher of a trusted-proxy list (`certificates.trustedProxies`, or the top-level
 * `trustedProxies` of the forwarded protocol, named by `option` in errors). Throws `TypeError` on
 * a malformed entry.
 */
export function trustedProxyMatcher(
  entries: readonly string[],
  option = 'certificates.trustedProxies',
): (address: string | undefined) => boolean {
  if (!Array.isArray(entries) || entries.length === 0) {
    fail(`${option} must be a non-empty array of addresses or CIDR ranges`);
  }
  const ranges: AddressRange[] = [];
  for (const entry of entries) {
    if (typeof entry !== 'string') fail(`${option} entries must be strings`);
    const range = parseAddressRange(entry);
    if (range === undefined) fail(`${option}: invalid entry ${JSON.stringify(entry)}`);
    if (range === 'invalid') fail(`${option}: invalid prefix length in ${JSON.stringify(entry)}`);
    ranges.push(range);
  }
  const matcher = createAddressMatcher(ranges);
  return (address) => address !== undefined && matcher.matches(address);
}
