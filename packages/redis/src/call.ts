/**
 * How the replay store and the failure limiter talk to Redis: refuse at once when the client is
 * not connected, and give up on a command that has not settled within the timeout. Both fail
 * closed, each with its own error class.
 */

/** The connection state node-redis exposes (ioredis through `fromIoredis`). */
export interface ConnectionState {
  /** node-redis: false while closed or reconnecting. When `false`, nothing is sent. */
  readonly isReady?: boolean;
  /** node-redis cluster: false once closed. When `false`, nothing is sent. */
  readonly isOpen?: boolean;
}

/** True when the client cannot send now (closed, or reconnecting after Redis went away). */
export function notReady(client: ConnectionState): boolean {
  if (typeof client.isReady === 'boolean') return !client.isReady;
  return client.isOpen === false;
}

/**
 * Run `command`, rejecting with `failed(cause)` when it throws or rejects, and with `timedOut()`
 * when it has not settled after `ms` milliseconds.
 */
export function withTimeout<T>(
  command: () => Promise<T>,
  ms: number,
  timedOut: () => Error,
  failed: (cause: unknown) => Error,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      // Timers run before I/O in an event-loop turn: after a stall of the loop (CPU-bound work of
      // other requests) the answer may already be waiting in the socket. Look once more after the
      // I/O phase, so that only a Redis that really did not answer counts as a timeout.
      setImmediate(() => {
        if (settled) return;
        settled = true;
        // The command may still reach Redis: the request was refused either way.
        reject(timedOut());
      });
    }, ms);
    const fail = (cause: unknown) => {
      clearTimeout(timer);
      if (settled) return;
      settled = true;
      reject(failed(cause));
    };
    let pending: Promise<T>;
    try {
      pending = command();
    } catch (cause) {
      fail(cause);
      return;
    }
    Promise.resolve(pending).then((reply) => {
      clearTimeout(timer);
      if (settled) return;
      settled = true;
      resolve(reply);
    }, fail);
  });
}
