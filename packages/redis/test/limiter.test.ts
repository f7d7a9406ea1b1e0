/**
 * redisFailureLimiter against a real Redis (RFC 6749 §2.3.1 brute force): counts shared by two
 * clients standing in for two server instances, the block and its Retry-After through the
 * authenticator, reset, window expiry, bounded keys, ioredis, and fail closed (503) when Redis is
 * unreachable.
 */
import { randomUUID } from 'node:crypto';
import {
  type ClientAuthRequest,
  createClientAuthenticator,
  errorResponse,
  type FailureLimiter,
  OAuthError,
} from '@client-auth/core';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noRedisReason, reportSkip, type SuiteRedis, suiteRedis } from '../../../test/helpers/redis.js';
import {
  failureKeys,
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

async function outcome(
  auth: ReturnType<typeof authenticator>,
  request: ClientAuthRequest,
): Promise<string | OAuthError> {
  try {
    await auth.authenticate(request, { endpoint: 'token' });
    return 'ok';
  } catch (error) {
    if (error instanceof OAuthError) return error;
    throw error;
  }
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
    const [counter, block] = failureKeys(prefix, 'client-1');
    expect(await a.exists(counter)).toBe(0);
    const ttl = await a.pTTL(block);
    expect(ttl).toBeGreaterThan(85_000);
    expect(ttl).toBeLessThanOrEqual(90_000);
  });

  it('resets the count after a success, and forgets failures after the window', async () => {
    const prefix = `test:${randomUUID()}:`;
    const auth = authenticator(redisFailureLimiter({ client: a, prefix, maxFailures: 2, windowSeconds: 1 }));
    await outcome(auth, post('wrong'));
    expect(await outcome(auth, post('right-secret'))).toBe('ok');
    expect(await a.exists(failureKeys(prefix, 'client-1')[0])).toBe(0);
    await outcome(auth, post('wrong'));
    const ttl = await a.pTTL(failureKeys(prefix, 'client-1')[0]);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(1000);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await outcome(auth, post('wrong'));
    // One failure in the new window: not blocked.
    expect(await outcome(auth, post('right-secret'))).toBe('ok');
  });

  it('keys are the prefix, a hash-tagged SHA-256 digest and a suffix, whatever the client_id', () => {
    for (const clientId of ['', 'x', 'c'.repeat(10_000), '{a}:b']) {
      const [counter, block] = failureKeys('p:', clientId);
      expect(counter).toMatch(/^p:\{[A-Za-z0-9_-]{43}\}:f$/);
      expect(block).toBe(counter.replace(/:f$/, ':b'));
    }
  });

  it('works with ioredis through fromIoredis', async () => {
    const shared = limiter(fromIoredis(io), { maxFailures: 2, blockSeconds: 30 });
    await shared.recordFailure('k');
    expect(await shared.blockedFor('k')).toBe(0);
    await shared.recordFailure('k');
    expect(await shared.blockedFor('k')).toBe(30);
    await shared.reset('k');
    expect(await shared.blockedFor('k')).toBe(0);
  });

  it('fails closed: a client that is not connected rejects, and the authenticator answers 503', async () => {
    const closed = createClient(recommendedClientOptions(redis.url));
    closed.on('error', () => {});
    const auth = authenticator(redisFailureLimiter({ client: closed }));
    await expect(redisFailureLimiter({ client: closed }).blockedFor('x')).rejects.toBeInstanceOf(
      RedisFailureLimiterError,
    );
    const refused = (await outcome(auth, post('right-secret'))) as OAuthError;
    expect([refused.status, refused.code]).toEqual([503, 'ERR_FAILURE_LIMITER_UNAVAILABLE']);
  });

  it('fails closed: a Redis that does not answer within the timeout rejects (timeout)', async () => {
    const silent = { eval: () => new Promise<unknown>(() => {}) };
    const error = await redisFailureLimiter({ client: silent, timeout: 50 })
      .blockedFor('x')
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
});
