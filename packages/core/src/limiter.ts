/**
 * Brute-force protection. RFC 6749 §2.3.1: "the authorization server MUST protect any endpoint
 * utilizing it against brute force attacks". A {@link FailureLimiter} counts failed
 * authentications per client_id; once a client passes the limit, further attempts are refused
 * without checking the credential until the block expires.
 */

/** Counts failures per key (a client_id). Implementations may share state across instances. */
export interface FailureLimiter {
  /**
   * Seconds until `key` may try again, or 0 when it is not blocked. Rejects when the limiter's
   * store cannot answer (the request is then refused with a 5xx, never let through unchecked).
   */
  blockedFor(key: string): Promise<number>;
  /** Record one failed authentication of `key`. */
  recordFailure(key: string): Promise<void>;
  /** Forget the failures of `key` after it authenticated successfully. */
  reset(key: string): Promise<void>;
}

/** Options of {@link memoryFailureLimiter}. */
export interface MemoryFailureLimiterOptions {
  /** Failures allowed within `windowSeconds` before the key is blocked. Default 10. */
  maxFailures?: number;
  /** Window in which failures are counted, in seconds. Default 60. */
  windowSeconds?: number;
  /** How long a tripped key stays blocked, in seconds. Default 300. */
  blockSeconds?: number;
  /** Most keys remembered; the oldest are forgotten first. Default 100000. */
  maxEntries?: number;
  /** Clock in milliseconds. Default `Date.now`. */
  now?: () => number;
}

interface Entry {
  failures: number;
  windowStart: number;
  blockedUntil: number;
}

function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new TypeError(`client-auth: ${name} must be a positive integer`);
  return value;
}

/**
 * A per-process failure limiter. Memory is bounded by `maxEntries` (oldest keys are evicted
 * first). Several instances behind a load balancer each count on their own: use the Redis limiter
 * of `@client-auth/redis` to share the count.
 *
 * @example
 * ```ts
 * createClientAuthenticator({ issuer, getClient, failureLimiter: memoryFailureLimiter({ maxFailures: 5 }) })
 * ```
 */
export function memoryFailureLimiter(options: MemoryFailureLimiterOptions = {}): FailureLimiter {
  const maxFailures = positiveInteger(options.maxFailures, 10, 'maxFailures');
  const windowMs = positiveInteger(options.windowSeconds, 60, 'windowSeconds') * 1000;
  const blockMs = positiveInteger(options.blockSeconds, 300, 'blockSeconds') * 1000;
  const maxEntries = positiveInteger(options.maxEntries, 100_000, 'maxEntries');
  const now = options.now ?? Date.now;
  // A Map iterates in insertion order: re-inserting on write makes the first key the oldest.
  const entries = new Map<string, Entry>();

  return {
    async blockedFor(key) {
      const entry = entries.get(key);
      if (entry === undefined) return 0;
      const remaining = entry.blockedUntil - now();
      return remaining > 0 ? Math.ceil(remaining / 1000) : 0;
    },
    async recordFailure(key) {
      const time = now();
      let entry = entries.get(key);
      if (entry === undefined || time - entry.windowStart >= windowMs) {
        entry = { failures: 0, windowStart: time, blockedUntil: entry?.blockedUntil ?? 0 };
      }
      entry.failures += 1;
      if (entry.failures >= maxFailures) {
        entry.blockedUntil = time + blockMs;
        entry.failures = 0;
        entry.windowStart = time;
      }
      entries.delete(key);
      entries.set(key, entry);
      while (entries.size > maxEntries) {
        const oldest = entries.keys().next().value as string;
        entries.delete(oldest);
      }
    },
    async reset(key) {
      entries.delete(key);
    },
  };
}
