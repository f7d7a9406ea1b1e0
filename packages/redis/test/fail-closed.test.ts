/**
 * Fail closed, recover alone: with Redis stopped or frozen, `consume` rejects within about the
 * timeout and never resolves `true`; once Redis is back, the same client objects and the same store
 * work again. These tests stop and restart a redis-server of their own.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, noOwnRedisReason, OwnRedisServer, reportSkip } from '../../../test/helpers/redis.js';
import { fromIoredis, RedisReplayStoreError, recommendedClientOptions, redisReplayStore } from '../src/index.js';

reportSkip(noOwnRedisReason);

const HANG = Symbol('hang');
const inAMinute = () => Date.now() + 60_000;

/** Settle `promise`, or report HANG when it is still pending after `ms` (far above the store's timeout). */
function settleWithin<T>(promise: Promise<T>, ms = 5000): Promise<{ value?: T; error?: unknown } | typeof HANG> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(HANG), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve({ value });
      },
      (error: unknown) => {
        clearTimeout(timer);
        resolve({ error });
      },
    );
  });
}

async function expectRejection(promise: Promise<boolean>, reasons: string[]): Promise<void> {
  const outcome = await settleWithin(promise);
  expect(outcome, 'consume must not hang while Redis is down').not.toBe(HANG);
  if (outcome === HANG) return;
  expect(outcome.value, 'consume must never resolve while Redis is down').toBeUndefined();
  expect(outcome.error).toBeInstanceOf(RedisReplayStoreError);
  expect(reasons).toContain((outcome.error as RedisReplayStoreError).reason);
}

describe.skipIf(noOwnRedisReason !== undefined)('fail closed with Redis down, recover when it returns', () => {
  let server: OwnRedisServer;
  const errors: string[] = [];
  let recommended: ReturnType<typeof createClient>;
  let defaults: ReturnType<typeof createClient>;
  let ioredis: Redis;

  beforeAll(async () => {
    server = await OwnRedisServer.start();
    // Two node-redis instances: the recommended options, and node-redis's defaults (offline queue on).
    recommended = createClient(recommendedClientOptions(server.url));
    defaults = createClient({ url: server.url });
    ioredis = new Redis(server.url, { lazyConnect: true });
    for (const client of [recommended, defaults, ioredis]) client.on('error', (e: Error) => errors.push(e.message));
    await Promise.all([recommended.connect(), defaults.connect(), ioredis.connect()]);
  });
  afterAll(async () => {
    recommended?.destroy();
    defaults?.destroy();
    ioredis?.disconnect();
    await server?.close();
  });

  const flavours = () => [
    { name: 'node-redis, recommended options', store: redisReplayStore({ client: recommended, timeout: 200 }) },
    { name: 'node-redis, default options', store: redisReplayStore({ client: defaults, timeout: 200 }) },
    { name: 'ioredis (default options)', store: redisReplayStore({ client: fromIoredis(ioredis), timeout: 200 }) },
  ];

  it('works while Redis is up', async () => {
    for (const { store } of flavours()) expect(await store.consume('client-1', randomUUID(), inAMinute())).toBe(true);
  });

  it('rejects, and never resolves true, when Redis does not answer within the timeout (SIGSTOP)', async () => {
    const stores = flavours();
    server.pause();
    try {
      for (const { store } of stores)
        await expectRejection(store.consume('client-1', randomUUID(), inAMinute()), ['timeout']);
    } finally {
      server.resume();
    }
    // Answers flow again on the same connections.
    for (const { store } of stores) {
      expect(
        await eventually(async () => store.consume('client-1', randomUUID(), inAMinute()).catch(() => false)),
      ).toBe(true);
    }
  });

  it('rejects every consume while Redis is stopped, then works again with the same clients and stores', async () => {
    const stores = flavours();
    await server.stop();
    // Commands in flight when the socket closes and commands sent while reconnecting both fail.
    for (let round = 0; round < 5; round += 1) {
      for (const { store } of stores) {
        await expectRejection(store.consume('client-1', randomUUID(), inAMinute()), [
          'not_ready',
          'command_failed',
          'timeout',
        ]);
      }
    }
    expect(errors.length).toBeGreaterThan(0);

    await server.restart();
    for (const { name, store } of stores) {
      const recovered = await eventually(async () =>
        store.consume('client-1', randomUUID(), inAMinute()).then(
          (first) => first,
          () => false,
        ),
      );
      expect(recovered, `${name} recovers without a restart`).toBe(true);
      // And it is a replay store again: the same pair twice is a replay.
      const jti = randomUUID();
      expect(await store.consume('client-1', jti, inAMinute())).toBe(true);
      expect(await store.consume('client-1', jti, inAMinute())).toBe(false);
    }
  });

  it('rejects at once on a client that was closed', async () => {
    const client = createClient(recommendedClientOptions(server.url));
    client.on('error', () => {});
    await client.connect();
    const store = redisReplayStore({ client });
    expect(await store.consume('client-1', randomUUID(), inAMinute())).toBe(true);
    client.destroy();
    await expectRejection(store.consume('client-1', randomUUID(), inAMinute()), ['not_ready']);
  });
});
