import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/index.js';

describe('example configuration of the in-memory replay store', () => {
  it('reads REPLAY_MAX_ENTRIES and REPLAY_MAX_PER_CLIENT as positive integers', () => {
    expect(loadConfig({}).replayLimits).toBeUndefined();
    expect(loadConfig({ REPLAY_MAX_PER_CLIENT: '3' }).replayLimits).toEqual({ maxEntriesPerClient: 3 });
    expect(loadConfig({ REPLAY_MAX_ENTRIES: '500', REPLAY_MAX_PER_CLIENT: '50' }).replayLimits).toEqual({
      maxEntries: 500,
      maxEntriesPerClient: 50,
    });
  });

  it('refuses bad values, a per-client quota above the store, and either with REDIS_URL', () => {
    for (const value of ['0', '-1', '1.5', 'many']) {
      expect(() => loadConfig({ REPLAY_MAX_PER_CLIENT: value })).toThrow(/REPLAY_MAX_PER_CLIENT/);
    }
    expect(() => loadConfig({ REPLAY_MAX_ENTRIES: '10', REPLAY_MAX_PER_CLIENT: '11' })).toThrow(/must not exceed/);
    expect(() => loadConfig({ REPLAY_MAX_PER_CLIENT: '100001' })).toThrow(/must not exceed/);
    expect(() => loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', REPLAY_MAX_PER_CLIENT: '5' })).toThrow(/REDIS_URL/);
  });
});

describe('example configuration of Redis Cluster (DESIGN §5: REDIS_CLUSTER_NODES, REDIS_WAIT_REPLICAS)', () => {
  it('reads REDIS_CLUSTER_NODES as a comma list of host:port and REDIS_WAIT_REPLICAS as a positive integer', () => {
    const config = loadConfig({
      REDIS_CLUSTER_NODES: '127.0.0.1:7000, redis-1.internal:7001,[::1]:7002',
      REDIS_WAIT_REPLICAS: '1',
    });
    expect(config.redisClusterNodes).toEqual(['127.0.0.1:7000', 'redis-1.internal:7001', '[::1]:7002']);
    expect(config.redisWaitReplicas).toBe(1);
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', REDIS_WAIT_REPLICAS: '2' }).redisWaitReplicas).toBe(2);
    expect(loadConfig({}).redisClusterNodes).toBeUndefined();
  });

  it('refuses a malformed seed, both REDIS_URL and REDIS_CLUSTER_NODES, REDIS_WAIT_REPLICAS alone or not a positive integer', () => {
    for (const nodes of ['127.0.0.1', '127.0.0.1:0', 'host:99999', 'a:1,,b:2', 'redis://a:1']) {
      expect(() => loadConfig({ REDIS_CLUSTER_NODES: nodes })).toThrow(/REDIS_CLUSTER_NODES/);
    }
    expect(() => loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', REDIS_CLUSTER_NODES: '127.0.0.1:7000' })).toThrow(
      /not both/,
    );
    expect(() => loadConfig({ REDIS_WAIT_REPLICAS: '1' })).toThrow(/needs REDIS_URL or REDIS_CLUSTER_NODES/);
    for (const value of ['0', '-1', '1.5', 'all']) {
      expect(() => loadConfig({ REDIS_CLUSTER_NODES: '127.0.0.1:7000', REDIS_WAIT_REPLICAS: value })).toThrow(
        /REDIS_WAIT_REPLICAS/,
      );
    }
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: '127.0.0.1:7000', REPLAY_MAX_ENTRIES: '5' })).toThrow(
      /REDIS_CLUSTER_NODES/,
    );
  });
});
