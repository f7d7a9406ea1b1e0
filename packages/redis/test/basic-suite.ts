/**
 * The behaviour every client flavour must show against a real Redis: run by store.test.ts with
 * node-redis and by ioredis.test.ts through `fromIoredis`.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noRedisReason, reportSkip, type SuiteRedis, suiteRedis } from '../../../test/helpers/redis.js';
import { CLIENT_TAG_LENGTH, DIGEST_LENGTH, type RedisSetClient, redisReplayStore, replayKey } from '../src/index.js';

/** Two connections to one Redis, as two server instances would hold, plus inspection commands. */
export interface TwoInstances {
  a: RedisSetClient;
  b: RedisSetClient;
  pttl(key: string): Promise<number>;
  keys(pattern: string): Promise<string[]>;
  close(): Promise<void>;
}

const inAMinute = () => Date.now() + 60_000;

export function basicReplaySuite(flavour: string, connect: (url: string) => Promise<TwoInstances>): void {
  reportSkip(noRedisReason);
  describe.skipIf(noRedisReason !== undefined)(`redisReplayStore with ${flavour} against a real Redis`, () => {
    let redis: SuiteRedis;
    let clients: TwoInstances;
    let prefix: string;

    beforeAll(async () => {
      redis = await suiteRedis();
      clients = await connect(redis.url);
    });
    afterAll(async () => {
      await clients?.close();
      await redis?.close();
    });
    // Every test writes under a prefix of its own: parallel files and earlier runs cannot interfere.
    const store = (client: RedisSetClient, options: { retentionMargin?: number; now?: () => number } = {}) => {
      prefix = `test:${randomUUID()}:`;
      return redisReplayStore({ client, prefix, ...options });
    };

    it('records a first use and refuses the second (OpenID Connect Core §9: a jti "MUST only be used once")', async () => {
      const replay = store(clients.a);
      const jti = randomUUID();
      expect(await replay.consume('client-1', jti, inAMinute())).toBe(true);
      expect(await replay.consume('client-1', jti, inAMinute())).toBe(false);
      expect(await replay.consume('client-1', randomUUID(), inAMinute())).toBe(true);
    });

    it('refuses on a second instance what a first instance recorded (one store for every instance)', async () => {
      const first = store(clients.a);
      const second = redisReplayStore({ client: clients.b, prefix });
      const jti = randomUUID();
      expect(await first.consume('client-1', jti, inAMinute())).toBe(true);
      expect(await second.consume('client-1', jti, inAMinute())).toBe(false);
    });

    it('keeps jti values per client: the same jti from two clients is two first uses (RFC 7523 §3)', async () => {
      const replay = store(clients.a);
      const jti = randomUUID();
      expect(await replay.consume('client-1', jti, inAMinute())).toBe(true);
      expect(await replay.consume('client-2', jti, inAMinute())).toBe(true);
      expect(await replay.consume('client-2', jti, inAMinute())).toBe(false);
    });

    it('cannot be fooled by a separator: ("a:b", "c") and ("a", "b:c") are different pairs', async () => {
      const replay = store(clients.a);
      expect(await replay.consume('a:b', 'c', inAMinute())).toBe(true);
      expect(await replay.consume('a', 'b:c', inAMinute())).toBe(true);
      expect(await replay.consume('a:b', 'c', inAMinute())).toBe(false);
    });

    it('200 concurrent uses of one assertion spread over two instances: exactly one first use (atomic SET NX)', async () => {
      const first = store(clients.a);
      const second = redisReplayStore({ client: clients.b, prefix });
      const jti = randomUUID();
      const expiresAt = inAMinute();
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? first : second).consume('client-1', jti, expiresAt)),
      );
      expect(results.filter((result) => result === true)).toHaveLength(1);
      expect(results.filter((result) => result === false)).toHaveLength(199);
    });

    it('keeps the record until the expiry the core passes plus the retention margin (PX = expiresAt − now + margin)', async () => {
      const now = Date.now();
      const replay = store(clients.a, { retentionMargin: 15, now: () => now });
      const jti = randomUUID();
      expect(await replay.consume('client-1', jti, now + 60_000)).toBe(true);
      const pttl = await clients.pttl(replayKey(prefix, 'client-1', jti));
      // Redis counts down from 75 000 ms from the moment SET ran.
      expect(pttl).toBeLessThanOrEqual(75_000);
      expect(pttl).toBeGreaterThan(60_000);
    });

    it('gives an assertion already past expiresAt + margin the shortest TTL, 1 ms (PX must be positive)', async () => {
      const replay = store(clients.a, { retentionMargin: 0 });
      const jti = randomUUID();
      expect(await replay.consume('client-1', jti, Date.now() - 3_600_000)).toBe(true);
      expect(await clients.pttl(replayKey(prefix, 'client-1', jti))).toBeLessThanOrEqual(1);
    });

    it('bounds the key length: a 10 KB jti makes a key of prefix + 18-character client tag + 43 characters', async () => {
      const replay = store(clients.a);
      const jti = 'j'.repeat(10 * 1024);
      expect(await replay.consume('client-1', jti, inAMinute())).toBe(true);
      const keys = await clients.keys(`${prefix}*`);
      expect(keys).toHaveLength(1);
      expect(keys[0]).toHaveLength(prefix.length + CLIENT_TAG_LENGTH + DIGEST_LENGTH);
      expect(keys[0]).toBe(replayKey(prefix, 'client-1', jti));
      expect(await replay.consume('client-1', jti, inAMinute())).toBe(false);
    });
  });
}
