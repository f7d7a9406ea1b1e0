/**
 * The node-redis client options this store is meant to run with. Each one serves failing closed
 * and recovering alone; the README explains them.
 */

/** Reconnect delay after `retries` failed attempts: exponential from 50 ms, capped at 2 s, plus jitter. */
export function reconnectForever(retries: number): number {
  // Never `false` or an Error: node-redis's default strategy gives up on a socket timeout, which
  // would leave the store answering "not ready" until the process restarts.
  return Math.min(50 * 2 ** Math.min(retries, 10), 2000) + Math.floor(Math.random() * 100);
}

/** The subset of node-redis v5 `RedisClientOptions` that {@link recommendedClientOptions} returns. */
export interface RecommendedClientOptions {
  url: string;
  disableOfflineQueue: true;
  commandsQueueMaxLength: number;
  socket: {
    connectTimeout: number;
    reconnectStrategy: (retries: number) => number;
  };
}

/**
 * Options for node-redis v5 `createClient()` that suit a replay store:
 *
 * - `disableOfflineQueue: true`: while reconnecting, commands reject at once instead of waiting
 *   in memory for a Redis that may be gone for minutes (the store also checks `isReady` first);
 * - `commandsQueueMaxLength: 10000`: a Redis that answers slowly cannot grow the queue forever;
 * - `socket.reconnectStrategy`: {@link reconnectForever}, so the client always comes back;
 * - `socket.connectTimeout: 1000`: a black-holed Redis is noticed within a second.
 *
 * Spread it and add your own (`password`, `socket.tls`, …) as needed.
 *
 * @example
 * ```ts
 * const redis = createClient(recommendedClientOptions('redis://127.0.0.1:6379'))
 * ```
 */
export function recommendedClientOptions(url: string): RecommendedClientOptions {
  if (typeof url !== 'string' || url === '') throw new TypeError('client-auth redis: url must be a non-empty string');
  return {
    url,
    disableOfflineQueue: true,
    commandsQueueMaxLength: 10_000,
    socket: { connectTimeout: 1000, reconnectStrategy: reconnectForever },
  };
}

/** The subset of node-redis v5 `RedisClusterOptions` that {@link recommendedClusterOptions} returns. */
export interface RecommendedClusterOptions {
  rootNodes: Array<{ url: string }>;
  defaults: Omit<RecommendedClientOptions, 'url'>;
  maxCommandRedirections: number;
}

/**
 * Options for node-redis v5 `createCluster()`: the seed nodes (`host:port`, or `redis://` /
 * `rediss://` URLs), and for the client of every node the options of
 * {@link recommendedClientOptions}. `maxCommandRedirections: 5` ends a `MOVED`/`ASK` loop early;
 * the store's `timeout` bounds it in any case.
 *
 * @example
 * ```ts
 * const redis = createCluster(recommendedClusterOptions(['10.0.0.1:6379', '10.0.0.2:6379']))
 * ```
 */
export function recommendedClusterOptions(seeds: readonly string[]): RecommendedClusterOptions {
  if (!Array.isArray(seeds) || seeds.length === 0) {
    throw new TypeError('client-auth redis: seeds must be a non-empty array of host:port or redis:// URLs');
  }
  const rootNodes = seeds.map((seed) => {
    if (typeof seed !== 'string' || seed === '')
      throw new TypeError('client-auth redis: every seed must be a non-empty string');
    return { url: /^rediss?:\/\//.test(seed) ? seed : `redis://${seed}` };
  });
  const { url: _url, ...defaults } = recommendedClientOptions('redis://seed');
  return { rootNodes, defaults, maxCommandRedirections: 5 };
}
