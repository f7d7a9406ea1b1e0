import { describe, expect, it } from 'vitest';
import { isOAuthError, memoryReplayStore } from '../src/index.js';

describe('memoryReplayStore (OpenID Connect Core §9: the jti "MUST only be used once")', () => {
  it('records a (client, jti) pair once until it expires', async () => {
    const clock = { now: 1_000_000 };
    const store = memoryReplayStore({ now: () => clock.now });
    expect(await store.consume('a', 'j1', clock.now + 60_000)).toBe(true);
    expect(await store.consume('a', 'j1', clock.now + 60_000)).toBe(false);
    clock.now += 59_999;
    expect(await store.consume('a', 'j1', clock.now + 60_000)).toBe(false);
    clock.now += 1;
    expect(await store.consume('a', 'j1', clock.now + 60_000)).toBe(true);
  });

  it('keys by client and jti without collisions between them', async () => {
    const store = memoryReplayStore();
    const later = Date.now() + 60_000;
    expect(await store.consume('a', 'j1', later)).toBe(true);
    expect(await store.consume('b', 'j1', later)).toBe(true);
    expect(await store.consume('a:b', 'c', later)).toBe(true);
    expect(await store.consume('a', 'b:c', later)).toBe(true);
  });

  it('answers exactly one of many concurrent consumers of one pair', async () => {
    const store = memoryReplayStore();
    const later = Date.now() + 60_000;
    const answers = await Promise.all(Array.from({ length: 50 }, () => store.consume('a', 'same', later)));
    expect(answers.filter(Boolean)).toHaveLength(1);
  });

  it('fails closed when full: ERR_REPLAY_STORE_FULL, 503 temporarily_unavailable', async () => {
    const clock = { now: 1_000_000 };
    const store = memoryReplayStore({ maxEntries: 3, now: () => clock.now });
    for (const jti of ['1', '2', '3']) expect(await store.consume('a', jti, clock.now + 10_000)).toBe(true);
    const error = await store.consume('a', '4', clock.now + 10_000).catch((e: unknown) => e);
    expect(isOAuthError(error) && error.code).toBe('ERR_REPLAY_STORE_FULL');
    expect(isOAuthError(error) && error.status).toBe(503);
    // A pair already recorded is still answered while full.
    expect(await store.consume('a', '1', clock.now + 10_000)).toBe(false);
  });

  it('evicts expired entries to make room', async () => {
    const clock = { now: 1_000_000 };
    const store = memoryReplayStore({ maxEntries: 3, now: () => clock.now });
    await store.consume('a', '1', clock.now + 1_000);
    await store.consume('a', '2', clock.now + 50_000);
    await store.consume('a', '3', clock.now + 50_000);
    clock.now += 1_000;
    expect(await store.consume('a', '4', clock.now + 50_000)).toBe(true);
    await expect(store.consume('a', '5', clock.now + 50_000)).rejects.toMatchObject({ code: 'ERR_REPLAY_STORE_FULL' });
  });

  it('throws TypeError for bad options', () => {
    expect(() => memoryReplayStore({ maxEntries: 0 })).toThrow(TypeError);
    expect(() => memoryReplayStore({ maxEntries: 1.5 })).toThrow(TypeError);
    expect(() => memoryReplayStore({ now: 5 as never })).toThrow(TypeError);
  });
});
