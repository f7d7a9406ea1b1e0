import type { CryptoKey } from 'jose';
import { describe, expect, it } from 'vitest';
import { type ClientMetadata, errorResponse, isOAuthError, memoryReplayStore } from '../src/index.js';
import { assertionRequest, authenticatorFor, claims, keyPair, NOW, sign } from './assertion-helpers.js';

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
    const store = memoryReplayStore({ maxEntries: 3, maxEntriesPerClient: 3, now: () => clock.now });
    for (const jti of ['1', '2', '3']) expect(await store.consume('a', jti, clock.now + 10_000)).toBe(true);
    const error = await store.consume('a', '4', clock.now + 10_000).catch((e: unknown) => e);
    expect(isOAuthError(error) && error.code).toBe('ERR_REPLAY_STORE_FULL');
    expect(isOAuthError(error) && error.status).toBe(503);
    // A pair already recorded is still answered while full.
    expect(await store.consume('a', '1', clock.now + 10_000)).toBe(false);
  });

  it('evicts expired entries to make room', async () => {
    const clock = { now: 1_000_000 };
    const store = memoryReplayStore({ maxEntries: 3, maxEntriesPerClient: 3, now: () => clock.now });
    await store.consume('a', '1', clock.now + 1_000);
    await store.consume('a', '2', clock.now + 50_000);
    await store.consume('a', '3', clock.now + 50_000);
    clock.now += 1_000;
    expect(await store.consume('a', '4', clock.now + 50_000)).toBe(true);
    await expect(store.consume('a', '5', clock.now + 50_000)).rejects.toMatchObject({ code: 'ERR_REPLAY_STORE_FULL' });
  });

  it('throws TypeError for bad options', () => {
    expect(() => memoryReplayStore({ maxEntriesPerClient: 0 })).toThrow(TypeError);
    expect(() => memoryReplayStore({ maxEntriesPerClient: 2.5 })).toThrow(TypeError);
    expect(() => memoryReplayStore({ maxEntries: 10, maxEntriesPerClient: 11 })).toThrow(TypeError);
    expect(() => memoryReplayStore({ maxEntries: 10, maxEntriesPerClient: 10 })).not.toThrow();
    expect(() => memoryReplayStore({ maxEntries: 0 })).toThrow(TypeError);
    expect(() => memoryReplayStore({ maxEntries: 1.5 })).toThrow(TypeError);
    expect(() => memoryReplayStore({ now: 5 as never })).toThrow(TypeError);
  });

  it('gives each client a quota of live jti: over it, 503 ERR_REPLAY_QUOTA_EXCEEDED, other clients unaffected', async () => {
    const clock = { now: 1_000_000 };
    const store = memoryReplayStore({ maxEntries: 100, maxEntriesPerClient: 3, now: () => clock.now });
    for (const jti of ['1', '2', '3']) expect(await store.consume('a', jti, clock.now + 3_600_000)).toBe(true);
    const error = await store.consume('a', '4', clock.now + 60_000).catch((e: unknown) => e);
    expect(isOAuthError(error) && error.code).toBe('ERR_REPLAY_QUOTA_EXCEEDED');
    expect(isOAuthError(error) && error.status).toBe(503);
    expect(isOAuthError(error) && error.error).toBe('temporarily_unavailable');
    // RFC 9110 §10.2.3: Retry-After says when the client's earliest entry frees a slot.
    expect(isOAuthError(error) && error.retryAfter).toBe(3600);
    // Its live entries are never evicted: a replay is still a replay.
    expect(await store.consume('a', '1', clock.now + 3_600_000)).toBe(false);
    // Every other client keeps its own quota.
    for (const client of ['b', 'c', 'a:b', '']) expect(await store.consume(client, '4', clock.now + 60_000)).toBe(true);
  });

  it("frees a client's quota as its own entries expire", async () => {
    const clock = { now: 1_000_000 };
    const store = memoryReplayStore({ maxEntries: 100, maxEntriesPerClient: 2, now: () => clock.now });
    await store.consume('a', '1', clock.now + 1_000);
    await store.consume('a', '2', clock.now + 50_000);
    await expect(store.consume('a', '3', clock.now + 50_000)).rejects.toMatchObject({
      code: 'ERR_REPLAY_QUOTA_EXCEEDED',
      retryAfter: 1,
    });
    clock.now += 1_000;
    expect(await store.consume('a', '3', clock.now + 50_000)).toBe(true);
    await expect(store.consume('a', '4', clock.now + 50_000)).rejects.toMatchObject({
      code: 'ERR_REPLAY_QUOTA_EXCEEDED',
      retryAfter: 49,
    });
  });

  it('defaults the quota to a tenth of maxEntries, at most 10,000 (one client cannot fill the default store)', async () => {
    const later = Date.now() + 3_600_000;
    const store = memoryReplayStore();
    for (let i = 0; i < 10_000; i += 1) await store.consume('filler', `jti-${i}`, later);
    await expect(store.consume('filler', 'one-more', later)).rejects.toMatchObject({
      code: 'ERR_REPLAY_QUOTA_EXCEEDED',
    });
    expect(await store.consume('other', 'jti-0', later)).toBe(true);
    const small = memoryReplayStore({ maxEntries: 50 });
    for (let i = 0; i < 5; i += 1) await small.consume('filler', `jti-${i}`, later);
    await expect(small.consume('filler', 'one-more', later)).rejects.toMatchObject({
      code: 'ERR_REPLAY_QUOTA_EXCEEDED',
    });
  });
});

describe('replay quotas through the authenticator (OpenID Connect Core §9, RFC 6749 §5.2)', () => {
  it('client A filling its quota gets 503 temporarily_unavailable; client B still authenticates', async () => {
    const [a, b] = await Promise.all([keyPair('ES256'), keyPair('ES256')]);
    const client = (id: string, jwk: object): ClientMetadata => ({
      client_id: id,
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [jwk as never] },
    });
    const { auth } = authenticatorFor([client('A', a.publicJwk), client('B', b.publicJwk)], {
      replayStore: memoryReplayStore({ maxEntries: 100, maxEntriesPerClient: 3 }),
    });
    const attempt = async (id: string, key: CryptoKey) => {
      const jwt = await sign(claims(id, NOW, { exp: NOW + 3600 }), key, { alg: 'ES256' });
      return auth.authenticate(assertionRequest(jwt), { endpoint: 'token' }).then(
        () => 'ok',
        (error: unknown) => error,
      );
    };
    // Real concurrency: five of A's assertions at once; exactly three fit its quota.
    const fromA = await Promise.all(Array.from({ length: 5 }, () => attempt('A', a.privateKey)));
    expect(fromA.filter((result) => result === 'ok')).toHaveLength(3);
    const refused = fromA.filter((result) => result !== 'ok');
    expect(refused.map((error) => isOAuthError(error) && error.code)).toEqual([
      'ERR_REPLAY_QUOTA_EXCEEDED',
      'ERR_REPLAY_QUOTA_EXCEEDED',
    ]);
    const response = errorResponse(refused[0]);
    expect(response.status).toBe(503);
    expect(JSON.parse(response.body).error).toBe('temporarily_unavailable');
    expect(Number(response.headers['retry-after'])).toBeGreaterThan(3500);
    expect(await Promise.all(Array.from({ length: 3 }, () => attempt('B', b.privateKey)))).toEqual(['ok', 'ok', 'ok']);
  });
});
