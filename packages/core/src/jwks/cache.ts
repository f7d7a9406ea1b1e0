/**
 * The per-authenticator cache of `jwks_uri` key sets: freshness taken from `Cache-Control`
 * within a floor and a ceiling (RFC 9111 §5.2.2), one fetch in flight per client, one re-fetch
 * on an unknown `kid` per cool-down, and the last good keys served for a grace period when a
 * fetch fails. One instance lives in each authenticator's configuration: no global state.
 */
import { InvalidClient } from '../errors.js';
import type { ClientJWK } from '../types.js';
import { guardedFetch } from './guarded_fetch.js';
import { jwkSetKeys } from './key_set.js';
import { type JwksOptions, type NormalizedJwksOptions, normalizeJwksOptions } from './options.js';
import { isGuardRefusal } from './ssrf_guard.js';

/** What a `jwks_uri` fetch asks for (RFC 7517 §8.5.1: `application/jwk-set+json`). */
const ACCEPT = 'application/jwk-set+json, application/json';

/**
 * After a failed fetch, further requests for that client wait this long before fetching again,
 * counted from when the failure was known (the end of the fetch): counted from its start, a fetch
 * that timed out after `timeout` ≥ this would be retried at once, by every request that follows.
 */
const FAILURE_BACKOFF_MS = 5_000;

/** The freshness bounds {@link freshnessOf} applies (seconds): `jwks_uri` key sets and client ID metadata documents. */
export interface FreshnessBounds {
  readonly minFreshness: number;
  readonly maxFreshness: number;
  readonly defaultFreshness: number;
}

/** Freshness in seconds from `Cache-Control` (RFC 9111 §5.2.2), clamped to the floor and ceiling. */
export function freshnessOf(cacheControl: string | undefined, options: FreshnessBounds): number {
  let freshness = options.defaultFreshness;
  if (cacheControl !== undefined) {
    const directives = cacheControl.toLowerCase();
    const maxAge = /(?:^|[,\s])max-age\s*=\s*"?(\d+)"?/.exec(directives);
    if (/(?:^|[,\s])(?:no-store|no-cache)(?:$|[,\s=])/.test(directives)) freshness = 0;
    else if (maxAge !== null) freshness = Number(maxAge[1]);
  }
  return Math.min(Math.max(freshness, options.minFreshness), options.maxFreshness);
}

interface CacheEntry {
  /** The last good keys. */
  keys: ClientJWK[] | undefined;
  /** Until when (ms) the keys are fresh. */
  freshUntil: number;
  /** Until when (ms) the last good keys may stand in for a failed fetch. */
  graceUntil: number;
  /** No new fetch before this (ms) after a failure. */
  retryAfter: number;
  /** Why the last fetch failed: the SSRF guard refused the target, or anything else. */
  failure: 'ERR_JWKS_URI_REFUSED' | 'ERR_JWKS_UNAVAILABLE';
  /** When the last unknown-kid re-fetch started (ms). */
  lastRefresh: number;
  /** The fetch in flight, shared by every concurrent caller (single flight). */
  inflight: Promise<ClientJWK[]> | undefined;
}

/** Counters for observability and tests. */
export interface JwksCacheStats {
  /** Fetches started. */
  fetches: number;
  /** Fetches that failed. */
  failures: number;
}

/**
 * The per-authenticator cache of `jwks_uri` key sets. One instance lives in each authenticator's
 * configuration: no global state.
 */
export class JwksCache {
  readonly options: NormalizedJwksOptions;
  readonly #now: () => number;
  readonly #entries = new Map<string, CacheEntry>();
  readonly stats: JwksCacheStats = { fetches: 0, failures: 0 };

  constructor(options: NormalizedJwksOptions, now: () => number) {
    this.options = options;
    this.#now = now;
  }

  /** Keys of `uri` for `clientId`; `refresh` asks for a re-fetch (unknown `kid`), within the cool-down. */
  async get(clientId: string, uri: URL, refresh: boolean): Promise<ClientJWK[]> {
    const cacheKey = `${clientId}\n${uri.href}`;
    let entry = this.#entries.get(cacheKey);
    if (entry === undefined) {
      entry = {
        keys: undefined,
        freshUntil: 0,
        graceUntil: 0,
        retryAfter: 0,
        failure: 'ERR_JWKS_UNAVAILABLE',
        lastRefresh: -Infinity,
        inflight: undefined,
      };
      this.#remember(cacheKey, entry);
    }
    if (entry.inflight !== undefined) return entry.inflight;
    const now = this.#now();
    if (entry.keys !== undefined && now < entry.freshUntil) {
      // Fresh: re-fetch only for an unknown kid, and at most once per cool-down.
      if (!refresh || now - entry.lastRefresh < this.options.cooldown * 1000) return entry.keys;
      entry.lastRefresh = now;
    } else if (now < entry.retryAfter) {
      // Stale after a recent failure: do not hammer the client's server.
      if (entry.keys !== undefined && now < entry.graceUntil) return entry.keys;
      throw new InvalidClient(entry.failure);
    }
    const inflight = this.#fetch(uri, entry);
    entry.inflight = inflight;
    try {
      return await inflight;
    } finally {
      entry.inflight = undefined;
    }
  }

  #remember(cacheKey: string, entry: CacheEntry): void {
    if (this.#entries.size >= this.options.maxClients) {
      for (const [key, old] of this.#entries) {
        if (old.inflight === undefined) {
          this.#entries.delete(key);
          break;
        }
      }
    }
    this.#entries.set(cacheKey, entry);
  }

  async #fetch(uri: URL, entry: CacheEntry): Promise<ClientJWK[]> {
    this.stats.fetches += 1;
    try {
      const document = await guardedFetch(this.options.fetcher, uri, ACCEPT);
      if (document.status !== 200) throw new Error(`jwks_uri answered HTTP ${document.status}`);
      const keys = jwkSetKeys(JSON.parse(document.body));
      if (keys === undefined) throw new Error('jwks_uri did not return a JWK Set');
      const now = this.#now();
      const freshness = freshnessOf(document.cacheControl, this.options) * 1000;
      entry.keys = keys;
      entry.freshUntil = now + freshness;
      entry.graceUntil = now + freshness + this.options.gracePeriod * 1000;
      entry.retryAfter = 0;
      return keys;
    } catch (cause) {
      this.stats.failures += 1;
      const now = this.#now();
      entry.retryAfter = now + FAILURE_BACKOFF_MS;
      entry.failure = isGuardRefusal(cause) ? 'ERR_JWKS_URI_REFUSED' : 'ERR_JWKS_UNAVAILABLE';
      if (entry.keys !== undefined && now < entry.graceUntil) return entry.keys;
      throw new InvalidClient(entry.failure, { cause });
    }
  }
}

/** Create the cache of one authenticator. */
export function createJwksCache(options: JwksOptions | undefined, now: () => number): JwksCache {
  return new JwksCache(normalizeJwksOptions(options), now);
}
