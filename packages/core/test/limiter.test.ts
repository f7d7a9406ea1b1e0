import { describe, expect, it } from 'vitest';
import { OAuthError } from '../src/errors.js';
import { failureAddressScope, failureLimiterKey, MAX_FAILURE_LIMITER_KEY_LENGTH } from '../src/limiter.js';
import { memoryFailureLimiter } from '../src/memory_limiter.js';

/** One guess that fails: reserve, then record the failure. */
async function fail(limiter: ReturnType<typeof memoryFailureLimiter>, key: string): Promise<number> {
  const wait = await limiter.attempt(key);
  if (wait === 0) await limiter.failed(key);
  return wait;
}

describe('memoryFailureLimiter (RFC 6749 §2.3.1: protect against brute force)', () => {
  it('blocks a key after maxFailures within the window, for blockSeconds', async () => {
    let time = 1_000_000;
    const limiter = memoryFailureLimiter({ maxFailures: 3, windowSeconds: 60, blockSeconds: 120, now: () => time });
    await fail(limiter, 'a');
    await fail(limiter, 'a');
    await fail(limiter, 'a');
    expect(await limiter.attempt('a')).toBe(120);
    expect(await limiter.attempt('b')).toBe(0);
    time += 119_500;
    expect(await limiter.attempt('a')).toBe(1);
    time += 1_000;
    expect(await limiter.attempt('a')).toBe(0);
  });

  it('forgets failures older than the window', async () => {
    let time = 0;
    const limiter = memoryFailureLimiter({ maxFailures: 2, windowSeconds: 10, now: () => time });
    await fail(limiter, 'a');
    time += 11_000;
    await fail(limiter, 'a');
    expect(await limiter.attempt('a')).toBe(0);
  });

  it('reserves atomically: of 80 concurrent attempts only maxFailures are allowed (RFC 6749 §2.3.1)', async () => {
    const limiter = memoryFailureLimiter({ maxFailures: 5 });
    const waits = await Promise.all(Array.from({ length: 80 }, () => limiter.attempt('a')));
    expect(waits.filter((wait) => wait === 0)).toHaveLength(5);
    // The others wait for the attempts in flight to settle (Retry-After: 1).
    expect(waits.filter((wait) => wait === 1)).toHaveLength(75);
  });

  it('counts failures and attempts in flight together: failures + in flight < maxFailures', async () => {
    const limiter = memoryFailureLimiter({ maxFailures: 5 });
    for (let i = 0; i < 3; i++) await fail(limiter, 'a');
    expect(await limiter.attempt('a')).toBe(0);
    expect(await limiter.attempt('a')).toBe(0);
    expect(await limiter.attempt('a')).toBe(1);
    // Both in flight fail: five failures, the key is blocked for the default 300 s.
    await limiter.failed('a');
    await limiter.failed('a');
    expect(await limiter.attempt('a')).toBe(300);
  });

  it('a success releases its own attempt only: it never erases failures (no reset on success)', async () => {
    const limiter = memoryFailureLimiter({ maxFailures: 2 });
    await fail(limiter, 'a');
    expect(await limiter.attempt('a')).toBe(0);
    await limiter.succeeded('a');
    // Guesses interleaved with a legitimate client's successes are still bounded.
    await fail(limiter, 'a');
    expect(await limiter.attempt('a')).toBe(300);
  });

  it('a success with no failures leaves nothing behind: maxFailures attempts are allowed again', async () => {
    const limiter = memoryFailureLimiter({ maxFailures: 2, maxEntries: 1 });
    for (let round = 0; round < 3; round++) {
      expect(await Promise.all([limiter.attempt('a'), limiter.attempt('a')])).toEqual([0, 0]);
      await Promise.all([limiter.succeeded('a'), limiter.succeeded('a')]);
    }
    // The entry was deleted at zero: another key fits in the single slot.
    expect(await limiter.attempt('b')).toBe(0);
  });

  it('a failure recorded while the key is blocked does not extend the block (a reservation from before it)', async () => {
    let time = 0;
    const limiter = memoryFailureLimiter({ maxFailures: 2, blockSeconds: 100, now: () => time });
    await fail(limiter, 'a');
    await fail(limiter, 'a');
    time += 50_000;
    await limiter.failed('a');
    expect(await limiter.attempt('a')).toBe(50);
  });

  it('never evicts a blocked key: a flood of made-up keys does not unblock it (DESIGN.md §3)', async () => {
    const limiter = memoryFailureLimiter({ maxFailures: 2, maxEntries: 100 });
    await fail(limiter, 'victim');
    await fail(limiter, 'victim');
    // 1000 made-up keys with one failure each (not enough to block them): the table churns.
    for (let i = 0; i < 1000; i++) expect(await fail(limiter, `made-up-${i}`)).toBe(0);
    expect(await limiter.attempt('victim')).toBe(300);
  });

  it('bounds its memory by forgetting the oldest unblocked key first', async () => {
    const limiter = memoryFailureLimiter({ maxFailures: 2, maxEntries: 3 });
    await fail(limiter, 'old');
    await fail(limiter, 'mid');
    await fail(limiter, 'new');
    await fail(limiter, 'newest');
    // `old` was forgotten (one more failure does not block it); `mid` was not.
    await fail(limiter, 'old');
    expect(await limiter.attempt('old')).toBe(0);
    await limiter.succeeded('old');
    await fail(limiter, 'newest');
    expect(await limiter.attempt('newest')).toBe(300);
  });

  it('never forgets a key with an attempt in flight', async () => {
    const limiter = memoryFailureLimiter({ maxFailures: 2, maxEntries: 2 });
    await fail(limiter, 'a');
    expect(await limiter.attempt('a')).toBe(0);
    await fail(limiter, 'b');
    await fail(limiter, 'c'); // evicts b, the oldest without an attempt in flight
    await limiter.failed('a');
    expect(await limiter.attempt('a')).toBe(300);
  });

  it('fails closed when every key is blocked: new keys are refused with 503 ERR_FAILURE_LIMITER_FULL, known ones still answered', async () => {
    let time = 0;
    const limiter = memoryFailureLimiter({ maxFailures: 1, maxEntries: 10, blockSeconds: 60, now: () => time });
    for (let i = 0; i < 10; i++) await fail(limiter, `k${i}`);
    const refused = await limiter.attempt('new').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OAuthError);
    expect([(refused as OAuthError).status, (refused as OAuthError).code]).toEqual([503, 'ERR_FAILURE_LIMITER_FULL']);
    expect(await limiter.attempt('k0')).toBe(60);
    // Once the blocks end, their entries make room again.
    time += 60_000;
    expect(await limiter.attempt('new')).toBe(0);
  });

  it('throws TypeError for bad options at creation', () => {
    expect(() => memoryFailureLimiter({ maxFailures: 0 })).toThrow(TypeError);
    expect(() => memoryFailureLimiter({ windowSeconds: 1.5 })).toThrow(TypeError);
    expect(() => memoryFailureLimiter({ maxEntries: -1 })).toThrow(TypeError);
    // @ts-expect-error not a function
    expect(() => memoryFailureLimiter({ now: 5 })).toThrow(TypeError);
  });
});

describe('failure limiter keys', () => {
  it('are bounded whatever the client_id (a SHA-256 digest past MAX_FAILURE_LIMITER_KEY_LENGTH), distinct per client and per address', () => {
    const long = failureLimiterKey('c'.repeat(1024), '203.0.113.7');
    expect(long).toMatch(/^h[A-Za-z0-9_-]{43}$/);
    expect(failureLimiterKey('s6BhdRkqt3', '203.0.113.7').length).toBeLessThanOrEqual(MAX_FAILURE_LIMITER_KEY_LENGTH);
    const keys = new Set([
      failureLimiterKey('a'),
      failureLimiterKey('b'),
      failureLimiterKey('a', '203.0.113.7'),
      failureLimiterKey('a', '203.0.113.8'),
      failureLimiterKey('b', '203.0.113.7'),
      // Neither a client_id spelled like another mode's key nor a made-up address collides.
      failureLimiterKey('a11:203.0.113.7a'),
      failureLimiterKey('1:xa', 'a 2'),
      failureLimiterKey('xa', 'a 21:'),
      failureLimiterKey('c'.repeat(1024)),
      failureLimiterKey('c'.repeat(1025)),
    ]);
    expect(keys.size).toBe(10);
  });

  it('count an IPv4-mapped peer as its IPv4 address, and IPv6 by its /56 prefix', () => {
    expect(failureAddressScope('::ffff:127.0.0.2')).toBe('127.0.0.2');
    expect(failureAddressScope('127.0.0.2')).toBe('127.0.0.2');
    expect(failureAddressScope('2001:db8:1:2ff::1')).toBe('2001:db8:1:200::/56');
    expect(failureAddressScope('2001:db8:1:200:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:200::/56');
    expect(failureAddressScope('2001:db8:1:300::1')).toBe('2001:db8:1:300::/56');
    expect(failureAddressScope('::1')).toBe('0:0:0:0::/56');
    expect(failureAddressScope('fe80::1%eth0')).toBe('fe80:0:0:0::/56');
    expect(failureAddressScope('64:ff9b::192.0.2.1')).toBe('64:ff9b:0:0::/56');
    expect(failureLimiterKey('a', '2001:db8:1:2ff::1')).toBe(failureLimiterKey('a', '2001:db8:1:201::9'));
  });
});
