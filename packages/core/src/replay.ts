/**
 * Replay protection for client assertions (OpenID Connect Core §9: the `jti` "MUST only be used
 * once"; RFC 7523 §3 item 7). A {@link ReplayStore} records each (client, jti) pair atomically, and
 * only *after* the assertion's signature and claims verified, so that a forged assertion cannot
 * burn a legitimate jti.
 */
import { TemporarilyUnavailable } from './errors.js';
import { checkFunction, fail, positiveInteger } from './option_checks.js';
import { checkOptionNames, optionNames } from './option_names.js';

/**
 * Where used assertion identifiers are remembered until they expire. Implementations must make
 * `consume` atomic across every instance that shares the store (the Redis store uses
 * `SET key 1 PX ttl NX`).
 *
 * @example
 * ```ts
 * const replayStore: ReplayStore = {
 *   async consume(clientId, jti, expiresAt) {
 *     const ttl = Math.max(1, expiresAt - Date.now())
 *     return (await redis.set(`jti:${clientId.length}:${clientId}${jti}`, '1', 'PX', ttl, 'NX')) === 'OK'
 *   },
 * }
 * createClientAuthenticator({ issuer, getClient, replayStore })
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-3
 */
export interface ReplayStore {
  /**
   * Record that `jti` of `clientId` was used, until `expiresAt` (milliseconds since the epoch).
   * Resolves `true` the first time, `false` when the pair was already recorded. Rejects when the
   * store cannot answer; the request is then refused with a 5xx, never accepted.
   */
  consume(clientId: string, jti: string, expiresAt: number): Promise<boolean>;
}

/**
 * Options of {@link memoryReplayStore}: how many (client, jti) pairs it remembers, in all and per
 * client, so that one client cannot fill it for every other one.
 *
 * @example
 * ```ts
 * const options: MemoryReplayStoreOptions = { maxEntries: 100_000, maxEntriesPerClient: 5_000 }
 * createClientAuthenticator({ issuer, getClient, replayStore: memoryReplayStore(options) })
 * ```
 * @see https://openid.net/specs/openid-connect-core-1_0.html#ClientAuthentication
 */
export interface MemoryReplayStoreOptions {
  /**
   * Most (client, jti) pairs remembered at once. When the store is full and none of its entries
   * has expired, `consume` rejects with `ERR_REPLAY_STORE_FULL` (fail closed: an assertion whose
   * jti cannot be recorded is refused, never accepted). Default 100 000.
   */
  maxEntries?: number;
  /**
   * Most live jti one client may hold, so that one client cannot fill the store for every other
   * one (its entries live until their `exp`, up to `maxAssertionLifetime`). A client at its quota
   * is refused with 503 `ERR_REPLAY_QUOTA_EXCEEDED` and `Retry-After` (the seconds until its
   * earliest entry expires); live entries are never evicted, and other clients are unaffected.
   * Default: a tenth of `maxEntries`, at most 10 000 (10 000 of the default 100 000: a sustained
   * 2.7 assertions/s of one-hour assertions, or 133/s of 60-second ones, kept 75 s with the
   * default tolerance). At most `maxEntries`.
   */
  maxEntriesPerClient?: number;
  /** Clock in milliseconds since the epoch. Default `Date.now`. */
  now?: () => number;
}

const MEMORY_REPLAY_STORE_OPTION_NAMES = optionNames<MemoryReplayStoreOptions>({
  maxEntries: true,
  maxEntriesPerClient: true,
  now: true,
});

/** How often, at most, a store that is not full sweeps out expired entries (milliseconds). */
const SWEEP_INTERVAL = 10_000;
/** The default per-client quota of a store of the default size (100 000 entries). */
const DEFAULT_MAX_ENTRIES_PER_CLIENT = 10_000;

/** One client's live jti, with the earliest expiry among them (before it, nothing can be swept). */
interface ClientEntries {
  /** jti → expiry (ms). */
  jtis: Map<string, number>;
  earliest: number;
}

/**
 * A {@link ReplayStore} in this process's memory: right for one process, wrong for several behind
 * a load balancer (use a shared store such as `@client-auth/redis` there). Memory is bounded by
 * `maxEntries` (about 110 bytes an entry with 36-character jti: bench/replay-memory.ts), and each client
 * by `maxEntriesPerClient`; expired entries are swept out at most every 10 s, and at once when
 * the store or a client's quota is full.
 *
 * @example
 * ```ts
 * const auth = createClientAuthenticator({ issuer, getClient, replayStore: memoryReplayStore({ maxEntries: 10_000 }) })
 * ```
 * @see https://openid.net/specs/openid-connect-core-1_0.html#ClientAuthentication
 */
export function memoryReplayStore(options: MemoryReplayStoreOptions = {}): ReplayStore {
  if (options === null || typeof options !== 'object') fail('options must be an object');
  checkOptionNames(options, MEMORY_REPLAY_STORE_OPTION_NAMES, 'memoryReplayStore()');
  const { now = Date.now } = options;
  const maxEntries = positiveInteger(options.maxEntries ?? 100_000, 'memoryReplayStore maxEntries');
  const maxEntriesPerClient = positiveInteger(
    options.maxEntriesPerClient ?? Math.max(1, Math.min(DEFAULT_MAX_ENTRIES_PER_CLIENT, Math.floor(maxEntries / 10))),
    'memoryReplayStore maxEntriesPerClient',
  );
  if (maxEntriesPerClient > maxEntries) {
    fail('memoryReplayStore maxEntriesPerClient must not exceed maxEntries');
  }
  checkFunction(now, 'memoryReplayStore now');

  /** client_id → its live jti: a map per client, so that (client, jti) pairs cannot collide. */
  const clients = new Map<string, ClientEntries>();
  /** Entries across every client. */
  let size = 0;
  let nextSweep = 0;
  /** The earliest expiry seen by the last sweep: before it, a sweep cannot free anything. */
  let earliestExpiry = Number.POSITIVE_INFINITY;

  function sweepClient(clientId: string, entries: ClientEntries, at: number): void {
    entries.earliest = Number.POSITIVE_INFINITY;
    for (const [jti, expiresAt] of entries.jtis) {
      if (expiresAt <= at) {
        entries.jtis.delete(jti);
        size -= 1;
      } else if (expiresAt < entries.earliest) entries.earliest = expiresAt;
    }
    if (entries.jtis.size === 0) clients.delete(clientId);
  }

  function sweep(at: number): void {
    earliestExpiry = Number.POSITIVE_INFINITY;
    for (const [clientId, entries] of clients) {
      sweepClient(clientId, entries, at);
      if (entries.earliest < earliestExpiry) earliestExpiry = entries.earliest;
    }
    nextSweep = at + SWEEP_INTERVAL;
  }

  return {
    async consume(clientId: string, jti: string, expiresAt: number): Promise<boolean> {
      const at = now();
      const seen = clients.get(clientId)?.jtis.get(jti);
      if (seen !== undefined && seen > at) return false;
      if (at >= nextSweep) sweep(at);
      let entries = clients.get(clientId);
      if (entries?.jtis.has(jti) !== true) {
        // A new entry: room in the store, then in the client's quota (one client must not take
        // every slot). Live entries are never evicted for it.
        if (size >= maxEntries) {
          if (at >= earliestExpiry) sweep(at);
          if (size >= maxEntries) throw new TemporarilyUnavailable('ERR_REPLAY_STORE_FULL');
        }
        entries = clients.get(clientId);
        if (entries !== undefined && entries.jtis.size >= maxEntriesPerClient) {
          if (at >= entries.earliest) sweepClient(clientId, entries, at);
          if (entries.jtis.size >= maxEntriesPerClient) {
            throw new TemporarilyUnavailable('ERR_REPLAY_QUOTA_EXCEEDED', {
              retryAfter: Math.max(1, Math.ceil((entries.earliest - at) / 1000)),
            });
          }
        }
        entries = clients.get(clientId);
        if (entries === undefined) {
          entries = { jtis: new Map(), earliest: Number.POSITIVE_INFINITY };
          clients.set(clientId, entries);
        }
        size += 1;
      }
      entries.jtis.set(jti, expiresAt);
      if (expiresAt < entries.earliest) entries.earliest = expiresAt;
      if (expiresAt < earliestExpiry) earliestExpiry = expiresAt;
      return true;
    },
  };
}
