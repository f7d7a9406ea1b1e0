/**
 * The replay store and the failure limiter on a real Redis Cluster (three primaries, three
 * replicas, started here on ports 7100–7105), through node-redis 5 `createCluster()` and ioredis
 * `Cluster`: single-slot keys, one first use across instances, a shared failure count, WAIT for
 * replicas (and its timeout failing closed), failing closed on CLUSTERDOWN and a dead primary, and
 * recovering without new client objects.
 */
import { randomUUID } from 'node:crypto';
import { failureLimiterKey } from '@client-auth/core';
import { Cluster } from 'ioredis';
import { createCluster } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../../test/helpers/example-server.js';
import { eventually, reportSkip } from '../../../test/helpers/redis.js';
import { noClusterReason, OwnRedisCluster } from '../../../test/helpers/redis-cluster.js';
import {
  failureKeys,
  fromIoredis,
  type RedisEvalClient,
  RedisFailureLimiterError,
  RedisReplayStoreError,
  type RedisSetClient,
  recommendedClusterOptions,
  redisFailureLimiter,
  redisReplayStore,
  replayKey,
  type WaitForReplicasOptions,
} from '../src/index.js';

reportSkip(noClusterReason);

const BASE_PORT = 7100;
const inAMinute = () => Date.now() + 60_000;
const WAIT: WaitForReplicasOptions = { replicas: 1, timeoutMs: 150 };
const TIMEOUT = 500;

type Client = RedisSetClient & RedisEvalClient;
interface Flavour {
  name: string;
  connect(seeds: string[]): Promise<{ client: Client; close(): Promise<void> }>;
}

const flavours: Flavour[] = [
  {
    name: 'node-redis 5 createCluster()',
    async connect(seeds) {
      const cluster = createCluster(recommendedClusterOptions(seeds));
      cluster.on('error', () => {});
      await cluster.connect();
      return { client: cluster, close: async () => cluster.destroy() };
    },
  },
  {
    name: 'ioredis 5 Cluster (fromIoredis)',
    async connect(seeds) {
      const cluster = new Cluster(
        seeds.map((seed) => ({ host: '127.0.0.1', port: Number(seed.split(':')[1]) })),
        { enableOfflineQueue: false },
      );
      cluster.on('error', () => {});
      await new Promise<void>((resolve, reject) => {
        cluster.once('ready', resolve);
        cluster.once('end', () => reject(new Error('ioredis cluster ended')));
      });
      return { client: fromIoredis(cluster), close: async () => cluster.disconnect() };
    },
  },
];

/** `EXISTS key` read on a replica (READONLY): 1 when the replica holds it. */
async function existsOnReplica(port: number, key: string): Promise<number> {
  const { stdout } = await run('redis-cli', ['-p', String(port)], `READONLY\nEXISTS ${key}\n`);
  return Number(stdout.trim().split('\n').at(-1));
}

/** Settle `promise` and report how, so that a test can say what it expected of each case. */
async function outcome(promise: Promise<boolean>): Promise<boolean | string> {
  return promise.then(
    (value) => value,
    (error: unknown) =>
      error instanceof RedisReplayStoreError ? `rejected:${error.reason}` : `other:${String(error)}`,
  );
}

describe.skipIf(noClusterReason !== undefined)('on a real Redis Cluster (3 primaries, 3 replicas)', () => {
  let cluster: OwnRedisCluster;
  const closers: Array<() => Promise<void>> = [];
  const seeds = () => cluster.nodes.map((node) => `127.0.0.1:${node.port}`);

  beforeAll(async () => {
    cluster = await OwnRedisCluster.start(BASE_PORT);
  });
  afterAll(async () => {
    for (const close of closers) await close();
    await cluster?.close();
  });

  it('puts every replay key of a client in one slot and spreads clients over slots (Redis Cluster spec, hash tags)', async () => {
    const slotsOfClients = new Set<number>();
    for (let i = 0; i < 12; i += 1) {
      const clientId = `client-${i}`;
      const slots = new Set<number>();
      for (const jti of ['a', 'b', '{c}', 'j'.repeat(300), randomUUID()])
        slots.add(await cluster.keySlot(replayKey('client-auth:jti:', clientId, jti)));
      expect(slots.size, `all keys of ${clientId} in one slot`).toBe(1);
      slotsOfClients.add([...slots][0] as number);
    }
    expect(slotsOfClients.size, 'twelve clients, twelve slots').toBe(12);
  });

  it('puts the three keys of a limiter key in one slot, so that each limiter script touches one slot', async () => {
    for (const key of [failureLimiterKey('client-1'), failureLimiterKey('client-1', '192.0.2.7')]) {
      const slots = new Set(await Promise.all(failureKeys('client-auth:fail:', key).map((k) => cluster.keySlot(k))));
      expect(slots.size).toBe(1);
    }
  });

  for (const flavour of flavours) {
    describe(flavour.name, () => {
      let a: Client;
      let b: Client;

      beforeAll(async () => {
        const [one, two] = await Promise.all([flavour.connect(seeds()), flavour.connect(seeds())]);
        closers.push(one.close, two.close);
        a = one.client;
        b = two.client;
      });

      it('200 concurrent uses of one assertion over two instances: exactly one first use (OpenID Connect Core §9 jti "MUST only be used once")', async () => {
        const prefix = `test:${randomUUID()}:`;
        const stores = [a, b].map((client) => redisReplayStore({ client, prefix, timeout: 2000 }));
        for (const clientId of ['client-1', 'client-2', 'client-3']) {
          const jti = randomUUID();
          const results = await Promise.all(
            Array.from({ length: 200 }, (_, i) => stores[i % 2]?.consume(clientId, jti, inAMinute())),
          );
          expect(results.filter((result) => result === true)).toHaveLength(1);
          expect(results.filter((result) => result === false)).toHaveLength(199);
        }
      });

      it('counts failures of a key together across instances and blocks on both (RFC 6749 §2.3.1 brute force)', async () => {
        const prefix = `test:${randomUUID()}:`;
        const [one, two] = [a, b].map((client) =>
          redisFailureLimiter({ client, prefix, maxFailures: 3, blockSeconds: 60, timeout: 2000 }),
        );
        const key = failureLimiterKey(`client-${randomUUID()}`);
        for (const limiter of [one, two, one]) {
          expect(await limiter?.attempt(key)).toBe(0);
          await limiter?.failed(key);
        }
        expect(await one?.attempt(key)).toBeGreaterThan(0);
        expect(await two?.attempt(key)).toBeGreaterThan(0);
      });

      it('with waitForReplicas, accepts once a replica holds the record (WAIT on the primary of the key)', async () => {
        const store = redisReplayStore({
          client: a,
          prefix: `test:${randomUUID()}:`,
          timeout: TIMEOUT,
          waitForReplicas: WAIT,
        });
        const jti = randomUUID();
        expect(await store.consume('client-1', jti, inAMinute())).toBe(true);
        expect(await store.consume('client-1', jti, inAMinute())).toBe(false);
      });

      it('with waitForReplicas and the replica frozen, refuses (fail closed, reason replicas_unacknowledged) within the timeout, then works again', async () => {
        const prefix = `test:${randomUUID()}:`;
        const store = redisReplayStore({ client: a, prefix, timeout: TIMEOUT, waitForReplicas: WAIT });
        const { replica } = await cluster.shardOf(replayKey(prefix, 'client-1', 'x'));
        const node = cluster.node(replica.port);
        node.pause();
        let frozen: boolean | string;
        const jti = randomUUID();
        try {
          frozen = await outcome(store.consume('client-1', jti, inAMinute()));
        } finally {
          node.resume();
        }
        expect(frozen).toBe('rejected:replicas_unacknowledged');
        // The primary kept the record: the assertion is spent, never accepted later.
        expect(await outcome(store.consume('client-1', jti, inAMinute()))).toBe(false);
        expect(await cluster.healthy()).toBe(true);
        expect(
          await eventually(async () => (await outcome(store.consume('client-1', randomUUID(), inAMinute()))) === true),
        ).toBe(true);
      });
    });
  }

  for (const flavour of flavours) {
    it(`a jti acknowledged by WAIT survives killing its primary: refused as a replay during the outage and after it, fresh ones rejected (503) until the shard has a replica again, then accepted (${flavour.name})`, async () => {
      const { client, close } = await flavour.connect(seeds());
      closers.push(close);
      const prefix = `test:${randomUUID()}:`;
      const store = redisReplayStore({ client, prefix, timeout: TIMEOUT, waitForReplicas: WAIT });
      const jti = randomUUID();
      const { primary, replica } = await cluster.shardOf(replayKey(prefix, 'client-1', jti));
      expect(await store.consume('client-1', jti, inAMinute())).toBe(true);
      expect(await existsOnReplica(replica.port, replayKey(prefix, 'client-1', jti))).toBe(1);
      const dead = cluster.node(primary.port);
      await dead.stop();
      const replays = new Set<boolean | string>();
      const fresh = new Set<boolean | string>();
      try {
        // Until the replica is promoted, and after it while the shard has no replica for WAIT 1.
        const promoted = await eventually(async () => {
          replays.add(await outcome(store.consume('client-1', jti, inAMinute())));
          fresh.add(await outcome(store.consume('client-1', randomUUID(), inAMinute())));
          return (await cluster.topology()).some((node) => node.port === replica.port && node.role === 'master');
        }, 20_000);
        expect(promoted).toBe(true);
      } finally {
        // The old primary comes back as a replica of the promoted one.
        await dead.restart();
      }
      expect(await cluster.healthy(30_000)).toBe(true);
      expect(replays.has(true), 'the replay is never accepted').toBe(false);
      expect(fresh.has(true), 'nothing is accepted without a replica to acknowledge it').toBe(false);
      for (const result of [...replays, ...fresh]) expect(String(result)).toMatch(/^(false|rejected:)/);
      expect(
        await eventually(async () => (await outcome(store.consume('client-1', randomUUID(), inAMinute()))) === true),
      ).toBe(true);
      expect(await store.consume('client-1', jti, inAMinute())).toBe(false);
    });
  }

  it('fails closed on an ASK/MOVED loop (a slot MIGRATING to a node that does not import it), bounded, and recovers once the slot is STABLE (both clients, with and without WAIT)', async () => {
    const prefix = `test:${randomUUID()}:`;
    const clients = await Promise.all(flavours.map((flavour) => flavour.connect(seeds())));
    for (const { close } of clients) closers.push(close);
    const stores = clients.flatMap(({ client }) => [
      redisReplayStore({ client, prefix, timeout: TIMEOUT }),
      redisReplayStore({ client, prefix, timeout: TIMEOUT, waitForReplicas: WAIT }),
    ]);
    const recorded = randomUUID();
    expect(await stores[0]?.consume('client-1', recorded, inAMinute())).toBe(true);
    const key = replayKey(prefix, 'client-1', recorded);
    const slot = await cluster.keySlot(key);
    const { primary } = await cluster.shardOf(key);
    const other = (await cluster.topology()).find((node) => node.role === 'master' && node.id !== primary.id);
    // The source sends every missing key of the slot to the target (ASK), which does not import
    // the slot and sends it back (MOVED): a redirect storm until the client gives up.
    await cluster.command(primary.port, 'CLUSTER', 'SETSLOT', String(slot), 'MIGRATING', other?.id as string);
    try {
      for (const store of stores) {
        const started = Date.now();
        const fresh = await outcome(store.consume('client-1', randomUUID(), inAMinute()));
        expect(fresh, 'a first use is never accepted during the storm').toMatch(/^rejected:(command_failed|timeout)$/);
        expect(Date.now() - started, 'no hang: the store timeout bounds it').toBeLessThan(5000);
        // A key the source still holds is answered there: the replay is refused as ever.
        expect(await outcome(store.consume('client-1', recorded, inAMinute()))).toBe(false);
      }
    } finally {
      await cluster.command(primary.port, 'CLUSTER', 'SETSLOT', String(slot), 'STABLE');
    }
    for (const store of stores) {
      expect(
        await eventually(async () => (await outcome(store.consume('client-1', randomUUID(), inAMinute()))) === true),
      ).toBe(true);
    }
  });

  it('fails closed on CLUSTERDOWN (a primary dead and no failover) on every slot and recovers once it is back, with the same client objects (node-redis and ioredis)', async () => {
    const prefix = `test:${randomUUID()}:`;
    const clients = await Promise.all(flavours.map((flavour) => flavour.connect(seeds())));
    for (const { close } of clients) closers.push(close);
    const stores = clients.map(({ client }) => redisReplayStore({ client, prefix, timeout: TIMEOUT }));
    const limiters = clients.map(({ client }) => redisFailureLimiter({ client, prefix, timeout: TIMEOUT }));
    const { primary, replica } = await cluster.shardOf(replayKey(prefix, 'client-1', 'x'));
    await cluster.command(replica.port, 'CONFIG', 'SET', 'cluster-replica-no-failover', 'yes');
    const dead = cluster.node(primary.port);
    await dead.stop();
    try {
      // Once the other nodes mark it failed, the whole cluster answers CLUSTERDOWN.
      expect(
        await eventually(async () =>
          (await cluster.command(replica.port, 'CLUSTER', 'INFO')).includes('cluster_state:fail'),
        ),
      ).toBe(true);
      for (const store of stores) {
        for (const clientId of ['client-1', 'client-2', 'client-3', 'client-4']) {
          const started = Date.now();
          const result = await outcome(store.consume(clientId, randomUUID(), inAMinute()));
          expect(result, `${clientId}: no first use while the cluster is down`).toMatch(/^rejected:/);
          expect(Date.now() - started, 'no hang: the store timeout bounds it').toBeLessThan(5000);
        }
      }
      for (const limiter of limiters) {
        const error = await limiter.attempt(failureLimiterKey('client-1')).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error, 'the limiter refuses too (the core answers 503)').toBeInstanceOf(RedisFailureLimiterError);
      }
    } finally {
      await dead.restart();
      await cluster.command(replica.port, 'CONFIG', 'SET', 'cluster-replica-no-failover', 'no');
    }
    expect(await cluster.healthy(30_000)).toBe(true);
    for (const store of stores) {
      expect(
        await eventually(async () => (await outcome(store.consume('client-1', randomUUID(), inAMinute()))) === true),
      ).toBe(true);
    }
  });
});
