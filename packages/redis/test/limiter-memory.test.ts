/**
 * The failure limiter and Redis memory (DESIGN.md §3: a blocked entry is never evicted before its
 * block ends). Every limiter key has a TTL, so a `volatile-*` policy is no safer than `allkeys-*`:
 * only `noeviction` (or no `maxmemory`) keeps blocks, and then a full Redis refuses what it cannot
 * record (503, fail closed) while blocks are still enforced. These tests change the eviction
 * settings of a redis-server of their own.
 */
import { randomUUID } from 'node:crypto';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noOwnRedisReason, OwnRedisServer, reportSkip } from '../../../test/helpers/redis.js';
import {
  failureLimiterEvictionCheck,
  RedisFailureLimiterError,
  recommendedClientOptions,
  redisFailureLimiter,
} from '../src/index.js';

reportSkip(noOwnRedisReason);

describe.skipIf(noOwnRedisReason !== undefined)('redisFailureLimiter and Redis eviction', () => {
  let server: OwnRedisServer;
  let redis: ReturnType<typeof createClient>;
  beforeAll(async () => {
    server = await OwnRedisServer.start();
    redis = createClient(recommendedClientOptions(server.url));
    redis.on('error', () => {});
    await redis.connect();
  });
  afterAll(async () => {
    redis?.destroy();
    await server?.close();
  });

  it('failureLimiterEvictionCheck: safe with noeviction or no maxmemory; unsafe with volatile-* and allkeys-* policies', async () => {
    // redis-server's defaults: no maxmemory, noeviction.
    expect(await failureLimiterEvictionCheck(redis)).toMatchObject({ safe: true, policy: 'noeviction', maxmemory: 0 });
    await redis.configSet({ maxmemory: '100mb', 'maxmemory-policy': 'volatile-lru' });
    const volatile = await failureLimiterEvictionCheck(redis);
    expect(volatile).toMatchObject({ safe: false, policy: 'volatile-lru', maxmemory: 100 * 1024 * 1024 });
    expect(volatile.message).toMatch(/noeviction/);
    for (const policy of ['volatile-ttl', 'allkeys-lru', 'allkeys-random']) {
      await redis.configSet('maxmemory-policy', policy);
      expect((await failureLimiterEvictionCheck(redis)).safe).toBe(false);
    }
    await redis.configSet('maxmemory-policy', 'noeviction');
    expect((await failureLimiterEvictionCheck(redis)).safe).toBe(true);
    await redis.configSet('maxmemory', '0');
  });

  it('with noeviction and Redis full: a block is still enforced, new reservations and failures are refused (fail closed), releases pass', async () => {
    const limiter = redisFailureLimiter({ client: redis, prefix: `test:${randomUUID()}:`, maxFailures: 2 });
    for (let i = 0; i < 2; i++) {
      expect(await limiter.attempt('victim')).toBe(0);
      await limiter.failed('victim');
    }
    expect(await limiter.attempt('in-flight')).toBe(0);
    expect(await limiter.attempt('counting')).toBe(0);

    // Over maxmemory for good: a limit below what Redis already uses (filling up to the limit left
    // it at the edge, where a freed buffer let the next write through).
    const used = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1]);
    await redis.configSet({ maxmemory: String(Math.floor(used / 2)), 'maxmemory-policy': 'noeviction' });
    await expect(redis.set('one-more', 'x')).rejects.toThrow(/OOM/);

    try {
      expect(await limiter.attempt('victim')).toBe(300);
      const refused = await limiter.attempt('made-up').catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(RedisFailureLimiterError);
      expect((refused as RedisFailureLimiterError).reason).toBe('command_failed');
      await expect(limiter.failed('counting')).rejects.toBeInstanceOf(RedisFailureLimiterError);
      await limiter.succeeded('in-flight');
      expect(await limiter.attempt('victim')).toBe(300);
    } finally {
      await redis.configSet('maxmemory', '0');
      await redis.flushAll();
    }
  });
});
