/**
 * Memory per recorded jti, for sizing the replay stores and their quotas (not a timed benchmark):
 *
 * - `memoryReplayStore`: heap growth (`process.memoryUsage().heapUsed`, after gc) over 100,000
 *   UUID jti (each string counted: the store keeps it), spread over 1, 10 (each at the default quota of 10,000) and 1,000 clients;
 * - `redisReplayStore`: Redis `used_memory` growth over 100,000 keys (a redis-server started here,
 *   when one is on PATH), the same keys whatever the client_id or jti (a prefix and a digest).
 *
 *   node --expose-gc --import tsx --conditions=source bench/replay-memory.ts
 */
import { randomUUID } from 'node:crypto';
import { memoryReplayStore } from '@client-auth/core';
import { redisReplayStore } from '@client-auth/redis';
import { createClient } from 'redis';
import { OwnRedisServer, redisServerBinary } from '../test/helpers/redis.js';

const COUNT = 100_000;
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');

function heapUsed(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

async function memoryRow(clients: number): Promise<string> {
  const ids = Array.from({ length: clients }, (_, i) => `client-${i}`);
  const expiresAt = Date.now() + 3_600_000;
  const before = heapUsed();
  const store = memoryReplayStore({ maxEntries: COUNT + 1, maxEntriesPerClient: Math.ceil(COUNT / clients) + 1 });
  for (let i = 0; i < COUNT; i += 1) {
    // The jti is parsed from JSON here, as the verifier parses it from the assertion: a flat
    // string the store keeps (randomUUID() alone returns a rope of many small strings).
    const { jti } = JSON.parse(`{"jti":"${randomUUID()}"}`) as { jti: string };
    if (!(await store.consume(ids[i % clients] as string, jti, expiresAt + i))) throw new Error('refused');
  }
  const grown = heapUsed() - before;
  // Keep the store alive until after the measurement.
  if ((await store.consume(ids[0] as string, 'last', expiresAt)) !== true) throw new Error('refused');
  return `memoryReplayStore, ${clients} client(s): ${(grown / COUNT).toFixed(0)} bytes per entry (${(grown / 2 ** 20).toFixed(1)} MiB for ${COUNT})`;
}

async function redisRow(): Promise<string> {
  if (redisServerBinary === undefined) return 'redisReplayStore: skipped (no redis-server on PATH)';
  const server = await OwnRedisServer.start();
  const client = createClient({ url: server.url });
  await client.connect();
  try {
    const used = async () => Number(/used_memory:(\d+)/.exec(await client.info('memory'))?.[1]);
    const store = redisReplayStore({ client });
    const before = await used();
    const expiresAt = Date.now() + 3_600_000;
    for (let i = 0; i < COUNT; i += 100) {
      await Promise.all(
        Array.from({ length: 100 }, (_, j) => store.consume(`client-${(i + j) % 10}`, randomUUID(), expiresAt)),
      );
    }
    const grown = (await used()) - before;
    return `redisReplayStore: ${(grown / COUNT).toFixed(0)} bytes per key in Redis used_memory (${(grown / 2 ** 20).toFixed(1)} MiB for ${COUNT}, default prefix)`;
  } finally {
    await client.quit();
    await server.close();
  }
}

for (const clients of [1, 10, 1000]) console.log(await memoryRow(clients));
console.log(await redisRow());
