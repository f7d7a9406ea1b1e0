/**
 * `waitForReplicas` on one primary with one replica (no cluster), ports 7120 and 7121: node-redis
 * `createClient()` pipelines the WAIT behind the SET on its one connection, `fromIoredis` sends
 * both in one pipeline. An acknowledged record is accepted; a frozen replica, or more replicas
 * asked for than exist, fails closed with `replicas_unacknowledged`.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, noOwnRedisReason, OwnRedisServer, reportSkip } from '../../../test/helpers/redis.js';
import {
  fromIoredis,
  RedisReplayStoreError,
  type RedisSetClient,
  recommendedClientOptions,
  redisReplayStore,
} from '../src/index.js';

reportSkip(noOwnRedisReason);

const PRIMARY_PORT = 7120;
const REPLICA_PORT = 7121;
const inAMinute = () => Date.now() + 60_000;

async function reason(promise: Promise<boolean>): Promise<string | boolean> {
  return promise.then(
    (value) => value,
    (error: unknown) => (error instanceof RedisReplayStoreError ? error.reason : String(error)),
  );
}

describe.skipIf(noOwnRedisReason !== undefined)('waitForReplicas on a primary with one replica', () => {
  let primary: OwnRedisServer;
  let replica: OwnRedisServer;
  let nodeRedis: ReturnType<typeof createClient>;
  let ioredis: Redis;

  beforeAll(async () => {
    primary = await OwnRedisServer.startOn(PRIMARY_PORT, []);
    replica = await OwnRedisServer.startOn(REPLICA_PORT, ['--replicaof', '127.0.0.1', String(PRIMARY_PORT)]);
    nodeRedis = createClient(recommendedClientOptions(primary.url));
    nodeRedis.on('error', () => {});
    ioredis = new Redis(primary.url, { lazyConnect: true, enableOfflineQueue: false });
    ioredis.on('error', () => {});
    await Promise.all([nodeRedis.connect(), ioredis.connect()]);
    const linked = await eventually(async () =>
      String(await nodeRedis.sendCommand(['INFO', 'replication'])).includes('state=online'),
    );
    if (!linked) throw new Error('the replica did not connect to the primary');
  });
  afterAll(async () => {
    nodeRedis?.destroy();
    ioredis?.disconnect();
    await replica?.close();
    await primary?.close();
  });

  const flavours: Array<[string, () => RedisSetClient]> = [
    ['node-redis createClient()', () => nodeRedis],
    ['ioredis (fromIoredis)', () => fromIoredis(ioredis)],
  ];

  for (const [name, client] of flavours) {
    it(`${name}: accepts a first use once the replica acknowledged it, refuses the replay`, async () => {
      const store = redisReplayStore({
        client: client(),
        prefix: `test:${randomUUID()}:`,
        waitForReplicas: { replicas: 1, timeoutMs: 150 },
      });
      const jti = randomUUID();
      expect(await store.consume('client-1', jti, inAMinute())).toBe(true);
      expect(await store.consume('client-1', jti, inAMinute())).toBe(false);
    });

    it(`${name}: more replicas asked for than exist fails closed (replicas_unacknowledged), the jti spent`, async () => {
      const store = redisReplayStore({
        client: client(),
        prefix: `test:${randomUUID()}:`,
        waitForReplicas: { replicas: 2, timeoutMs: 50 },
      });
      const jti = randomUUID();
      expect(await reason(store.consume('client-1', jti, inAMinute()))).toBe('replicas_unacknowledged');
      expect(await reason(store.consume('client-1', jti, inAMinute()))).toBe(false);
    });

    it(`${name}: a frozen replica fails closed (replicas_unacknowledged), service returns with it`, async () => {
      const store = redisReplayStore({
        client: client(),
        prefix: `test:${randomUUID()}:`,
        timeout: 500,
        waitForReplicas: { replicas: 1, timeoutMs: 100 },
      });
      replica.pause();
      let frozen: string | boolean;
      try {
        frozen = await reason(store.consume('client-1', randomUUID(), inAMinute()));
      } finally {
        replica.resume();
      }
      expect(frozen).toBe('replicas_unacknowledged');
      expect(
        await eventually(async () => (await reason(store.consume('client-1', randomUUID(), inAMinute()))) === true),
      ).toBe(true);
    });
  }
});
