/**
 * Whether the Redis the failure limiter uses may evict its keys. Every key of the limiter has a
 * TTL (counters a window, blocks the block period, attempts in flight a lease), so each
 * `allkeys-*` policy and each `volatile-*` policy — which evicts precisely the keys that have a TTL
 * — can drop a block before it ends under memory pressure, and a flood that fills Redis then
 * unblocks the client it was meant to protect. Only `noeviction` (or no `maxmemory` at all) keeps
 * every block; when memory is then full, the limiter's writes fail and the core refuses with 503
 * (fail closed).
 */
import type { RedisEvalClient } from './limiter.js';

/** What {@link failureLimiterEvictionCheck} found. */
export interface EvictionCheck {
  /** True when Redis cannot evict a limiter key: `maxmemory-policy noeviction`, or `maxmemory` 0. */
  safe: boolean;
  /** `maxmemory_policy` as Redis reports it. */
  policy: string;
  /** `maxmemory` in octets; 0 means no limit. */
  maxmemory: number;
  /** One line for a start-up log. */
  message: string;
}

// INFO is allowed in scripts (unlike CONFIG, which managed services also often rename or disable).
const INFO_MEMORY = `return redis.call('INFO', 'memory')`;

function field(info: string, name: string): string | undefined {
  const match = new RegExp(`^${name}:(.*)$`, 'm').exec(info);
  return match?.[1]?.trim();
}

/**
 * Read the eviction policy of the Redis behind `client` (through `EVAL` and `INFO memory`, so it
 * works with node-redis and `fromIoredis`). Call it at start-up and refuse to start, or warn, when
 * `safe` is false. On Redis Cluster it answers for one node: check each.
 *
 * @example
 * ```ts
 * const check = await failureLimiterEvictionCheck(redis)
 * if (!check.safe) throw new Error(check.message)
 * ```
 */
export async function failureLimiterEvictionCheck(client: RedisEvalClient): Promise<EvictionCheck> {
  const info = await client.eval(INFO_MEMORY, { keys: [], arguments: [] });
  if (typeof info !== 'string') throw new TypeError('client-auth redis: INFO memory did not answer a string');
  const policy = field(info, 'maxmemory_policy') ?? 'unknown';
  const maxmemory = Number(field(info, 'maxmemory') ?? Number.NaN);
  const safe = policy === 'noeviction' || maxmemory === 0;
  const message = safe
    ? policy === 'noeviction'
      ? 'redis maxmemory-policy is noeviction: failure-limiter blocks are never evicted'
      : `redis has no maxmemory: failure-limiter blocks are not evicted (maxmemory-policy ${policy} would evict them once a maxmemory is set; use noeviction)`
    : `redis maxmemory-policy is ${policy} with maxmemory ${maxmemory}: it may evict failure-limiter keys, blocks included (every limiter key has a TTL, so volatile-* policies evict them too); set maxmemory-policy noeviction`;
  return { safe, policy, maxmemory, message };
}
