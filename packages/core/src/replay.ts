/**
 * Replay protection for client assertions (OpenID Connect Core §9: the `jti` "MUST only be used
 * once"; RFC 7523 §3 item 7). A {@link ReplayStore} records each (client, jti) pair atomically, and
 * only *after* the assertion's signature and claims verified, so that a forged assertion cannot
 * burn a legitimate jti.
 */
import { TemporarilyUnavailable } from './errors.js';

/**
 * Where used assertion identifiers are remembered until they expire. Implementations must make
 * `consume` atomic across every instance that shares the store (the Redis store uses
 * `SET key 1 PX ttl NX`).
 */
export interface ReplayStore {
  /**
   * Record that `jti` of `clientId` was used, until `expiresAt` (milliseconds since the epoch).
   * Resolves `true` the first time, `false` when the pair was already recorded. Rejects when the
   * store cannot answer; the request is then refused with a 5xx, never accepted.
   */
  consume(clientId: string, jti: string, expiresAt: number): Promise<boolean>;
}

/** Options of {@link memoryReplayStore}. */
export interface MemoryReplayStoreOptions {
  /**
   * Most (client, jti) pairs remembered at once. When the store is full and none of its entries
   * has expired, `consume` rejects with `ERR_REPLAY_STORE_FULL` (fail closed: an assertion whose
   * jti cannot be recorded is refused, never accepted). Default 100 000.
   */
  maxEntries?: number;
  /** Clock in milliseconds since the epoch. Default `Date.now`. */
  now?: () => number;
}

/** How often, at most, a store that is not full sweeps out expired entries (milliseconds). */
const SWEEP_INTERVAL = 10_000;

/**
 * A {@link ReplayStore} in this process's memory: right for one process, wrong for several behind
 * a load balancer (use a shared store such as `@client-auth/redis` there). Memory is bounded by
 * `maxEntries`; expired entries are swept out at most every 10 s, and at once when the store is
 * full.
 *
 * @example
 * ```ts
 * const auth = createClientAuthenticator({ issuer, getClient, replayStore: memoryReplayStore({ maxEntries: 10_000 }) })
 * ```
 * @see https://openid.net/specs/openid-connect-core-1_0.html#ClientAuthentication
 */
export function memoryReplayStore(options: MemoryReplayStoreOptions = {}): ReplayStore {
  if (options === null || typeof options !== 'object') throw new TypeError('client-auth: options must be an object');
  const { maxEntries = 100_000, now = Date.now } = options;
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
    throw new TypeError('client-auth: memoryReplayStore maxEntries must be a positive integer');
  }
  if (typeof now !== 'function') throw new TypeError('client-auth: memoryReplayStore now must be a function');

  /** key → expiry (ms). The key is length-prefixed so that no (client, jti) pair collides with another. */
  const entries = new Map<string, number>();
  let nextSweep = 0;
  /** The earliest expiry seen by the last sweep: before it, a sweep cannot free anything. */
  let earliestExpiry = Number.POSITIVE_INFINITY;

  function sweep(at: number): void {
    earliestExpiry = Number.POSITIVE_INFINITY;
    for (const [key, expiresAt] of entries) {
      if (expiresAt <= at) entries.delete(key);
      else if (expiresAt < earliestExpiry) earliestExpiry = expiresAt;
    }
    nextSweep = at + SWEEP_INTERVAL;
  }

  return {
    async consume(clientId: string, jti: string, expiresAt: number): Promise<boolean> {
      const at = now();
      const key = `${clientId.length}:${clientId}:${jti}`;
      const seen = entries.get(key);
      if (seen !== undefined && seen > at) return false;
      if (at >= nextSweep) sweep(at);
      if (seen === undefined && entries.size >= maxEntries) {
        if (at >= earliestExpiry) sweep(at);
        if (entries.size >= maxEntries) throw new TemporarilyUnavailable('ERR_REPLAY_STORE_FULL');
      }
      entries.set(key, expiresAt);
      if (expiresAt < earliestExpiry) earliestExpiry = expiresAt;
      return true;
    },
  };
}
