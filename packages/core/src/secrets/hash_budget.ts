/**
 * The hash budget of one authenticator: how many stored-secret hash verifications (scrypt built
 * in, and the host's `secrets.verifyHash`) may run at once and wait, and what they cost.
 *
 * Why: scrypt runs on libuv's thread pool (4 threads by default), shared with every other
 * asynchronous crypto call, `fs` and DNS lookups. Without a bound, requests that each cost a hash
 * queue up there without limit: a few per second more than the pool can hash push every client's
 * latency to seconds (issue 13 §3). With it, at most `maxConcurrent` run (below the pool size,
 * so that other work keeps a thread), at most `maxQueued` wait, and the excess is refused at once
 * with 503 `temporarily_unavailable` (RFC 6749 §5.2) and `Retry-After` (RFC 9110 §10.2.3) rather
 * than waiting without bound.
 *
 * It also measures what a check costs here (from arrival to answer, waiting included), so that the
 * unknown-client path can take as long, on a timer, without spending any of the budget.
 */
import { performance } from 'node:perf_hooks';
import { TemporarilyUnavailable } from '../errors.js';

/** Default `secrets.maxConcurrentHashes`: below libuv's 4 threads, so other crypto and DNS keep some. */
export const DEFAULT_MAX_CONCURRENT_HASHES = 2;
/** Default `secrets.maxQueuedHashes`. */
export const DEFAULT_MAX_QUEUED_HASHES = 32;
/** Durations of hash checks kept per authenticator (a ring: the most recent ones). */
export const MAX_HASH_DURATIONS = 64;
/**
 * Below this duration (ms) a hash check is cheaper than a timer of whole milliseconds can
 * imitate: the stand-in of such checks verifies a stored hash for real (unknown_client.ts).
 */
export const CHEAP_HASH_MS = 1;

/** Seconds a client refused for a full budget is asked to wait (`Retry-After`). */
const BUSY_RETRY_AFTER = 1;

/** The refusal of a check that would exceed the budget. */
export function hashBudgetBusy(): TemporarilyUnavailable {
  return new TemporarilyUnavailable('ERR_SECRET_HASH_BUSY', { retryAfter: BUSY_RETRY_AFTER });
}

/** What {@link HashBudget.stats} reports. */
export interface HashBudgetStats {
  /** Hash verifications run so far (each scrypt or `verifyHash` call). */
  verified: number;
  /** Checks refused because the budget was full. */
  refused: number;
  /** Checks holding a slot now. */
  running: number;
  /** Checks waiting for a slot now. */
  queued: number;
  /** Median duration of the recent hash checks, in milliseconds (arrival to answer). */
  medianMs: number | undefined;
}

/**
 * A counting semaphore with a bounded queue, plus a ring of measured durations. One per
 * authenticator; nothing is shared between authenticators.
 */
export class HashBudget {
  readonly maxConcurrent: number;
  readonly maxQueued: number;
  #running = 0;
  /** Waiting checks, first in first out (at most `maxQueued`: a shift is cheap). */
  readonly #queue: (() => void)[] = [];
  readonly #durations = new Float64Array(MAX_HASH_DURATIONS);
  /** Where the stand-in of a cheap check records (never read). */
  readonly #ignored = new Float64Array(MAX_HASH_DURATIONS);
  #filled = 0;
  #next = 0;
  #verified = 0;
  #refused = 0;
  /** Recorded durations under {@link CHEAP_HASH_MS} (kept as they enter and leave the ring). */
  #cheap = 0;
  /** How late the imitation timer fires after the whole milliseconds asked, on average (ms). */
  #timerLateness = 0;
  #cheapHash: string | undefined;

  constructor(maxConcurrent: number, maxQueued: number) {
    this.maxConcurrent = maxConcurrent;
    this.maxQueued = maxQueued;
  }

  /** True when a check arriving now would be refused. */
  get full(): boolean {
    return this.#running >= this.maxConcurrent && this.#queue.length >= this.maxQueued;
  }

  /** True once a hash check has been measured (the imitation has something to copy). */
  get measured(): boolean {
    return this.#filled > 0;
  }

  /**
   * The last stored hash whose verification took under {@link CHEAP_HASH_MS}: the only one the
   * stand-in of a cheap check may verify (never a costly one, whatever was checked last).
   */
  get cheapHash(): string | undefined {
    return this.#cheapHash;
  }

  /**
   * Count one hash verification and note its cost (called by a real check, inside its slot). A
   * stand-in calls it `dry`: the same steps, nothing kept.
   */
  noteVerification(hash: string, ms: number, dry = false): void {
    const cheap = ms < CHEAP_HASH_MS;
    if (dry) return;
    this.#verified++;
    if (cheap) this.#cheapHash = hash;
  }

  /**
   * Run `check` in a slot: now, after waiting in the queue, or not at all (rejects with 503
   * `ERR_SECRET_HASH_BUSY` at once when the queue is full). Its duration, waiting included, is
   * recorded when it answers. `outside`: the same steps without a slot and without a record, for
   * the stand-in of a cheap hash check (which must cost what a real one does, and teach nothing).
   */
  async run<T>(check: () => Promise<T>, outside = false): Promise<T> {
    const start = performance.now();
    if (outside) {
      // The stand-in of a cheap check (unknown_client.ts): the same steps, no slot.
    } else if (this.#running < this.maxConcurrent) {
      this.#running++;
    } else if (this.#queue.length < this.maxQueued) {
      // The slot is handed over by the check that releases it (`#running` unchanged).
      await new Promise<void>((resolve) => this.#queue.push(resolve));
    } else {
      this.#refused++;
      throw hashBudgetBusy();
    }
    let answered = false;
    try {
      const result = await check();
      answered = true;
      return result;
    } finally {
      // The same steps either way; a stand-in's duration goes to a ring nobody reads (it must not
      // teach the imitation anything) and it hands over no slot (it holds none).
      const ms = performance.now() - start;
      if (answered) this.#record(ms, outside);
      const next = outside ? undefined : this.#queue.shift();
      if (next !== undefined) next();
      else if (!outside) this.#running--;
    }
  }

  /** Count a refusal made on the budget's behalf (the unknown-client imitation when full). */
  countRefusal(): void {
    this.#refused++;
  }

  /**
   * O(1). A real check records into `#durations`; a stand-in runs the same steps on `#ignored`
   * and changes none of the counters (`dry`), so that both cost the same and only real checks teach.
   */
  #record(ms: number, dry: boolean): void {
    const ring = dry ? this.#ignored : this.#durations;
    const cheapLeaving = this.#filled === MAX_HASH_DURATIONS && (ring[this.#next] as number) < CHEAP_HASH_MS;
    const cheapEntering = ms < CHEAP_HASH_MS;
    ring[this.#next] = ms;
    if (dry) return;
    if (cheapLeaving) this.#cheap--;
    if (cheapEntering) this.#cheap++;
    this.#next = (this.#next + 1) % MAX_HASH_DURATIONS;
    if (this.#filled < MAX_HASH_DURATIONS) this.#filled++;
  }

  /**
   * True when most recent hash checks took under {@link CHEAP_HASH_MS}: cheaper than a timer
   * (whole milliseconds) can imitate.
   */
  get cheap(): boolean {
    return this.#filled > 0 && this.#cheap * 2 > this.#filled;
  }

  /**
   * Wait as long as one of the recent hash checks took, picked at random (so that the waits follow
   * their distribution, not only their median), on a timer: no CPU, no thread, no slot. Timers
   * fire on whole milliseconds, a little late: the wait asked is rounded and the mean lateness
   * (measured on the previous waits) subtracted, so that the mean wait is the mean check; what
   * stays is a blur of about ±0.5 ms (docs/SECURITY.md). Resolves at once when nothing was
   * measured yet.
   */
  imitate(): Promise<void> {
    if (this.#filled === 0) return Promise.resolve();
    const pick = this.#durations[Math.floor(Math.random() * this.#filled)] as number;
    const asked = Math.max(1, Math.round(pick - this.#timerLateness));
    const start = performance.now();
    return new Promise((resolve) => {
      setTimeout(() => {
        // An exponential average: steady under noise, following a loaded event loop.
        this.#timerLateness += (performance.now() - start - asked - this.#timerLateness) / 16;
        resolve();
      }, asked);
    });
  }

  #medianMs(): number | undefined {
    if (this.#filled === 0) return undefined;
    const recent = Array.from(this.#durations.subarray(0, this.#filled)).sort((a, b) => a - b);
    return recent[recent.length >> 1];
  }

  /** Counters and the current state, for monitoring. */
  stats(): HashBudgetStats {
    return {
      verified: this.#verified,
      refused: this.#refused,
      running: this.#running,
      queued: this.#queue.length,
      medianMs: this.#medianMs(),
    };
  }
}
