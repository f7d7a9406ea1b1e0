/**
 * redisFailureLimiter against a real Redis (RFC 6749 §2.3.1 brute force): counts shared by two
 * clients standing in for two server instances, the block and its Retry-After through the
 * authenticator, atomic reservations under real concurrency, no reset on success, window expiry,
 * leases of attempts that were never settled, bounded keys, ioredis, the eviction-policy check,
 * and fail closed (503) when Redis is unreachable or full.
 */
import { randomUUID } from 'node:crypto';
import {
  type ClientAuthRequest,
  createClientAuthenticator,
  errorResponse,
  type FailureLimiter,
  failureLimiterKey,
  hashSecret,
  type OAuthError,
  verifySecretHash,
} from '@client-auth/core';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outcome } from '../../../test/helpers/outcome.js';
import { noRedisReason, reportSkip, type SuiteRedis, suiteRedis } from '../../../test/helpers/redis.js';
import {
  failureKeys,
  failureLimiterEvictionCheck,
  fromIoredis,
  RedisFailureLimiterError,
  type RedisFailureLimiterOptions,
  recommendedClientOptions,
  redisFailureLimiter,
} from '../src/index.js';

reportSkip(noRedisReason);

const post = (secret: string): ClientAuthRequest => ({
  headers: {},
  body: { client_id: ['client-1'], client_secret: [secret] },
  secure: true,
});

function authenticator(failureLimiter: FailureLimiter) {
  return createClientAuthenticator({
    issuer: 'https://as.example.com',
    getClient: (id) =>
      id === 'client-1'
        ? { client_id: id, client_secret: 'right-secret', token_endpoint_auth_method: 'client_secret_post' }
        : undefined,
    failureLimiter,
  });
}

describe.skipIf(noRedisReason !== undefined)('redisFailureLimiter against a real Redis', () => {
  let redis: SuiteRedis;
  let a: ReturnType<typeof createClient>;
  let b: ReturnType<typeof createClient>;
  let io: Redis;
  beforeAll(async () => {
    redis = await suiteRedis();
    a = createClient(recommendedClientOptions(redis.url));
    b = createClient(recommendedClientOptions(redis.url));
    io = new Redis(redis.url, { lazyConnect: true, enableOfflineQueue: false });
    for (const client of [a, b, io]) client.on('error', () => {});
    await Promise.all([a.connect(), b.connect(), io.connect()]);
  });
  afterAll(async () => {
    a?.destroy();
    b?.destroy();
    io?.disconnect();
    await redis?.close();
  });
  const limiter = (client: RedisFailureLimiterOptions['client'], options: Partial<RedisFailureLimiterOptions> = {}) =>
    redisFailureLimiter({ client, prefix: `test:${randomUUID()}:`, ...options });

  it('two instances share the count: the third failure across them blocks with 429 and Retry-After (RFC 6749 §2.3.1)', async () => {
    const prefix = `test:${randomUUID()}:`;
    const one = authenticator(redisFailureLimiter({ client: a, prefix, maxFailures: 3, blockSeconds: 90 }));
    const two = authenticator(redisFailureLimiter({ client: b, prefix, maxFailures: 3, blockSeconds: 90 }));
    expect(((await outcome(one, post('wrong-1'))) as OAuthError).code).toBe('ERR_SECRET_MISMATCH');
    expect(((await outcome(two, post('wrong-2'))) as OAuthError).code).toBe('ERR_SECRET_MISMATCH');
    expect(((await outcome(one, post('wrong-3'))) as OAuthError).code).toBe('ERR_SECRET_MISMATCH');
    const blocked = (await outcome(two, post('right-secret'))) as OAuthError;
    expect([blocked.status, blocked.error, blocked.code]).toEqual([429, 'invalid_client', 'ERR_TOO_MANY_FAILURES']);
    expect(errorResponse(blocked).headers['retry-after']).toBe('90');
    // No peer address in these requests: the key is the client_id's.
    const [counter, block] = failureKeys(prefix, failureLimiterKey('client-1'));
    expect(await a.exists(counter)).toBe(0);
    const ttl = await a.pTTL(block);
    expect(ttl).toBeGreaterThan(85_000);
    expect(ttl).toBeLessThanOrEqual(90_000);
  });

  it('keeps the count after a success (a success is not a reset), and forgets failures after the window', async () => {
    const prefix = `test:${randomUUID()}:`;
    const auth = authenticator(redisFailureLimiter({ client: a, prefix, maxFailures: 3, windowSeconds: 1 }));
    const [counter, , inFlight] = failureKeys(prefix, failureLimiterKey('client-1'));
    await outcome(auth, post('wrong'));
    expect(await outcome(auth, post('right-secret'))).toBe('ok');
    expect(await a.get(counter)).toBe('1');
    // The success released its own reservation.
    expect(await a.zCard(inFlight)).toBe(0);
    await outcome(auth, post('wrong'));
    const ttl = await a.pTTL(counter);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(1000);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await outcome(auth, post('wrong'));
    // One failure in the new window: not blocked.
    expect(await outcome(auth, post('right-secret'))).toBe('ok');
  });

  it('keys are the prefix, a hash-tagged SHA-256 digest and a suffix, whatever the client_id', () => {
    for (const clientId of ['', 'x', 'c'.repeat(10_000), '{a}:b']) {
      const [counter, block, inFlight] = failureKeys('p:', clientId);
      expect(counter).toMatch(/^p:\{[A-Za-z0-9_-]{43}\}:f$/);
      expect(block).toBe(counter.replace(/:f$/, ':b'));
      expect(inFlight).toBe(counter.replace(/:f$/, ':r'));
    }
  });

  it('reserves atomically across instances: of 80 concurrent attempts on two clients only maxFailures are allowed (RFC 6749 §2.3.1)', async () => {
    const prefix = `test:${randomUUID()}:`;
    const one = redisFailureLimiter({ client: a, prefix, maxFailures: 5 });
    const two = redisFailureLimiter({ client: b, prefix, maxFailures: 5 });
    const waits = await Promise.all(Array.from({ length: 80 }, (_, i) => (i % 2 === 0 ? one : two).attempt('k')));
    expect(waits.filter((wait) => wait === 0)).toHaveLength(5);
    expect(waits.filter((wait) => wait === 1)).toHaveLength(75);
    // Three of them fail, two succeed: three failures stay, nothing is in flight.
    await Promise.all([one.failed('k'), two.failed('k'), one.failed('k'), two.succeeded('k'), one.succeeded('k')]);
    expect(await a.get(failureKeys(prefix, 'k')[0])).toBe('3');
    expect(await a.zCard(failureKeys(prefix, 'k')[2])).toBe(0);
    const again = await Promise.all([one.attempt('k'), two.attempt('k'), one.attempt('k')]);
    expect(again.sort()).toEqual([0, 0, 1]);
  });

  it('80 concurrent guesses (79 wrong, 1 right) at two instances, hashed secret, maxFailures 5: at most 5 verifications', async () => {
    const prefix = `test:${randomUUID()}:`;
    const hash = `custom:${await hashSecret('right-secret', { ln: 10 })}`;
    let verifications = 0;
    const make = (client: RedisFailureLimiterOptions['client']) =>
      createClientAuthenticator({
        issuer: 'https://as.example.com',
        getClient: (id) =>
          id === 'client-1'
            ? { client_id: id, client_secrets: [{ hash }], token_endpoint_auth_method: 'client_secret_post' }
            : undefined,
        secrets: {
          verifyHash: (stored, secret) => {
            verifications++;
            return verifySecretHash(stored.slice('custom:'.length), secret);
          },
        },
        failureLimiter: redisFailureLimiter({ client, prefix, maxFailures: 5 }),
      });
    const [one, two] = [make(a), make(b)];
    const secrets = [...Array.from({ length: 79 }, (_, i) => `wrong-${i}`), 'right-secret'];
    const results = await Promise.all(secrets.map((secret, i) => outcome(i % 2 === 0 ? one : two, post(secret))));
    expect(verifications).toBeLessThanOrEqual(5);
    const unchecked = results.filter((result) => typeof result !== 'string' && result.code === 'ERR_TOO_MANY_FAILURES');
    expect(unchecked.length).toBeGreaterThanOrEqual(75);
    for (const result of unchecked) expect((result as OAuthError).status).toBe(429);
  });

  it('an attempt never settled (its server died) stops counting after its lease of one window', async () => {
    const shared = limiter(a, { maxFailures: 1, windowSeconds: 1 });
    expect(await shared.attempt('k')).toBe(0);
    expect(await shared.attempt('k')).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await shared.attempt('k')).toBe(0);
  });

  it('a failure recorded while the key is blocked does not extend the block (a reservation from before it)', async () => {
    const prefix = `test:${randomUUID()}:`;
    const shared = redisFailureLimiter({ client: a, prefix, maxFailures: 2, blockSeconds: 100 });
    for (let i = 0; i < 2; i++) {
      expect(await shared.attempt('k')).toBe(0);
      await shared.failed('k');
    }
    const [counter, block] = failureKeys(prefix, 'k');
    const ttl = await a.pTTL(block);
    await shared.failed('k');
    expect(await a.pTTL(block)).toBeLessThanOrEqual(ttl);
    expect(await a.exists(counter)).toBe(0);
  });

  it('works with ioredis through fromIoredis', async () => {
    const shared = limiter(fromIoredis(io), { maxFailures: 2, blockSeconds: 30 });
    expect(await shared.attempt('k')).toBe(0);
    await shared.failed('k');
    expect(await shared.attempt('k')).toBe(0);
    await shared.succeeded('k');
    expect(await shared.attempt('k')).toBe(0);
    await shared.failed('k');
    expect(await shared.attempt('k')).toBe(30);
    expect((await failureLimiterEvictionCheck(fromIoredis(io))).policy).toMatch(/\S/);
  });

  it('fails closed: a client that is not connected rejects, and the authenticator answers 503', async () => {
    const closed = createClient(recommendedClientOptions(redis.url));
    closed.on('error', () => {});
    const auth = authenticator(redisFailureLimiter({ client: closed }));
    await expect(redisFailureLimiter({ client: closed }).attempt('x')).rejects.toBeInstanceOf(RedisFailureLimiterError);
    const refused = (await outcome(auth, post('right-secret'))) as OAuthError;
    expect([refused.status, refused.code]).toEqual([503, 'ERR_FAILURE_LIMITER_UNAVAILABLE']);
  });

  it('fails closed: a Redis that does not answer within the timeout rejects (timeout)', async () => {
    const silent = { eval: () => new Promise<unknown>(() => {}) };
    const error = await redisFailureLimiter({ client: silent, timeout: 50 })
      .attempt('x')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedisFailureLimiterError);
    expect((error as RedisFailureLimiterError).reason).toBe('timeout');
  });

  it('refuses bad options at setup with a TypeError', () => {
    // @ts-expect-error no client
    expect(() => redisFailureLimiter({})).toThrow(TypeError);
    expect(() => redisFailureLimiter({ client: a, maxFailures: 0 })).toThrow(TypeError);
    expect(() => redisFailureLimiter({ client: a, prefix: 'p'.repeat(257) })).toThrow(TypeError);
  });

  it('refuses an unknown or misspelled option at setup (a lost maxFailures would leave RFC 6749 §2.3.1 brute-force protection at its default)', () => {
    // @ts-expect-error not an option
    expect(() => redisFailureLimiter({ client: a, maxFailure: 3 })).toThrow(TypeError);
    // @ts-expect-error not an option
    expect(() => redisFailureLimiter({ client: a, maxFailure: 3 })).toThrow(
      "client-auth redis: redisFailureLimiter(): unknown option 'maxFailure' (did you mean 'maxFailures'?)",
    );
    expect(() =>
      redisFailureLimiter({
        client: a,
        prefix: 'p:',
        maxFailures: 3,
        windowSeconds: 60,
        blockSeconds: 60,
        timeout: 100,
      }),
    ).not.toThrow();
  });
});
