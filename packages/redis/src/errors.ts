/**
 * The one error the Redis store rejects with. The core turns any rejection of a replay store into
 * 503 `temporarily_unavailable` (`ERR_REPLAY_STORE_UNAVAILABLE`) and keeps this error as its
 * `cause`, for logs: `reason` says what went wrong.
 */

/** Why the store could not answer. */
export type RedisReplayStoreFailure =
  /** The client is not connected (closed, or reconnecting after Redis went away). */
  | 'not_ready'
  /** Redis did not answer within the configured `timeout`. */
  | 'timeout'
  /** The client or Redis reported an error. */
  | 'command_failed'
  /** Redis answered something other than `OK` or nil (a misconfigured client or proxy). */
  | 'unexpected_reply'
  /** `consume` was called with arguments no assertion can produce. */
  | 'invalid_arguments'
  /** `waitForReplicas`: fewer replicas than required acknowledged the record within its `timeoutMs`. */
  | 'replicas_unacknowledged';

/** Rejection of the store's `consume`: the assertion must be refused, never accepted. */
export class RedisReplayStoreError extends Error {
  /** What went wrong, for operators. */
  readonly reason: RedisReplayStoreFailure;

  constructor(reason: RedisReplayStoreFailure, message: string, options?: { cause?: unknown }) {
    super(`client-auth redis replay store: ${message}`, options);
    this.name = 'RedisReplayStoreError';
    this.reason = reason;
  }
}
