/**
 * The `jwks` option of the authenticator: how a client's `jwks_uri` is fetched (the guarded
 * fetch and its SSRF guard) and cached, documented field by field and normalised once at setup
 * (bad values throw `TypeError`).
 */
// Kept in the published declarations (preserve): they name node:* types, and TypeScript 6 and
// later no longer add @types/node to a program by default (`types: []`).
/// <reference types="node" preserve="true" />
import type { LookupFunction } from 'node:net';
import { fail as failOption } from '../option_checks.js';
import { checkOptionNames, optionNames } from '../option_names.js';
import { defaultLookup, type GuardedFetchOptions, type JwksFetch } from './guarded_fetch.js';
import { createSsrfGuard, type JwksTarget } from './ssrf_guard.js';

/**
 * Options of `jwks_uri` fetching and caching (the `jwks` option of the authenticator): the SSRF
 * guard, the limits of one fetch, and how long the keys of a client's JWK Set are kept.
 *
 * @example
 * ```ts
 * const jwks: JwksOptions = { allow: ['10.1.2.3'], timeout: 5000, maxBytes: 131072, cooldown: 30 }
 * createClientAuthenticator({ issuer, getClient, jwks })
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-2
 */
export interface JwksOptions {
  /** Fetch function. Default: a built-in `node:http`/`node:https` fetcher that pins the guarded address. */
  fetch?: JwksFetch;
  /**
   * Resolve host names (`dns.lookup` shape, as `net.connect` takes it), e.g. a caching or
   * split-horizon resolver. It is asked for every address (`all: true`); every address it answers
   * must pass the SSRF guard, or the fetch is refused. Default `dns.lookup`.
   */
  lookup?: LookupFunction;
  /** Accept `http:` `jwks_uri`s. For local development only (FAPI 2 §5.4.2: only over TLS). Default false. */
  allowHttp?: boolean;
  /**
   * Hosts or CIDRs a `jwks_uri` may point to despite the SSRF guard, e.g.
   * `['127.0.0.1', 'localhost', '10.0.0.0/8']`. A host name matches the URL's host exactly
   * (case-insensitive) and lets it reach whatever it resolves to; an address or CIDR matches the
   * address connected to (an IPv4 entry also its IPv4-mapped form, the same host), and every
   * address a name resolves to must match one or be public. Default none.
   */
  allow?: readonly string[];
  /**
   * The SSRF guard: return true to let a fetch connect to `target`. Default
   * `isPublicAddress`: only addresses the IANA Special-Purpose Address Registries (RFC 6890)
   * call globally reachable; loopback, private, CGNAT, link-local, ULA, documentation,
   * benchmarking, multicast, reserved and unspecified addresses are refused, and so are IPv6
   * addresses that reach IPv4 space through a translator or tunnel (IPv4-compatible, NAT64 to a
   * non-public IPv4, the local-use NAT64 prefix, 6to4, Teredo). Targets matching `allow` are let
   * through without asking it. Called for every address a host name resolves to; one refusal
   * refuses the fetch.
   */
  allowHost?: (target: JwksTarget) => boolean;
  /** Milliseconds a fetch may take, connection to last octet. Default 5000. */
  timeout?: number;
  /** Largest response body, in octets. Default 131072 (128 KiB). */
  maxBytes?: number;
  /** Seconds between two re-fetches caused by an unknown `kid` for one client. Default 30 (as jose). */
  cooldown?: number;
  /** Shortest freshness, whatever `Cache-Control` says (seconds). Default 60. */
  minFreshness?: number;
  /** Longest freshness, whatever `Cache-Control` says (seconds). Default 86400. */
  maxFreshness?: number;
  /** Freshness when the response has no `Cache-Control: max-age` (seconds, then clamped). Default 600. */
  defaultFreshness?: number;
  /** Seconds past freshness during which the last good keys are still used when a fetch fails. Default 3600. */
  gracePeriod?: number;
  /** Most clients whose keys are cached at once (the oldest entries are dropped first). Default 10000. */
  maxClients?: number;
}

/** The option names of {@link JwksOptions}. */
const JWKS_OPTION_NAMES = optionNames<JwksOptions>({
  fetch: true,
  lookup: true,
  allowHttp: true,
  allow: true,
  allowHost: true,
  timeout: true,
  maxBytes: true,
  cooldown: true,
  minFreshness: true,
  maxFreshness: true,
  defaultFreshness: true,
  gracePeriod: true,
  maxClients: true,
});

/** The normalised `jwks` options. */
export interface NormalizedJwksOptions {
  /** How a `jwks_uri` is fetched. */
  fetcher: GuardedFetchOptions;
  allowHttp: boolean;
  cooldown: number;
  minFreshness: number;
  maxFreshness: number;
  defaultFreshness: number;
  gracePeriod: number;
  maxClients: number;
}

/** Option errors name the option under `jwks`. */
function fail(message: string): never {
  return failOption(`jwks.${message}`);
}

function seconds(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) fail(`${name} must be a number ≥ 0`);
  return value;
}

function positiveInteger(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || (value as number) < 1) fail(`${name} must be a positive integer`);
  return value as number;
}

/** Validate the `jwks` options. Throws `TypeError` on the first problem. */
export function normalizeJwksOptions(options: JwksOptions | undefined): NormalizedJwksOptions {
  if (options !== undefined && (options === null || typeof options !== 'object')) fail('must be an object');
  const o = options ?? {};
  checkOptionNames(o, JWKS_OPTION_NAMES, 'jwks');
  if (o.fetch !== undefined && typeof o.fetch !== 'function') fail('fetch must be a function');
  if (o.allowHost !== undefined && typeof o.allowHost !== 'function') fail('allowHost must be a function');
  if (o.lookup !== undefined && typeof o.lookup !== 'function') fail('lookup must be a function');
  if (o.allowHttp !== undefined && typeof o.allowHttp !== 'boolean') fail('allowHttp must be a boolean');
  if (o.allow !== undefined && !Array.isArray(o.allow))
    fail('allow must be an array of host names, addresses or CIDRs');
  const guard = createSsrfGuard(o.allow ?? [], o.allowHost, fail);
  const minFreshness = seconds(o.minFreshness, 'minFreshness', 60);
  const maxFreshness = seconds(o.maxFreshness, 'maxFreshness', 86_400);
  if (maxFreshness < minFreshness) fail('maxFreshness must not be below minFreshness');
  return {
    fetcher: {
      fetch: o.fetch,
      lookup: o.lookup ?? defaultLookup,
      guard,
      timeout: positiveInteger(o.timeout, 'timeout', 5_000),
      maxBytes: positiveInteger(o.maxBytes, 'maxBytes', 128 * 1024),
    },
    allowHttp: o.allowHttp === true,
    cooldown: seconds(o.cooldown, 'cooldown', 30),
    minFreshness,
    maxFreshness,
    defaultFreshness: seconds(o.defaultFreshness, 'defaultFreshness', 600),
    gracePeriod: seconds(o.gracePeriod, 'gracePeriod', 3_600),
    maxClients: positiveInteger(o.maxClients, 'maxClients', 10_000),
  };
}
