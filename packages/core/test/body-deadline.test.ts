/**
 * BodyDeadline: one timer for every body read in flight of one adapter (issue 16), with each read
 * still given its whole timeout from its own start (RFC 9110 §15.5.9, the 408 of a body that
 * does not arrive in time). The clock is vitest's fake one, so that "when" is exact here; the
 * real-HTTP side (two slow bodies on one middleware) is in test/slow-body.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BodyDeadline, withBodyDeadline } from '../src/adapter.js';
import { startBodyDeadline } from '../src/body_deadline.js';

/** Ref'd timers alive in this process (an unref'd one does not keep it running). */
function refTimers(): number {
  return process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length;
}

describe('BodyDeadline: one timer per adapter, every read on its own clock', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('expires each read once its own timeout has passed from its start, oldest first', () => {
    const deadline = new BodyDeadline(300);
    const expired: string[] = [];
    deadline.start(() => expired.push('a'));
    vi.advanceTimersByTime(100);
    deadline.start(() => expired.push('b'));
    vi.advanceTimersByTime(150);
    deadline.start(() => expired.push('c'));
    vi.advanceTimersByTime(49); // t = 299
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(1); // t = 300: a's deadline
    expect(expired).toEqual(['a']);
    vi.advanceTimersByTime(99); // t = 399
    expect(expired).toEqual(['a']);
    vi.advanceTimersByTime(1); // t = 400: b's
    expect(expired).toEqual(['a', 'b']);
    vi.advanceTimersByTime(150); // t = 550: c's
    expect(expired).toEqual(['a', 'b', 'c']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('never expires a read that ended in time, and keeps one timer however many reads are in flight', () => {
    const deadline = new BodyDeadline(300);
    const expired: number[] = [];
    const stops = Array.from({ length: 100 }, (_, i) => deadline.start(() => expired.push(i)));
    expect(vi.getTimerCount()).toBe(1);
    for (const [i, stop] of stops.entries()) if (i !== 42) stop();
    vi.advanceTimersByTime(300);
    expect(expired).toEqual([42]);
  });

  it('gives a read started after the others ended its whole timeout (the timer armed for an ended read re-arms)', () => {
    const deadline = new BodyDeadline(300);
    const expired: string[] = [];
    deadline.start(() => expired.push('ended'))();
    vi.advanceTimersByTime(200);
    deadline.start(() => expired.push('late'));
    vi.advanceTimersByTime(299); // t = 499: the first timer fired at 300 and found only `late`
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(expired).toEqual(['late']);
  });

  it('still expires the other reads when the expiry of one throws', () => {
    const deadline = new BodyDeadline(300);
    const expired: string[] = [];
    deadline.start(() => {
      throw new Error('onTimeout failed');
    });
    deadline.start(() => expired.push('second'));
    expect(() => vi.advanceTimersByTime(300)).toThrow('onTimeout failed');
    vi.advanceTimersByTime(1);
    expect(expired).toEqual(['second']);
  });

  it('answers 408 ERR_BODY_TIMEOUT through withBodyDeadline with the milliseconds of the shared deadline', async () => {
    const deadline = new BodyDeadline(250);
    const never = new Promise<never>(() => {});
    const outcome = withBodyDeadline(never, deadline).catch(
      (error: { status: number; code: string; message: string }) => [error.status, error.code, error.message],
    );
    vi.advanceTimersByTime(250);
    expect(await outcome).toEqual([408, 'ERR_BODY_TIMEOUT', 'the request body did not arrive within 250 ms']);
  });
});

describe('BodyDeadline and the process', () => {
  it('does not keep the process alive: its timer is unref’d, unlike the per-read timer of a number', () => {
    const before = refTimers();
    const deadline = new BodyDeadline(3_600_000);
    const stopShared = deadline.start(() => {});
    expect(refTimers()).toBe(before);
    const stopOwn = startBodyDeadline(3_600_000, () => {});
    expect(refTimers()).toBe(before + 1);
    stopOwn();
    stopShared();
    expect(refTimers()).toBe(before);
  });
});
