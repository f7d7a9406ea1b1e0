/**
 * Which IP addresses an outbound fetch (a client's `jwks_uri`, a client ID metadata document) may
 * reach by default: the IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890 §2.2.2,
 * §2.2.3, as updated; read 2026-05), judged by their "Globally Reachable" column, with the IPv4
 * address that a translating or tunnelling prefix embeds decoded (RFC 4291 §2.5.5, RFC 6052 §2.2,
 * RFC 3056 §2, RFC 4380 §4). Constant tables only; no state. Addresses are parsed by
 * ip/address.ts, the one parser of the core.
 */
import { addressOctets, dottedQuad as dotted, inPrefix, isMapped } from './address.js';

/** One registry entry: a prefix, and whether the registry calls it globally reachable. */
interface SpecialRange {
  /** The network, as octets (4 or 16). */
  network: Uint8Array;
  /** Prefix length in bits. */
  bits: number;
  /** The registry's name and the RFC that assigned it (for reasons and reviews). */
  name: string;
  /**
   * Registry "Globally Reachable": only `True` entries are public. `False` and `N/A` (6to4,
   * Teredo, the deprecated 6to4 relay anycast, the old ORCHID prefix) are not: a fetch there goes
   * through a translator or relay whose far side this server does not control.
   */
  global: boolean;
}

function range(cidr: string, name: string, global = false): SpecialRange {
  const [network = '', bits = ''] = cidr.split('/');
  return { network: addressOctets(network) as Uint8Array, bits: Number(bits), name, global };
}

/** IANA IPv4 Special-Purpose Address Registry, plus multicast (RFC 5771, not unicast at all). */
const IPV4_RANGES: readonly SpecialRange[] = [
  range('0.0.0.0/8', '"This network" (RFC 791 §3.2)'),
  range('0.0.0.0/32', '"This host on this network" (RFC 1122 §3.2.1.3)'),
  range('10.0.0.0/8', 'Private-Use (RFC 1918)'),
  range('100.64.0.0/10', 'Shared Address Space (RFC 6598)'),
  range('127.0.0.0/8', 'Loopback (RFC 1122 §3.2.1.3)'),
  range('169.254.0.0/16', 'Link Local (RFC 3927)'),
  range('172.16.0.0/12', 'Private-Use (RFC 1918)'),
  range('192.0.0.0/24', 'IETF Protocol Assignments (RFC 6890 §2.1)'),
  range('192.0.0.0/29', 'IPv4 Service Continuity Prefix (RFC 7335)'),
  range('192.0.0.8/32', 'IPv4 dummy address (RFC 7600)'),
  range('192.0.0.9/32', 'Port Control Protocol Anycast (RFC 7723)', true),
  range('192.0.0.10/32', 'Traversal Using Relays around NAT Anycast (RFC 8155)', true),
  range('192.0.0.170/32', 'NAT64/DNS64 Discovery (RFC 8880, RFC 7050 §2.2)'),
  range('192.0.0.171/32', 'NAT64/DNS64 Discovery (RFC 8880, RFC 7050 §2.2)'),
  range('192.0.2.0/24', 'Documentation TEST-NET-1 (RFC 5737)'),
  range('192.31.196.0/24', 'AS112-v4 (RFC 7535)', true),
  range('192.52.193.0/24', 'AMT (RFC 7450)', true),
  range('192.88.99.0/24', 'Deprecated 6to4 Relay Anycast (RFC 7526)'),
  range('192.168.0.0/16', 'Private-Use (RFC 1918)'),
  range('192.175.48.0/24', 'Direct Delegation AS112 Service (RFC 7534)', true),
  range('198.18.0.0/15', 'Benchmarking (RFC 2544)'),
  range('198.51.100.0/24', 'Documentation TEST-NET-2 (RFC 5737)'),
  range('203.0.113.0/24', 'Documentation TEST-NET-3 (RFC 5737)'),
  range('224.0.0.0/4', 'Multicast (RFC 5771)'),
  range('240.0.0.0/4', 'Reserved (RFC 1112 §4)'),
  range('255.255.255.255/32', 'Limited Broadcast (RFC 8190, RFC 919 §7)'),
];

/**
 * IANA IPv6 Special-Purpose Address Registry, plus the prefixes outside global unicast that it
 * does not list (each also caught by the 2000::/3 rule in {@link isPublicAddress}).
 */
const IPV6_RANGES: readonly SpecialRange[] = [
  range('::/128', 'Unspecified Address (RFC 4291 §2.5.2)'),
  range('::1/128', 'Loopback Address (RFC 4291 §2.5.3)'),
  range('::/96', 'IPv4-compatible (deprecated, RFC 4291 §2.5.5.1)'),
  range('::ffff:0:0/96', 'IPv4-mapped Address (RFC 4291 §2.5.5.2)'),
  range('::ffff:0:0:0/96', 'IPv4-translated (RFC 2765 §2.1, SIIT)'),
  range('64:ff9b::/96', 'IPv4-IPv6 Translation well-known prefix (RFC 6052 §2.1)', true),
  range('64:ff9b:1::/48', 'IPv4-IPv6 Translation local-use prefix (RFC 8215)'),
  range('100::/64', 'Discard-Only Address Block (RFC 6666)'),
  range('2001::/23', 'IETF Protocol Assignments (RFC 2928)'),
  range('2001::/32', 'TEREDO (RFC 4380, RFC 8190)'),
  range('2001:1::1/128', 'Port Control Protocol Anycast (RFC 7723)', true),
  range('2001:1::2/128', 'Traversal Using Relays around NAT Anycast (RFC 8155)', true),
  range('2001:1::3/128', 'DNS-SD Service Registration Protocol Anycast (RFC 9665)', true),
  range('2001:2::/48', 'Benchmarking (RFC 5180)'),
  range('2001:3::/32', 'AMT (RFC 7450)', true),
  range('2001:4:112::/48', 'AS112-v6 (RFC 7535)', true),
  range('2001:10::/28', 'Deprecated ORCHID (RFC 4843)'),
  range('2001:20::/28', 'ORCHIDv2 (RFC 7343)', true),
  range('2001:30::/28', 'Drone Remote ID Protocol Entity Tags (RFC 9374)', true),
  range('2001:db8::/32', 'Documentation (RFC 3849)'),
  range('2002::/16', '6to4 (RFC 3056)'),
  range('2620:4f:8000::/48', 'Direct Delegation AS112 Service (RFC 7534)', true),
  range('3fff::/20', 'Documentation (RFC 9637)'),
  range('5f00::/16', 'Segment Routing (SRv6) SIDs (RFC 9602)'),
  range('fc00::/7', 'Unique-Local (RFC 4193)'),
  range('fe80::/10', 'Link-Local Unicast (RFC 4291 §2.5.6)'),
  range('fec0::/10', 'Site-Local (deprecated, RFC 3879)'),
  range('ff00::/8', 'Multicast (RFC 4291 §2.7)'),
];

/** RFC 4291 §2.4, IANA IPv6 Address Space: only 2000::/3 is global unicast. */
const GLOBAL_UNICAST = range('2000::/3', 'Global Unicast (RFC 4291 §2.4)', true);
const GLOBAL_UNICAST_OUTSIDE = 'outside global unicast 2000::/3 (RFC 4291 §2.4)';

function inRange(octets: Uint8Array, { network, bits }: SpecialRange): boolean {
  return inPrefix(octets, network, bits);
}

/** The most specific registry entry holding the address (a nested `True` entry wins over its block). */
function specialRange(octets: Uint8Array): SpecialRange | undefined {
  let best: SpecialRange | undefined;
  for (const entry of octets.length === 4 ? IPV4_RANGES : IPV6_RANGES) {
    if (inRange(octets, entry) && (best === undefined || entry.bits > best.bits)) best = entry;
  }
  return best;
}

// The prefixes that embed an IPv4 address (the same entries as in IPV6_RANGES).
const TRANSLATED = range('::ffff:0:0:0/96', 'IPv4-translated');
const COMPATIBLE = range('::/96', 'IPv4-compatible');
const NAT64_WELL_KNOWN = range('64:ff9b::/96', 'NAT64 well-known prefix');
const NAT64_LOCAL = range('64:ff9b:1::/48', 'NAT64 local-use prefix');
const SIX_TO_FOUR = range('2002::/16', '6to4');
const TEREDO = range('2001::/32', 'Teredo');

/**
 * The IPv4 address an IPv6 address embeds, for the forms a host, translator or relay delivers to
 * that IPv4 address: IPv4-mapped and IPv4-compatible (RFC 4291 §2.5.5), IPv4-translated (SIIT),
 * NAT64 with the well-known or a local-use /48 or /96 prefix (RFC 6052 §2.2: the /48 form skips
 * the "u" octet), 6to4 (RFC 3056 §2: bits 16–47) and Teredo (RFC 4380 §4: the client address,
 * obfuscated by inverting every bit, in the last 32 bits). Undefined for other addresses.
 *
 * @example
 * ```ts
 * embeddedIPv4('2002:7f00:1::') // '127.0.0.1' (6to4)
 * embeddedIPv4('2001:0:4136:e378:8000:63bf:80ff:fffe') // '127.0.0.1' (Teredo client)
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6052#section-2.2
 */
export function embeddedIPv4(address: string): string | undefined {
  const octets = addressOctets(address);
  if (octets === undefined || octets.length !== 16) return undefined;
  if (isMapped(octets) || inRange(octets, TRANSLATED)) return dotted(octets, 12);
  // :: and ::1 are the unspecified and loopback addresses, not IPv4-compatible ones.
  if (inRange(octets, COMPATIBLE)) {
    const v4 = dotted(octets, 12);
    return v4 === '0.0.0.0' || v4 === '0.0.0.1' ? undefined : v4;
  }
  if (inRange(octets, NAT64_WELL_KNOWN)) return dotted(octets, 12);
  // RFC 6052 §2.2, /48 prefix: IPv4 octets 1–2 in bits 48–63, the "u" octet (bits 64–71), then 3–4.
  if (inRange(octets, NAT64_LOCAL)) return [octets[6], octets[7], octets[9], octets[10]].join('.');
  if (inRange(octets, SIX_TO_FOUR)) return dotted(octets, 2);
  if (inRange(octets, TEREDO)) return dotted(octets, 12, 0xff);
  return undefined;
}

/**
 * True for an address the default SSRF guard lets an outbound fetch connect to: a unicast address
 * the IANA Special-Purpose Address Registries call globally reachable (anything they do not list
 * is, for IPv4; for IPv6 only global unicast 2000::/3 is). An IPv4-mapped address is judged as
 * its IPv4 address; a NAT64 well-known-prefix address also needs a public embedded IPv4 (RFC 6052
 * §3.1 forbids the prefix for others, but a translator may still reach them). 6to4 and Teredo
 * (registry: N/A) are refused whatever they embed: the relay's far side is out of this server's
 * sight, and no key server needs them. Anything that is not an IP address is false.
 *
 * @example
 * ```ts
 * isPublicAddress('8.8.8.8') // true
 * isPublicAddress('::ffff:127.0.0.1') // false: the IPv4 loopback
 * isPublicAddress('64:ff9b::10.0.0.1') // false: NAT64 to RFC 1918 space
 * ```
 * @see https://www.iana.org/assignments/iana-ipv4-special-registry/
 * @see https://www.iana.org/assignments/iana-ipv6-special-registry/
 */
export function isPublicAddress(address: string): boolean {
  const octets = addressOctets(address);
  if (octets === undefined) return false;
  if (octets.length === 16) {
    if (isMapped(octets)) return isPublicAddress(dotted(octets, 12));
    if (inRange(octets, NAT64_WELL_KNOWN)) return isPublicAddress(dotted(octets, 12));
    if (!inRange(octets, GLOBAL_UNICAST)) return false;
  }
  return specialRange(octets)?.global ?? true;
}

/**
 * Why the default guard refuses `address`: the registry entry that decides (and the embedded
 * IPv4 address, when there is one), or undefined when it is public. For logs and reviews;
 * {@link isPublicAddress} is the decision.
 */
export function nonPublicReason(address: string): string | undefined {
  if (isPublicAddress(address)) return undefined;
  const octets = addressOctets(address);
  if (octets === undefined) return 'not an IP address';
  const entry = specialRange(octets);
  const name = entry?.name ?? GLOBAL_UNICAST_OUTSIDE;
  const embedded = embeddedIPv4(address);
  if (embedded === undefined) return name;
  const inner = nonPublicReason(embedded);
  return inner === undefined ? `${name}, embedding ${embedded}` : `${name}, embedding ${embedded}: ${inner}`;
}
