import { describe, expect, it } from 'vitest';
import { canonicalAddress } from '../src/ip/address.js';
import { embeddedIPv4, isPublicAddress, nonPublicReason } from '../src/ip/special_addresses.js';

/**
 * [address, public?] around every entry of the IANA IPv4 and IPv6 Special-Purpose Address
 * Registries (RFC 6890 §2.2.2, §2.2.3): the first and last address inside, and the addresses
 * just outside each boundary (which may fall in an enclosing entry).
 */
const IPV4: [string, boolean][] = [
  // 0.0.0.0/8 "this network", 0.0.0.0/32 "this host" (RFC 791, RFC 1122)
  ['0.0.0.0', false],
  ['0.255.255.255', false],
  ['1.0.0.0', true],
  // 10.0.0.0/8 Private-Use (RFC 1918)
  ['9.255.255.255', true],
  ['10.0.0.0', false],
  ['10.255.255.255', false],
  ['11.0.0.0', true],
  // 100.64.0.0/10 Shared Address Space (RFC 6598)
  ['100.63.255.255', true],
  ['100.64.0.0', false],
  ['100.127.255.255', false],
  ['100.128.0.0', true],
  // 127.0.0.0/8 Loopback
  ['126.255.255.255', true],
  ['127.0.0.0', false],
  ['127.255.255.255', false],
  ['128.0.0.0', true],
  // 169.254.0.0/16 Link Local (RFC 3927), cloud metadata included
  ['169.253.255.255', true],
  ['169.254.0.0', false],
  ['169.254.169.254', false],
  ['169.254.255.255', false],
  ['169.255.0.0', true],
  // 172.16.0.0/12 Private-Use
  ['172.15.255.255', true],
  ['172.16.0.0', false],
  ['172.31.255.255', false],
  ['172.32.0.0', true],
  // 192.0.0.0/24 IETF Protocol Assignments, with /29, /32 entries and two global anycast /32s
  ['191.255.255.255', true],
  ['192.0.0.0', false],
  ['192.0.0.7', false],
  ['192.0.0.8', false],
  ['192.0.0.9', true],
  ['192.0.0.10', true],
  ['192.0.0.11', false],
  ['192.0.0.170', false],
  ['192.0.0.171', false],
  ['192.0.0.255', false],
  ['192.0.1.0', true],
  // 192.0.2.0/24 TEST-NET-1 (RFC 5737)
  ['192.0.1.255', true],
  ['192.0.2.0', false],
  ['192.0.2.255', false],
  ['192.0.3.0', true],
  // 192.31.196.0/24 AS112-v4, 192.52.193.0/24 AMT, 192.175.48.0/24 AS112: globally reachable
  ['192.31.196.1', true],
  ['192.52.193.1', true],
  ['192.175.48.1', true],
  // 192.88.99.0/24 deprecated 6to4 relay anycast (RFC 7526): reaches a relay, not a host
  ['192.88.98.255', true],
  ['192.88.99.0', false],
  ['192.88.99.2', false],
  ['192.88.99.255', false],
  ['192.88.100.0', true],
  // 192.168.0.0/16 Private-Use
  ['192.167.255.255', true],
  ['192.168.0.0', false],
  ['192.168.255.255', false],
  ['192.169.0.0', true],
  // 198.18.0.0/15 Benchmarking (RFC 2544)
  ['198.17.255.255', true],
  ['198.18.0.0', false],
  ['198.19.255.255', false],
  ['198.20.0.0', true],
  // 198.51.100.0/24 TEST-NET-2, 203.0.113.0/24 TEST-NET-3
  ['198.51.99.255', true],
  ['198.51.100.0', false],
  ['198.51.100.255', false],
  ['198.51.101.0', true],
  ['203.0.112.255', true],
  ['203.0.113.0', false],
  ['203.0.113.255', false],
  ['203.0.114.0', true],
  // 224.0.0.0/4 multicast (RFC 5771), 240.0.0.0/4 reserved, 255.255.255.255 limited broadcast
  ['223.255.255.255', true],
  ['224.0.0.0', false],
  ['239.255.255.255', false],
  ['240.0.0.0', false],
  ['255.255.255.254', false],
  ['255.255.255.255', false],
  // ordinary public addresses
  ['8.8.8.8', true],
  ['1.1.1.1', true],
];

const IPV6: [string, boolean][] = [
  // ::/128 unspecified, ::1/128 loopback, ::/96 IPv4-compatible (deprecated)
  ['::', false],
  ['::1', false],
  ['::2', false],
  ['::8.8.8.8', false],
  ['::1:0:0', false],
  // ::ffff:0:0/96 IPv4-mapped: judged as the IPv4 address
  ['::fffe:ffff:ffff', false],
  ['::ffff:8.8.8.8', true],
  ['::ffff:808:808', true],
  ['::ffff:127.0.0.1', false],
  ['::ffff:10.0.0.1', false],
  ['::ffff:169.254.169.254', false],
  ['::1:0:0:0', false],
  // ::ffff:0:0:0/96 IPv4-translated (SIIT)
  ['::ffff:0:8.8.8.8', false],
  // 64:ff9b::/96 NAT64 well-known prefix (RFC 6052): judged by the embedded IPv4 address
  ['64:ff9a:ffff:ffff:ffff:ffff:ffff:ffff', false],
  ['64:ff9b::8.8.8.8', true],
  ['64:ff9b::10.0.0.1', false],
  ['64:ff9b::127.0.0.1', false],
  ['64:ff9b::1:0:0', false],
  // 64:ff9b:1::/48 NAT64 local-use prefix (RFC 8215): never globally reachable
  ['64:ff9b:1:808:8:800::', false],
  ['64:ff9b:1:ffff:ffff:ffff:ffff:ffff', false],
  // 100::/64 discard-only (RFC 6666)
  ['100::1', false],
  // everything below 2000::/3 and from 4000:: on is not global unicast (RFC 4291 §2.4)
  ['1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', false],
  ['2000::', true],
  ['3fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', true],
  ['4000::', false],
  // 2001::/23 IETF Protocol Assignments, 2001::/32 Teredo (RFC 4380)
  ['2000:ffff:ffff:ffff:ffff:ffff:ffff:ffff', true],
  ['2001::', false],
  ['2001:0:4136:e378:8000:63bf:3fff:fdd2', false],
  ['2001:1::', false],
  ['2001:1::1', true],
  ['2001:1::2', true],
  ['2001:1::3', true],
  ['2001:1::4', false],
  ['2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff', false],
  ['2001:200::', true],
  // 2001:2::/48 benchmarking; 2001:3::/32 AMT; 2001:4:112::/48 AS112-v6
  ['2001:2::', false],
  ['2001:2:0:ffff:ffff:ffff:ffff:ffff', false],
  ['2001:2:ffff:ffff:ffff:ffff:ffff:ffff', false],
  ['2001:3::', true],
  ['2001:3:ffff:ffff:ffff:ffff:ffff:ffff', true],
  ['2001:4::', false],
  ['2001:4:111:ffff:ffff:ffff:ffff:ffff', false],
  ['2001:4:112::', true],
  ['2001:4:112:ffff:ffff:ffff:ffff:ffff', true],
  ['2001:4:113::', false],
  // 2001:10::/28 deprecated ORCHID (N/A); 2001:20::/28 ORCHIDv2; 2001:30::/28 drone DETs
  ['2001:f:ffff:ffff:ffff:ffff:ffff:ffff', false],
  ['2001:10::', false],
  ['2001:1f:ffff:ffff:ffff:ffff:ffff:ffff', false],
  ['2001:20::', true],
  ['2001:2f:ffff:ffff:ffff:ffff:ffff:ffff', true],
  ['2001:30::', true],
  ['2001:3f:ffff:ffff:ffff:ffff:ffff:ffff', true],
  ['2001:40::', false],
  // 2001:db8::/32 documentation
  ['2001:db7:ffff:ffff:ffff:ffff:ffff:ffff', true],
  ['2001:db8::', false],
  ['2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', false],
  ['2001:db9::', true],
  // 2002::/16 6to4 (RFC 3056): N/A, refused whatever it embeds
  ['2001:ffff:ffff:ffff:ffff:ffff:ffff:ffff', true],
  ['2002::', false],
  ['2002:808:808::', false],
  ['2002:ffff:ffff:ffff:ffff:ffff:ffff:ffff', false],
  ['2003::', true],
  // 2620:4f:8000::/48 AS112 direct delegation: globally reachable
  ['2620:4f:8000::1', true],
  // 3fff::/20 documentation (RFC 9637)
  ['3ffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff', true],
  ['3fff::', false],
  ['3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff', false],
  ['3fff:1000::', true],
  // 5f00::/16 SRv6 SIDs (RFC 9602), fc00::/7 ULA, fe80::/10 link-local, fec0::/10 site-local, ff00::/8 multicast
  ['5f00::1', false],
  ['fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', false],
  ['fc00::', false],
  ['fd00::1', false],
  ['fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', false],
  ['fe80::1', false],
  ['febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff', false],
  ['fec0::1', false],
  ['ff02::1', false],
  // ordinary public addresses, in several spellings
  ['2606:4700:4700::1111', true],
  ['2606:4700:4700:0:0:0:0:1111', true],
  ['2A00:1450:4001:81C::200E', true],
];

describe('the default SSRF guard: IANA special-purpose registries (RFC 6890)', () => {
  it.each(IPV4)('IPv4 %s → public %s', (address, expected) => {
    expect(isPublicAddress(address)).toBe(expected);
  });

  it.each(IPV6)('IPv6 %s → public %s', (address, expected) => {
    expect(isPublicAddress(address)).toBe(expected);
  });

  it('refuses what is not a plain IP address: names, zone ids, odd spellings', () => {
    for (const value of [
      '',
      'localhost',
      'not-an-ip',
      'fe80::1%eth0',
      '2606:4700:4700::1111%1',
      '010.0.0.1',
      '127.1',
      '0x7f.0.0.1',
      '[::1]',
    ]) {
      expect(isPublicAddress(value), value).toBe(false);
    }
  });
});

describe('embedded IPv4 addresses (RFC 4291 §2.5.5, RFC 6052 §2.2, RFC 3056 §2, RFC 4380 §4)', () => {
  it.each([
    ['::ffff:127.0.0.1', '127.0.0.1', 'IPv4-mapped'],
    ['::ffff:7f00:1', '127.0.0.1', 'IPv4-mapped, hex spelling'],
    ['::127.0.0.1', '127.0.0.1', 'IPv4-compatible (deprecated)'],
    ['::ffff:0:10.0.0.1', '10.0.0.1', 'IPv4-translated (SIIT)'],
    ['64:ff9b::10.0.0.1', '10.0.0.1', 'NAT64 well-known prefix'],
    ['64:ff9b:1:c000:2:2100::', '192.0.2.33', 'NAT64 /48 local-use prefix, skipping the u octet (RFC 6052 §2.4)'],
    ['64:ff9b:1:7f00:0:100::', '127.0.0.1', 'NAT64 /48 local-use prefix'],
    ['2002:7f00:1::', '127.0.0.1', '6to4'],
    ['2002:0808:0808::', '8.8.8.8', '6to4'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', '192.0.2.45', 'Teredo client, obfuscated (RFC 4380 §4 example)'],
    ['2001:0:4136:e378:8000:63bf:80ff:fffe', '127.0.0.1', 'Teredo client, obfuscated'],
  ])('%s embeds %s (%s)', (address, embedded) => {
    expect(embeddedIPv4(address)).toBe(embedded);
  });

  it('finds none in the unspecified and loopback addresses, plain IPv6 or IPv4', () => {
    for (const address of ['::', '::1', '2606:4700:4700::1111', '8.8.8.8', 'nope']) {
      expect(embeddedIPv4(address), address).toBeUndefined();
    }
  });

  it('refuses an address that reaches non-public IPv4 space through a translator or tunnel', () => {
    for (const address of [
      '::ffff:127.0.0.1',
      '::127.0.0.1',
      '::ffff:0:127.0.0.1',
      '64:ff9b::127.0.0.1',
      '64:ff9b:1:7f00:0:100::',
      '2002:7f00:1::',
      '2001:0:4136:e378:8000:63bf:80ff:fffe',
    ]) {
      expect(isPublicAddress(address), address).toBe(false);
      expect(nonPublicReason(address), address).toContain('embedding 127.0.0.1');
    }
  });

  it('decides 6to4 and Teredo on the prefix: refused even when the embedded address is public (registry: N/A)', () => {
    expect(embeddedIPv4('2002:0808:0808::')).toBe('8.8.8.8');
    expect(isPublicAddress('8.8.8.8')).toBe(true);
    expect(isPublicAddress('2002:0808:0808::')).toBe(false);
    expect(nonPublicReason('2002:0808:0808::')).toBe('6to4 (RFC 3056), embedding 8.8.8.8');
    // Teredo client 8.8.8.8, obfuscated as f7f7:f7f7.
    expect(isPublicAddress('2001:0:4136:e378:8000:63bf:f7f7:f7f7')).toBe(false);
  });

  it('judges a NAT64 well-known-prefix address by its IPv4 address (RFC 6052 §3.1)', () => {
    expect(isPublicAddress('64:ff9b::8.8.8.8')).toBe(true);
    expect(nonPublicReason('64:ff9b::192.168.1.1')).toBe(
      'IPv4-IPv6 Translation well-known prefix (RFC 6052 §2.1), embedding 192.168.1.1: Private-Use (RFC 1918)',
    );
  });
});

describe('canonical address form (what the guard and the allow-list compare)', () => {
  it('writes IPv4-mapped addresses as IPv4 and IPv6 in RFC 5952 form', () => {
    expect(canonicalAddress('::ffff:7f00:1')).toBe('127.0.0.1');
    expect(canonicalAddress('::FFFF:127.0.0.1')).toBe('127.0.0.1');
    expect(canonicalAddress('2606:4700:4700:0:0:0:0:1111')).toBe('2606:4700:4700::1111');
    expect(canonicalAddress('64:ff9b::10.0.0.1')).toBe('64:ff9b::a00:1');
    expect(canonicalAddress('fe80::1%eth0')).toBeUndefined();
    expect(canonicalAddress('localhost')).toBeUndefined();
  });
});
