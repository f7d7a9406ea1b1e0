/**
 * The cost of `waitForReplicas` (issue 19): latency of one `redisReplayStore.consume` (a first use)
 * on a local Redis Cluster of three primaries and three replicas (ports 7190–7195, started here),
 * without and with `WAIT 1`, through node-redis `createCluster()` and ioredis `Cluster`. Calls are
 * sequential, one at a time, and the two stores alternate call by call so that both see the same
 * machine. Not a timed test: figures to read.
 *
 *   pnpm bench -- --redis-wait            (or: tsx --conditions=source bench/redis-wait.ts)
 *   pnpm bench -- --redis-wait --quick    (fewer calls)
 */
import { randomUUID } from 'node:crypto';
import { fromIoredis, type RedisSetClient, recommendedClusterOptions, redisReplayStore } from '@client-auth/redis';
import { Cluster } from 'ioredis';
import { createCluster } from 'redis';
import { noClusterReason, OwnRedisCluster } from '../test/helpers/redis-cluster.js';

const BASE_PORT = 7190;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

const us = (ns: number) => (ns / 1000).toFixed(0);

export interface RedisWaitRow {
  client: string;
  calls: number;
  withoutP50Us: number;
  withoutP99Us: number;
  withP50Us: number;
  withP99Us: number;
}

async function measure(name: string, client: RedisSetClient, calls: number): Promise<RedisWaitRow> {
  const plain = redisReplayStore({ client, prefix: `bench:${randomUUID()}:`, timeout: 2000 });
  const waiting = redisReplayStore({
    client,
    prefix: `bench:${randomUUID()}:`,
    timeout: 2000,
    waitForReplicas: { replicas: 1, timeoutMs: 1000 },
  });
  const times = { plain: [] as number[], waiting: [] as number[] };
  const expiresAt = Date.now() + 600_000;
  const warmup = Math.min(200, calls / 5);
  for (let i = 0; i < calls + warmup; i += 1) {
    // Spread over clients (and so over slots and primaries), as real traffic is.
    const clientId = `client-${i % 64}`;
    for (const [store, into] of [
      [plain, times.plain],
      [waiting, times.waiting],
    ] as const) {
      const started = process.hrtime.bigint();
      if ((await store.consume(clientId, randomUUID(), expiresAt)) !== true) throw new Error('a first use was refused');
      if (i >= warmup) into.push(Number(process.hrtime.bigint() - started));
    }
  }
  const plainSorted = times.plain.sort((a, b) => a - b);
  const waitingSorted = times.waiting.sort((a, b) => a - b);
  return {
    client: name,
    calls,
    withoutP50Us: Number(us(percentile(plainSorted, 50))),
    withoutP99Us: Number(us(percentile(plainSorted, 99))),
    withP50Us: Number(us(percentile(waitingSorted, 50))),
    withP99Us: Number(us(percentile(waitingSorted, 99))),
  };
}

/** Start the cluster, measure both clients, print a table; the rows, or undefined when skipped. */
export async function runRedisWait(quick: boolean): Promise<RedisWaitRow[] | undefined> {
  if (noClusterReason !== undefined) {
    console.log(`redis-wait: skipped: ${noClusterReason}`);
    return undefined;
  }
  const calls = quick ? 500 : 3000;
  const cluster = await OwnRedisCluster.start(BASE_PORT);
  const seeds = cluster.nodes.map((node) => `127.0.0.1:${node.port}`);
  const nodeRedis = createCluster(recommendedClusterOptions(seeds));
  nodeRedis.on('error', () => {});
  const ioredis = new Cluster(
    cluster.nodes.map((node) => ({ host: '127.0.0.1', port: node.port })),
    { enableOfflineQueue: false },
  );
  ioredis.on('error', () => {});
  try {
    await nodeRedis.connect();
    await new Promise<void>((resolve) => ioredis.once('ready', () => resolve()));
    const rows = [
      await measure('node-redis 5 createCluster()', nodeRedis, calls),
      await measure('ioredis 5 Cluster (fromIoredis)', fromIoredis(ioredis), calls),
    ];
    console.log(`\nreplay store consume() on a local 3+3 Redis Cluster, ${calls} sequential first uses each`);
    console.log('| client | without WAIT p50 | p99 | with waitForReplicas {replicas: 1} p50 | p99 | added p50 |');
    console.log('| --- | --- | --- | --- | --- | --- |');
    for (const row of rows) {
      console.log(
        `| ${row.client} | ${row.withoutP50Us} µs | ${row.withoutP99Us} µs | ${row.withP50Us} µs | ${row.withP99Us} µs | +${row.withP50Us - row.withoutP50Us} µs |`,
      );
    }
    return rows;
  } finally {
    nodeRedis.destroy();
    ioredis.disconnect();
    await cluster.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runRedisWait(process.argv.includes('--quick'));
}
