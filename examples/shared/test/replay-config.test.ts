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
