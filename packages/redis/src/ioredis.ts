/**
 * ioredis support: a small adapter that gives an ioredis client (or `Cluster`) the shape the store
 * expects. ioredis spells options as positional tokens (`'PX', ms, 'NX'`) and reports its state as
 * `status`.
 */
import type { RedisSetClient } from './store.js';

/** What the adapter needs from an ioredis `Redis` or `Cluster` instance. */
export interface IoredisLike {
  set(key: string, value: string, millisecondsToken: 'PX', milliseconds: number, nx: 'NX'): Promise<'OK' | null>;
  /** `'ready'` when connected; anything else (`'reconnecting'`, `'end'`, …) means not connected. */
  readonly status: string;
}

/**
 * Wrap an ioredis client for {@link redisReplayStore}.
 *
 * @example
 * ```ts
 * import Redis from 'ioredis'
 * const redis = new Redis(process.env.REDIS_URL!, { enableOfflineQueue: false })
 * const store = redisReplayStore({ client: fromIoredis(redis) })
 * ```
 */
export function fromIoredis(client: IoredisLike): RedisSetClient {
  if (client === null || typeof client !== 'object' || typeof client.set !== 'function') {
    throw new TypeError('client-auth redis: fromIoredis needs an ioredis client');
  }
  return {
    set: (key, value, options) => client.set(key, value, 'PX', options.expiration.value, 'NX'),
    get isReady() {
      return client.status === 'ready';
    },
  };
}
