/**
 * The SSRF guard of outbound fetches (a client's `jwks_uri`; later client ID metadata
 * documents): which addresses a fetch may connect to. An address is let through when the URL's
 * host name is allow-listed, when it lies in an allow-listed address or CIDR (ip/cidr.ts, the one
 * matcher of the core), or else when the deployer's `allowHost` — by default
 * {@link isPublicAddress}, the IANA Special-Purpose Address Registries (RFC 6890) — says so.
 */
import { isIP } from 'node:net';
import { canonicalAddress } from '../ip/address.js';
import { type AddressRange, createAddressMatcher, parseAddressRange } from '../ip/cidr.js';
import { isPublicAddress, nonPublicReason } from '../ip/special_addresses.js';

/**
 * Where an outbound fetch is about to connect: what the SSRF guard (`jwks.allowHost`) decides on,
 * for each address a client's `jwks_uri` host resolves to.
 *
 * @example
 * ```ts
 * const allowHost = (target: JwksTarget) =>
 *   isPublicAddress(target.address) || target.url.hostname.endsWith('.keys.internal.example')
 * createClientAuthenticator({ issuer, getClient, jwks: { allowHost } })
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6890#section-2.2.2
 */
export interface JwksTarget {
  /** The URL fetched (the client's `jwks_uri`). */
  url: URL;
  /**
   * The IP address the connection goes to (resolved from the host name, or the literal), in
   * canonical form: dotted IPv4 (an IPv4-mapped IPv6 address is given as its IPv4 address, the
   * host a dual-stack socket reaches), RFC 5952 IPv6.
   */
  address: string;
  /** 4 or 6, of `address`. */
  family: number;
}

/** The guard's decision on one address of one URL. */
export interface SsrfGuard {
  /**
   * The address in canonical form when the fetch of `url` may connect to it, else undefined. An
   * IPv4-mapped address is decided, and allow-listed, as the IPv4 address it is (RFC 4291
   * §2.5.5.2); every other IPv6 address as itself, so an IPv4 allow entry never lets a
   * translated or tunnelled address through.
   */
  allowedAddress(url: URL, address: string): string | undefined;
}

/** A fetch the guard refused (possibly wrapped by `node:http` or a fetch as the `cause`). */
export class GuardRefused extends Error {
  constructor(address: string) {
    const reason = nonPublicReason(address);
    super(`fetch target ${address} refused by the SSRF guard${reason === undefined ? '' : ` (${reason})`}`);
    this.name = 'GuardRefused';
  }
}

/** True when the SSRF guard refused the fetch (possibly wrapped by `node:http` or a fetch). */
export function isGuardRefusal(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 4; depth += 1) {
    if (current instanceof GuardRefused) return true;
    current = current.cause;
  }
  return false;
}

/**
 * Build the guard from an `allow` list (host names, addresses, CIDRs) and an optional decision
 * function. `fail` reports a malformed entry (a setup-time `TypeError`, worded by the caller).
 */
export function createSsrfGuard(
  allow: readonly unknown[],
  allowHost: ((target: JwksTarget) => boolean) | undefined,
  fail: (message: string) => never,
): SsrfGuard {
  const hosts = new Set<string>();
  const ranges: AddressRange[] = [];
  for (const entry of allow) {
    if (typeof entry !== 'string' || entry.trim() === '') fail('allow entries must be non-empty strings');
    const value = entry.trim();
    // A bracketed IPv6 literal, as written in a URL, is the address.
    const range = parseAddressRange(value.includes('/') ? value : value.replace(/^\[(.*)\]$/, '$1'));
    if (range === 'invalid' || (range === undefined && value.includes('/'))) {
      fail(`allow: ${JSON.stringify(value)} is not a valid CIDR`);
    }
    if (range === undefined) hosts.add(value.toLowerCase());
    else ranges.push(range);
  }
  const addresses = createAddressMatcher(ranges);
  return {
    allowedAddress(url: URL, address: string): string | undefined {
      const canonical = canonicalAddress(address);
      if (canonical === undefined) return undefined;
      if (hosts.has(url.hostname.toLowerCase())) return canonical;
      if (addresses.matches(canonical)) return canonical;
      if (allowHost !== undefined) {
        return allowHost({ url, address: canonical, family: isIP(canonical) }) === true ? canonical : undefined;
      }
      return isPublicAddress(canonical) ? canonical : undefined;
    },
  };
}
