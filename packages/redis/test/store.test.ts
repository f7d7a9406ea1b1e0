import { randomUUID } from 'node:crypto';
import { createClient } from 'redis';
import { describe, expect, it } from 'vitest';
import {
  CLIENT_TAG_LENGTH,
  clientHashTag,
  DEFAULT_PREFIX,
  DIGEST_LENGTH,
  RedisReplayStoreError,
  recommendedClientOptions,
  recommendedClusterOptions,
  reconnectForever,
  redisFailureLimiter,
  redisReplayStore,
  replayKey,
} from '../src/index.js';
import { basicReplaySuite } from './basic-suite.js';

basicReplaySuite('node-redis v5', async (url) => {
  const connectOne = async () => {
    const client = createClient(recommendedClientOptions(url));
    client.on('error', () => {});
    await client.connect();
    return client;
  };
  const [a, b] = await Promise.all([connectOne(), connectOne()]);
  return {
    a,
    b,
    pttl: (key) => a.pTTL(key),
    keys: (pattern) => a.keys(pattern),
    close: async () => {
      a.destroy();
      b.destroy();
    },
  };
});

describe('replayKey', () => {
  it('is the prefix, the client hash tag and a 43-character base64url SHA-256 digest, whatever the input length', () => {
    for (const jti of ['', 'x', 'j'.repeat(10 * 1024)]) {
      const key = replayKey(DEFAULT_PREFIX, 'client-1', jti);
      expect(key.startsWith(DEFAULT_PREFIX + clientHashTag('client-1'))).toBe(true);
      expect(key.slice(DEFAULT_PREFIX.length)).toMatch(/^\{[A-Za-z0-9_-]{16}\}[A-Za-z0-9_-]{43}$/);
      expect(key).toHaveLength(DEFAULT_PREFIX.length + CLIENT_TAG_LENGTH + DIGEST_LENGTH);
    }
  });

  it('tags every key of a client alike and the keys of different clients differently (Redis Cluster hash tags)', () => {
    const tag = (key: string) => key.slice(DEFAULT_PREFIX.length, DEFAULT_PREFIX.length + CLIENT_TAG_LENGTH);
    expect(tag(replayKey(DEFAULT_PREFIX, 'client-1', 'a'))).toBe(tag(replayKey(DEFAULT_PREFIX, 'client-1', 'b')));
    expect(tag(replayKey(DEFAULT_PREFIX, 'client-1', 'a'))).not.toBe(tag(replayKey(DEFAULT_PREFIX, 'client-2', 'a')));
    // A jti cannot move the tag: the first "{…}" of the key is the client's, whatever the jti holds.
    expect(tag(replayKey(DEFAULT_PREFIX, 'client-1', '{x}'))).toBe(clientHashTag('client-1'));
  });

  it('length-prefixes each field: moving a separator between client_id and jti changes the key', () => {
    expect(replayKey('', 'a:b', 'c')).not.toBe(replayKey('', 'a', 'b:c'));
    expect(replayKey('', 'ab', '')).not.toBe(replayKey('', 'a', 'b'));
    expect(replayKey('', '', 'ab')).not.toBe(replayKey('', 'a', 'b'));
    expect(replayKey('p:', 'a', 'b')).toBe(replayKey('p:', 'a', 'b'));
  });
});

describe('redisReplayStore options', () => {
  const client = createClient();

  it('refuses bad options at setup with a TypeError', () => {
    // @ts-expect-error no client
    expect(() => redisReplayStore({})).toThrow(TypeError);
    // @ts-expect-error not a client
    expect(() => redisReplayStore({ client: {} })).toThrow(TypeError);
    expect(() => redisReplayStore({ client, timeout: 0 })).toThrow(TypeError);
    expect(() => redisReplayStore({ client, timeout: Number.NaN })).toThrow(TypeError);
    expect(() => redisReplayStore({ client, retentionMargin: -1 })).toThrow(TypeError);
    // @ts-expect-error not a string
    expect(() => redisReplayStore({ client, prefix: 1 })).toThrow(TypeError);
    expect(() => redisReplayStore({ client, prefix: 'p'.repeat(257) })).toThrow(TypeError);
  });

  it('refuses the 0.1 name clockTolerance at setup, naming retentionMargin: the core already added its clock tolerance to expiresAt', () => {
    // @ts-expect-error renamed to retentionMargin
    expect(() => redisReplayStore({ client, clockTolerance: 15 })).toThrow(/renamed retentionMargin/);
    expect(() => redisReplayStore({ client, retentionMargin: 0 })).not.toThrow();
  });

  it('refuses an unknown or misspelled option at setup, naming it and the option meant', () => {
    // @ts-expect-error not an option
    expect(() => redisReplayStore({ client, timout: 500 })).toThrow(TypeError);
    // @ts-expect-error not an option
    expect(() => redisReplayStore({ client, retentionMargn: 30 })).toThrow(
      "client-auth redis: redisReplayStore(): unknown option 'retentionMargn' (did you mean 'retentionMargin'?)",
    );
    expect(() =>
      redisReplayStore({ client, prefix: 'p:', timeout: 100, retentionMargin: 1, now: Date.now }),
    ).not.toThrow();
  });

  it('refuses a prefix with a brace at setup: Redis Cluster hashes the first {…} of a key (Redis Cluster spec, hash tags)', () => {
    expect(() => redisReplayStore({ client, prefix: 'app{1}:' })).toThrow(/must not contain "\{" or "\}"/);
    expect(() => redisReplayStore({ client, prefix: 'app}:' })).toThrow(TypeError);
    expect(() => redisFailureLimiter({ client, prefix: '{app}:' })).toThrow(/must not contain/);
  });

  it('checks waitForReplicas at setup: positive integers, timeoutMs never 0 (WAIT 0 blocks forever) and below timeout', () => {
    const wait = (waitForReplicas: unknown, timeout?: number) => () =>
      redisReplayStore({ client, ...(timeout === undefined ? {} : { timeout }), waitForReplicas } as never);
    expect(wait({ replicas: 1, timeoutMs: 100 })).not.toThrow();
    expect(wait({ replicas: 2, timeoutMs: 400 }, 500)).not.toThrow();
    for (const bad of [null, 1, {}, { replicas: 0, timeoutMs: 100 }, { replicas: 1.5, timeoutMs: 100 }]) {
      expect(wait(bad)).toThrow(TypeError);
    }
    for (const timeoutMs of [0, -1, 200, 1000, Number.NaN]) {
      expect(wait({ replicas: 1, timeoutMs })).toThrow(/timeoutMs must be a positive integer below timeout \(200 ms\)/);
    }
    expect(wait({ replicas: 1, timeoutMs: 100, timout: 5 })).toThrow(/unknown option 'timout'/);
  });

  it('refuses waitForReplicas with a client that cannot send WAIT on the connection of the SET (a pool, a bare object)', () => {
    const pool = { set: async () => 'OK', sendCommand: async () => 1, totalClients: 3 };
    expect(() => redisReplayStore({ client: pool, waitForReplicas: { replicas: 1, timeoutMs: 50 } })).toThrow(
      /waitForReplicas needs a node-redis v5 client or cluster \(not a pool\), or fromIoredis/,
    );
    expect(() =>
      redisReplayStore({ client: { set: async () => 'OK' }, waitForReplicas: { replicas: 1, timeoutMs: 50 } }),
    ).toThrow(TypeError);
    expect(() => redisReplayStore({ client: pool })).not.toThrow();
  });

  it('recommends cluster options: each seed as a redis:// root node, the client options for every node, few redirections', () => {
    const options = recommendedClusterOptions(['10.0.0.1:6379', 'rediss://cache.internal:6380']);
    expect(options.rootNodes).toEqual([{ url: 'redis://10.0.0.1:6379' }, { url: 'rediss://cache.internal:6380' }]);
    expect(options.defaults.disableOfflineQueue).toBe(true);
    expect(options.defaults.socket.reconnectStrategy).toBe(reconnectForever);
    expect(options.maxCommandRedirections).toBe(5);
    expect(() => recommendedClusterOptions([])).toThrow(TypeError);
    expect(() => recommendedClusterOptions([''])).toThrow(TypeError);
  });

  it('rejects, never resolves, when the client was never connected (fail closed)', async () => {
    const replay = redisReplayStore({ client });
    const error = await replay.consume('client-1', randomUUID(), Date.now() + 60_000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedisReplayStoreError);
    expect((error as RedisReplayStoreError).reason).toBe('not_ready');
  });

  it('rejects arguments no verified assertion can produce', async () => {
    const replay = redisReplayStore({ client });
    await expect(replay.consume('client-1', randomUUID(), Number.NaN)).rejects.toMatchObject({
      reason: 'invalid_arguments',
    });
  });

  it('recommends options that never give up reconnecting and never queue while offline', () => {
    const options = recommendedClientOptions('redis://127.0.0.1:6379');
    expect(options.disableOfflineQueue).toBe(true);
    for (const retries of [0, 1, 5, 50, 10_000]) {
      const delay = reconnectForever(retries);
      expect(typeof delay).toBe('number');
      expect(delay).toBeGreaterThan(0);
      expect(delay).toBeLessThanOrEqual(2100);
    }
  });
});
