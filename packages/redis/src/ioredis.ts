/**
 * ioredis support: a small adapter that gives an ioredis client (or `Cluster`) the shape the store
 * expects. ioredis spells options as positional tokens (`'PX', ms, 'NX'`) and reports its state as
 * `status`.
 */
import type { RedisEvalClient } from './limiter.js';
import type { SetThenWaitClient, SetThenWaitReplies, WaitForReplicasOptions } from './replicas.js';
import type { RedisSetClient } from './store.js';

/** What the adapter needs from an ioredis `Pipeline` (`client.pipeline()`). */
export interface IoredisPipelineLike {
  set(key: string, value: string, millisecondsToken: 'PX', milliseconds: number, nx: 'NX'): IoredisPipelineLike;
  wait(numReplicas: number, timeout: number): IoredisPipelineLike;
  /** One `[error, reply]` pair per command, in order. */
  exec(): Promise<Array<[Error | null, unknown]> | null>;
}

/** What the adapter needs from an ioredis `Redis` or `Cluster` instance. */
export interface IoredisLike {
  set(key: string, value: string, millisecondsToken: 'PX', milliseconds: number, nx: 'NX'): Promise<'OK' | null>;
  /** `'ready'` when connected; anything else (`'reconnecting'`, `'end'`, …) means not connected. */
  readonly status: string;
  /** `EVAL script numkeys key… arg…`: needed by `redisFailureLimiter` only. */
  eval?(script: string, numKeys: number, ...keysAndArgs: string[]): Promise<unknown>;
  /** Needed by `redisReplayStore`'s `waitForReplicas` only. */
  pipeline?(): IoredisPipelineLike;
  /** `EXISTS key`: `waitForReplicas` on a Cluster reads the key after a redirect (see below). */
  exists?(key: string): Promise<number>;
}

/** A Cluster redirect or a transient cluster state, after which the slot map may be stale. */
const REDIRECT = /^(MOVED|ASK|TRYAGAIN|CLUSTERDOWN) /;

async function pipelinedSetThenWait(
  client: IoredisLike,
  key: string,
  value: string,
  ttl: number,
  wait: WaitForReplicasOptions,
): Promise<SetThenWaitReplies> {
  if (typeof client.pipeline !== 'function') throw new TypeError('this ioredis client has no pipeline()');
  const replies = await client.pipeline().set(key, value, 'PX', ttl, 'NX').wait(wait.replicas, wait.timeoutMs).exec();
  const [set, acknowledged] = replies ?? [];
  if (set === undefined || acknowledged === undefined) throw new Error('the SET and WAIT pipeline was not run');
  if (set[0] !== null) throw set[0];
  if (acknowledged[0] !== null) throw acknowledged[0];
  return { set: set[1], acknowledged: acknowledged[1] };
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
export function fromIoredis(client: IoredisLike): RedisSetClient & RedisEvalClient & SetThenWaitClient {
  if (client === null || typeof client !== 'object' || typeof client.set !== 'function') {
    throw new TypeError('client-auth redis: fromIoredis needs an ioredis client');
  }
  return {
    set: (key, value, options) => client.set(key, value, 'PX', options.expiration.value, 'NX'),
    eval: (script, { keys, arguments: args }) => {
      if (typeof client.eval !== 'function') return Promise.reject(new TypeError('this ioredis client has no eval()'));
      return client.eval(script, keys.length, ...keys, ...args);
    },
    // SET and WAIT in one pipeline: ioredis sends a pipeline on one connection, and a Cluster sends
    // it to the node of its keys (WAIT has none), so the WAIT counts acknowledgements of this SET.
    // ioredis follows a redirect of a pipeline only when every command in it was redirected, which
    // the keyless WAIT never is: after a failover the SET would be MOVED on every call. A plain
    // read of the key goes through the redirect and updates ioredis's slot map; then one retry.
    setThenWait: async (key, value, options, wait) => {
      try {
        return await pipelinedSetThenWait(client, key, value, options.expiration.value, wait);
      } catch (error) {
        if (!(error instanceof Error) || !REDIRECT.test(error.message) || typeof client.exists !== 'function')
          throw error;
        await client.exists(key);
        return pipelinedSetThenWait(client, key, value, options.expiration.value, wait);
      }
    },
    get isReady() {
      return client.status === 'ready';
    },
  };
}
