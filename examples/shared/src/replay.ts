/**
 * The replay store of the examples: Redis when REDIS_URL is set, so that several instances of the
 * server refuse an assertion used at any of them; the core's in-memory store otherwise.
 */
import type { FailureLimiter, ReplayStore } from '@client-auth/core';
import {
  failureLimiterEvictionCheck,
  recommendedClientOptions,
  redisFailureLimiter,
  redisReplayStore,
} from '@client-auth/redis';
import type { Logger } from 'pino';
import { createClient } from 'redis';

/** How long start-up waits for a first connection before serving anyway (requests then get 503). */
const FIRST_CONNECT_WAIT = 5000;

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
  url: string,
  failureLimit: { maxFailures: number; windowSeconds?: number; blockSeconds?: number } | undefined,
  log: Logger,
): Promise<{ replayStore: ReplayStore; failureLimiter?: FailureLimiter }> {
  const client = createClient(recommendedClientOptions(url));
  const where = redactRedisUrl(url);
  let down = false;
  // Without an 'error' listener node-redis errors would crash the process; log changes of state only.
  client.on('error', (error: Error) => {
    if (down) return;
    down = true;
    log.error({ redis: where, err: error.message }, 'redis unreachable: assertions are refused (503) until it is back');
  });
  client.on('ready', () => {
    if (!down) return;
    down = false;
    log.info({ redis: where }, 'redis connected again');
  });
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
  const replayStore = redisReplayStore({ client });
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
