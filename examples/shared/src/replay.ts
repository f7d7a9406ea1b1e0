/**
 * The replay store of the examples: Redis when REDIS_URL (one node) or REDIS_CLUSTER_NODES (a Redis
 * Cluster) is set, so that several instances of the server refuse an assertion used at any of
 * them; the core's in-memory store otherwise. REDIS_WAIT_REPLICAS=N accepts an assertion only once
 * N replicas hold its record.
 */
import type { FailureLimiter, ReplayStore } from '@client-auth/core';
import {
  failureLimiterEvictionCheck,
  recommendedClientOptions,
  recommendedClusterOptions,
  redisFailureLimiter,
  redisReplayStore,
} from '@client-auth/redis';
import type { Logger } from 'pino';
import { createClient, createCluster } from 'redis';
import type { ExampleConfig } from './config.js';

/** How long start-up waits for a first connection before serving anyway (requests then get 503). */
const FIRST_CONNECT_WAIT = 5000;
/** REDIS_WAIT_REPLICAS: how long WAIT may block, below the store's 200 ms timeout. */
const WAIT_TIMEOUT_MS = 100;

/** Where the state lives: one Redis (REDIS_URL) or a Redis Cluster (REDIS_CLUSTER_NODES). */
export type RedisTarget = { url: string } | { clusterNodes: string[] };

/** The Redis the configuration names (REDIS_URL or REDIS_CLUSTER_NODES), if any. */
export function redisTarget(config: Pick<ExampleConfig, 'redisUrl' | 'redisClusterNodes'>): RedisTarget | undefined {
  if (config.redisUrl !== undefined) return { url: config.redisUrl };
  if (config.redisClusterNodes !== undefined) return { clusterNodes: config.redisClusterNodes };
  return undefined;
}

/** The URL without its password, for logs. */
export function redactRedisUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password !== '') parsed.password = '***';
  return parsed.toString();
}

/**
 * Connect a node-redis client with the recommended options and wrap it as a replay store. A Redis
 * that is down at start, or goes away later, makes authentication of assertions fail with 503
 * `temporarily_unavailable` until it is back; the client reconnects by itself.
 */
export async function createRedisStores(
  target: RedisTarget,
  waitReplicas: number | undefined,
  failureLimit: { maxFailures: number; windowSeconds?: number; blockSeconds?: number } | undefined,
  log: Logger,
): Promise<{ replayStore: ReplayStore; failureLimiter?: FailureLimiter }> {
  const client =
    'url' in target
      ? createClient(recommendedClientOptions(target.url))
      : createCluster(recommendedClusterOptions(target.clusterNodes));
  const where = 'url' in target ? redactRedisUrl(target.url) : `cluster ${target.clusterNodes.join(',')}`;
  let down = false;
  // Without an 'error' listener node-redis errors would crash the process; log changes of state only.
  const onError = (error: Error) => {
    if (down) return;
    down = true;
    log.error({ redis: where, err: error.message }, 'redis unreachable: assertions are refused (503) until it is back');
  };
  const onReady = () => {
    if (!down) return;
    down = false;
    log.info({ redis: where }, 'redis connected again');
  };
  client.on('error', onError);
  // A cluster reports each node's client apart.
  client.on('node-error', onError);
  client.on('ready', onReady);
  client.on('node-ready', onReady);
  const connected = client.connect().then(
    () => true,
    (error: Error) => {
      log.error({ redis: where, err: error.message }, 'redis: first connection failed');
      return false;
    },
  );
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), FIRST_CONNECT_WAIT);
  });
  const ready = await Promise.race([connected, waited]);
  clearTimeout(timer);
  const replayStore = redisReplayStore({
    client,
    ...(waitReplicas === undefined ? {} : { waitForReplicas: { replicas: waitReplicas, timeoutMs: WAIT_TIMEOUT_MS } }),
  });
  if (failureLimit === undefined) return { replayStore };
  // FAILURE_LIMIT with REDIS_URL: the failure count is shared by every instance too. A Redis that
  // may evict keys can drop a block before it ends (every limiter key has a TTL): say so at start.
  if (ready) {
    await failureLimiterEvictionCheck(client).then(
      (check) => (check.safe ? undefined : log.error({ redis: where }, `FAILURE_LIMIT: ${check.message}`)),
      (error: Error) =>
        log.error({ redis: where, err: error.message }, 'FAILURE_LIMIT: could not read the Redis eviction policy'),
    );
  }
  const { maxFailures, windowSeconds, blockSeconds } = failureLimit;
  const limits = {
    maxFailures,
    ...(windowSeconds !== undefined ? { windowSeconds } : {}),
    ...(blockSeconds !== undefined ? { blockSeconds } : {}),
  };
  return { replayStore, failureLimiter: redisFailureLimiter({ client, ...limits }) };
}
