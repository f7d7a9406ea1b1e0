/**
 * The deadline of the form bodies an adapter reads itself, as one timer for all the reads in
 * flight instead of one per request. Every read of one adapter waits the same time, so the reads
 * fall due in the order they started: the timer need only be armed for the oldest one, and a read
 * that ends in time is just taken off the list. A `setTimeout` and `clearTimeout` per request cost
 * 1–2 µs in the profiles (bench/README.md, issue 16), about what the core's whole check of a
 * `client_secret_basic` request costs: between requests the timer list of that duration empties,
 * and the next `setTimeout` builds it again.
 */

/** One read on the clock: when it falls due, and what to do then. */
interface PendingRead {
  readonly due: number;
  readonly expire: () => void;
}

/**
 * The body deadline of one adapter: `timeout` milliseconds for each read from its start.
 * `normalizeAdapterOptions()` makes one per middleware; pass it where a body timeout is taken
 * (`readBody`, `fromNodeRequest`'s `bodyTimeout`, `readWebBody`, `withBodyDeadline`).
 *
 * The timer does not keep the process alive (`unref`): a read in flight is kept alive by its
 * connection, and an idle adapter holds nothing.
 */
export class BodyDeadline {
  readonly timeout: number;
  /** Reads in flight, oldest first (a `Set` iterates in insertion order, which is due order). */
  readonly #pending = new Set<PendingRead>();
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(timeout: number) {
    this.timeout = timeout;
  }

  /**
   * Start the clock of one read: `expire` runs once `timeout` ms have passed, unless the
   * returned function (call it when the read is over, whatever its outcome) ran before.
   */
  start(expire: () => void): () => void {
    // performance.now() is monotonic: a wall clock set back would break the due order.
    const read: PendingRead = { due: performance.now() + this.timeout, expire };
    this.#pending.add(read);
    if (this.#timer === undefined) this.#arm(this.timeout);
    return () => {
      this.#pending.delete(read);
    };
  }

  #arm(delay: number): void {
    this.#timer = setTimeout(() => this.#sweep(), delay);
    this.#timer.unref();
  }

  /** Expire every read now due; arm the timer again for the oldest one left, if any. */
  #sweep(): void {
    this.#timer = undefined;
    const now = performance.now();
    for (const read of this.#pending) {
      if (read.due > now) {
        this.#arm(Math.ceil(read.due - now));
        return;
      }
      this.#pending.delete(read);
      try {
        read.expire();
      } catch (error) {
        // An `onTimeout` of withBodyDeadline's caller threw: the other reads still fall due.
        this.#arm(0);
        throw error;
      }
    }
  }
}

/**
 * Start the deadline of one body read under `timeout`: a shared {@link BodyDeadline}, or a number
 * of milliseconds for a timer of this read's own. `expire` runs when it passes; call the returned
 * function when the read is over.
 */
export function startBodyDeadline(timeout: number | BodyDeadline, expire: () => void): () => void {
  if (typeof timeout !== 'number') return timeout.start(expire);
  const timer = setTimeout(expire, timeout);
  return () => clearTimeout(timer);
}

/** The milliseconds of a body timeout given either way (for the 408's description). */
export function timeoutMilliseconds(timeout: number | BodyDeadline): number {
  return typeof timeout === 'number' ? timeout : timeout.timeout;
}
