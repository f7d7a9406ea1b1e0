import { describe, expect, it } from 'vitest';
import { memoryFailureLimiter } from '../src/limiter.js';

describe('memoryFailureLimiter (RFC 6749 §2.3.1: protect against brute force)', () => {
  it('blocks a key after maxFailures within the window, for blockSeconds', async () => {
    let time = 1_000_000;
    const limiter = memoryFailureLimiter({ maxFailures: 3, windowSeconds: 60, blockSeconds: 120, now: () => time });
    await limiter.recordFailure('a');
    await limiter.recordFailure('a');
    expect(await limiter.blockedFor('a')).toBe(0);
    await limiter.recordFailure('a');
    expect(await limiter.blockedFor('a')).toBe(120);
    expect(await limiter.blockedFor('b')).toBe(0);
    time += 119_500;
    expect(await limiter.blockedFor('a')).toBe(1);
    time += 1_000;
    expect(await limiter.blockedFor('a')).toBe(0);
  });

  it('forgets failures older than the window', async () => {
    let time = 0;
    const limiter = memoryFailureLimiter({ maxFailures: 2, windowSeconds: 10, now: () => time });
    await limiter.recordFailure('a');
    time += 11_000;
    await limiter.recordFailure('a');
    expect(await limiter.blockedFor('a')).toBe(0);
  });

  it('resets a key after a success', async () => {
    const limiter = memoryFailureLimiter({ maxFailures: 2 });
    await limiter.recordFailure('a');
    await limiter.reset('a');
    await limiter.recordFailure('a');
    expect(await limiter.blockedFor('a')).toBe(0);
  });

  it('bounds its memory by evicting the oldest keys', async () => {
    const limiter = memoryFailureLimiter({ maxFailures: 1, maxEntries: 100 });
    for (let i = 0; i < 1000; i += 1) await limiter.recordFailure(`k${i}`);
    expect(await limiter.blockedFor('k0')).toBe(0);
    expect(await limiter.blockedFor('k999')).toBeGreaterThan(0);
  });

  it('throws TypeError for bad options at creation', () => {
    expect(() => memoryFailureLimiter({ maxFailures: 0 })).toThrow(TypeError);
    expect(() => memoryFailureLimiter({ windowSeconds: 1.5 })).toThrow(TypeError);
  });
});
