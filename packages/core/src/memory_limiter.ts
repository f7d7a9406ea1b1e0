/**
 * `memoryFailureLimiter`: the {@link FailureLimiter} of one process. Its memory is bounded without
 * ever forgetting a block before it ends (DESIGN.md §3): when full, the oldest key that is neither
 * blocked nor in flight is forgotten; when every key is blocked or in flight, keys it does not
 * know yet are refused (503 `ERR_FAILURE_LIMITER_FULL`) rather than a block forgotten.
 */
import { TemporarilyUnavailable } from './errors.js';
import type { FailureLimiter } from './limiter.js';
import { checkFunction, fail, positiveInteger } from './option_checks.js';
import { checkOptionNames, optionNames } from './option_names.js';

/**
 * Options of {@link memoryFailureLimiter}: how many failures a key may have in a window, how long
 * a key that reached them is blocked, and how many keys are remembered.
 *
 * @example
 * ```ts
 * const options: MemoryFailureLimiterOptions = { maxFailures: 10, windowSeconds: 60, blockSeconds: 300 }
 * createClientAuthenticator({ issuer, getClient, failureLimiter: memoryFailureLimiter(options) })
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 */
export interface MemoryFailureLimiterOptions {
  /** Failures (plus attempts in flight) allowed within `windowSeconds` before the key is blocked. Default 10. */
  maxFailures?: number;
  /** Window in which failures are counted, from the first one, in seconds. Default 60. */
  windowSeconds?: number;
  /** How long a tripped key stays blocked, in seconds. Default 300. */
  blockSeconds?: number;
  /**
   * Most keys remembered. When full, the oldest key that is not blocked and has no attempt in
   * flight is forgotten (its partial count is lost); blocked keys stay until their block ends;
   * when no key can be forgotten, new keys are refused with 503 `ERR_FAILURE_LIMITER_FULL`.
   * Default 100000.
   */
  maxEntries?: number;
  /** Clock in milliseconds. Default `Date.now`. */
  now?: () => number;
}

const MEMORY_FAILURE_LIMITER_OPTION_NAMES = optionNames<MemoryFailureLimiterOptions>({
  maxFailures: true,
  windowSeconds: true,
  blockSeconds: true,
  maxEntries: true,
  now: true,
});

interface Entry {
  /** Failures in the window that started at `windowStart`. */
  failures: number;
  windowStart: number;
  /** 0 when not blocked. */
  blockedUntil: number;
  /** Attempts reserved and not settled yet. */
  inFlight: number;
}

/**
 * A per-process failure limiter. Several instances behind a load balancer each count on their
 * own: use `redisFailureLimiter` of `@client-auth/redis` to share the count.
 *
 * @example
 * ```ts
 * createClientAuthenticator({ issuer, getClient, failureLimiter: memoryFailureLimiter({ maxFailures: 5 }) })
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 */
export function memoryFailureLimiter(options: MemoryFailureLimiterOptions = {}): FailureLimiter {
  if (options === null || typeof options !== 'object') fail('memoryFailureLimiter options must be an object');
  checkOptionNames(options, MEMORY_FAILURE_LIMITER_OPTION_NAMES, 'memoryFailureLimiter()');
  const maxFailures = positiveInteger(options.maxFailures, 'memoryFailureLimiter maxFailures', 10);
  const windowMs = positiveInteger(options.windowSeconds, 'memoryFailureLimiter windowSeconds', 60) * 1000;
  const blockMs = positiveInteger(options.blockSeconds, 'memoryFailureLimiter blockSeconds', 300) * 1000;
  const maxEntries = positiveInteger(options.maxEntries, 'memoryFailureLimiter maxEntries', 100_000);
  const now = options.now ?? Date.now;
  checkFunction(now, 'memoryFailureLimiter now');

  // Two maps in insertion order: `counting` oldest activity first (the eviction order), `blocked`
  // in the order blocks began, which with one block length is the order they end.
  const counting = new Map<string, Entry>();
  const blocked = new Map<string, Entry>();

  function unblock(key: string, entry: Entry, time: number): void {
    blocked.delete(key);
    entry.blockedUntil = 0;
    entry.failures = 0;
    entry.windowStart = time;
    counting.set(key, entry);
  }

  /** The entry of `key`, a block that has ended turned back into an empty count. */
  function current(key: string, time: number): Entry | undefined {
    const held = blocked.get(key);
    if (held !== undefined) {
      if (held.blockedUntil <= time) unblock(key, held, time);
      return held;
    }
    return counting.get(key);
  }

  function liveFailures(entry: Entry, time: number): number {
    return time - entry.windowStart < windowMs ? entry.failures : 0;
  }

  /** Make room for one new key; false when every key is blocked or in flight. */
  function room(time: number): boolean {
    for (const [key, entry] of blocked) {
      if (entry.blockedUntil > time) break;
      if (entry.inFlight > 0) unblock(key, entry, time);
      else blocked.delete(key);
    }
    if (counting.size + blocked.size < maxEntries) return true;
    // Skips only entries with attempts in flight: at most the number of concurrent requests.
    for (const [key, entry] of counting) {
      if (entry.inFlight === 0) {
        counting.delete(key);
        return true;
      }
    }
    return false;
  }

  function entryFor(key: string, time: number): Entry {
    const known = current(key, time);
    if (known !== undefined) return known;
    // Forgetting a block would let a flood of made-up keys unblock a client: refuse instead.
    if (!room(time)) throw new TemporarilyUnavailable('ERR_FAILURE_LIMITER_FULL');
    const entry: Entry = { failures: 0, windowStart: time, blockedUntil: 0, inFlight: 0 };
    counting.set(key, entry);
    return entry;
  }

  return {
    async attempt(key) {
      const time = now();
      const entry = entryFor(key, time);
      if (entry.blockedUntil > time) return Math.ceil((entry.blockedUntil - time) / 1000);
      // Attempts in flight count as failures until they settle: concurrent guesses cannot pass
      // together what they could not pass one after the other.
      if (liveFailures(entry, time) + entry.inFlight >= maxFailures) return 1;
      entry.inFlight += 1;
      return 0;
    },
    async failed(key) {
      const time = now();
      const entry = entryFor(key, time);
      if (entry.inFlight > 0) entry.inFlight -= 1;
      // An attempt that began before the block and failed after it: the block already stands.
      if (entry.blockedUntil > time) return;
      if (liveFailures(entry, time) === 0) {
        entry.failures = 0;
        entry.windowStart = time;
      }
      entry.failures += 1;
      counting.delete(key);
      if (entry.failures >= maxFailures) {
        entry.blockedUntil = time + blockMs;
        entry.failures = 0;
        blocked.set(key, entry);
      } else {
        // Most recent activity last: the oldest counts are the ones forgotten first.
        counting.set(key, entry);
      }
    },
    async succeeded(key) {
      const time = now();
      const entry = current(key, time);
      if (entry === undefined) return;
      if (entry.inFlight > 0) entry.inFlight -= 1;
      // Nothing left to remember: the entry goes (memory bounded by concurrency for successes).
      if (entry.inFlight === 0 && entry.blockedUntil === 0 && liveFailures(entry, time) === 0) counting.delete(key);
    },
  };
}
