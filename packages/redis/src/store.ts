/**
 * `redisReplayStore`: the core's {@link ReplayStore} on Redis. Each `consume` is ONE command,
 * `SET <prefix>{<client tag>}<digest> 1 PX <ttl> NX`: atomic on the server, one round trip, and one
 * key per call, so it works on Redis Cluster (a client's keys in one slot, clients spread out).
 * With `waitForReplicas`, a `WAIT` on the same connection follows it. It fails closed: whatever
 * goes wrong, `consume` rejects, and the core answers 503 instead of accepting the assertion.
 *
 * @see https://redis.io/docs/latest/commands/set/
 */
import type { ReplayStore } from '@client-auth/core';
import { checkOptionNames, optionNames } from '@client-auth/core/adapter';
import { type ConnectionState, notReady, withTimeout } from './call.js';
import { RedisReplayStoreError } from './errors.js';
import { DEFAULT_PREFIX, prefixProblem, replayKey } from './key.js';
import { setThenWaitOf, type WaitForReplicasOptions } from './replicas.js';

/** The options of the one command the store sends (node-redis v5 `SetOptions`). */
export interface SetNxPxOptions {
  expiration: { type: 'PX'; value: number };
  condition: 'NX';
}

/**
 * What the store needs from a Redis client: node-redis v5's `createClient()` and `createCluster()`
 * results fit as they are; ioredis fits through {@link fromIoredis}.
 */
export interface RedisSetClient extends ConnectionState {
  /** `SET key value PX ms NX`; resolves `'OK'` when the key was set and `null` when it existed. */
  set(key: string, value: string, options: SetNxPxOptions): Promise<unknown>;
}

/** Options of {@link redisReplayStore}. */
export interface RedisReplayStoreOptions {
  /** A connected client: see the README for the recommended options (`recommendedClientOptions`). */
  client: RedisSetClient;
  /** Prepended to every key, to share a database with other data. Default `'client-auth:jti:'`. */
  prefix?: string;
  /** Milliseconds to wait for Redis before rejecting. Default 200. */
  timeout?: number;
  /**
   * Seconds a record outlives the `expiresAt` the core passes. That `expiresAt` is already the
   * assertion's `exp` plus the authenticator's `clockTolerance` (the last moment the verifier still
   * accepts it), so this is NOT the clock tolerance again: it is an extra retention margin for
   * clocks that differ between your server instances, since an instance whose clock is behind the
   * recording one's still accepts the assertion after the record's expiry. Default 15.
   */
  retentionMargin?: number;
  /** Clock in milliseconds since the epoch. Default `Date.now`. */
  now?: () => number;
  /**
   * Accept an assertion only once `replicas` replicas acknowledged its record (`WAIT replicas
   * timeoutMs` after the SET, on the same node). Fewer acknowledgements within `timeoutMs`: the
   * store rejects (reason `replicas_unacknowledged`) and the core answers 503. Costs one more round
   * trip plus the replication delay per assertion; see the README. Default off.
   */
  waitForReplicas?: WaitForReplicasOptions;
}

const OPTION_NAMES = optionNames<RedisReplayStoreOptions>({
  client: true,
  prefix: true,
  timeout: true,
  retentionMargin: true,
  now: true,
  waitForReplicas: true,
});

const WAIT_OPTION_NAMES = optionNames<WaitForReplicasOptions>({ replicas: true, timeoutMs: true });

/** Default of {@link RedisReplayStoreOptions.timeout}, in milliseconds. */
export const DEFAULT_TIMEOUT = 200;
/** Default of {@link RedisReplayStoreOptions.retentionMargin}, in seconds. */
export const DEFAULT_RETENTION_MARGIN = 15;
const MAX_PREFIX_LENGTH = 256;

/** RedisReplayStoreError for a command that timed out or failed. */
const timedOut = (ms: number) => () => new RedisReplayStoreError('timeout', `Redis did not answer within ${ms} ms`);
const commandFailed = (cause: unknown) =>
  new RedisReplayStoreError('command_failed', 'the SET command failed', { cause });

function fail(message: string): never {
  throw new TypeError(`client-auth redis: ${message}`);
}

function checkNumber(value: unknown, name: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) fail(`${name} must be a number ≥ ${min}`);
  return value;
}

/** The record's lifetime: until `expiresAt` plus the margin, at least 1 ms (PX must be positive). */
function timeToLive(expiresAt: number, now: number, marginMs: number): number {
  return Math.max(1, Math.ceil(expiresAt - now + marginMs));
}

function isOk(reply: unknown): boolean {
  // A client with a RESP type mapping may hand the simple string over as a Buffer.
  return reply === 'OK' || (Buffer.isBuffer(reply) && reply.toString('latin1') === 'OK');
}

/**
 * A {@link ReplayStore} shared by every server instance that uses the same Redis.
 *
 * `consume` resolves `true` when this (client_id, jti) pair is recorded for the first time, `false`
 * when it already was, and rejects with {@link RedisReplayStoreError} when the client is not
 * connected, Redis fails, or no answer comes within `timeout`. It never resolves `true` without
 * Redis having set the key.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis'
 * import { recommendedClientOptions, redisReplayStore } from '@client-auth/redis'
 *
 * const redis = createClient(recommendedClientOptions(process.env.REDIS_URL!))
 * redis.on('error', (err) => console.error('redis:', err.message)) // without a listener, errors crash the process
 * await redis.connect()
 * const auth = createClientAuthenticator({ issuer, getClient, replayStore: redisReplayStore({ client: redis }) })
 * ```
 * @see https://openid.net/specs/openid-connect-core-1_0.html#ClientAuthentication (jti: "MUST only be used once")
 */
export function redisReplayStore(options: RedisReplayStoreOptions): ReplayStore {
  if (options === null || typeof options !== 'object') fail('options must be an object');
  // Renamed in 0.x without an alias: the old name read as "the authenticator's clock tolerance" and
  // invited counting it twice; refusing it at setup beats ignoring it silently.
  if ((options as { clockTolerance?: unknown }).clockTolerance !== undefined) {
    fail('clockTolerance was renamed retentionMargin (seconds added to the expiresAt the core passes)');
  }
  checkOptionNames(options, OPTION_NAMES, 'redisReplayStore()', fail);
  const { client } = options;
  if (client === null || typeof client !== 'object' || typeof client.set !== 'function') {
    fail('client must be a node-redis v5 client (or fromIoredis(client)) with a set() method');
  }
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const problem = prefixProblem(prefix, MAX_PREFIX_LENGTH);
  if (problem !== undefined) fail(problem);
  const timeout = checkNumber(options.timeout, 'timeout', DEFAULT_TIMEOUT, 1);
  const record = recorder(client, options.waitForReplicas, timeout);
  const marginMs = checkNumber(options.retentionMargin, 'retentionMargin', DEFAULT_RETENTION_MARGIN, 0) * 1000;
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') fail('now must be a function');
  const onTimeout = timedOut(timeout);

  async function consume(clientId: string, jti: string, expiresAt: number): Promise<boolean> {
    if (typeof clientId !== 'string' || typeof jti !== 'string' || !Number.isFinite(expiresAt)) {
      throw new RedisReplayStoreError('invalid_arguments', 'consume needs two strings and a finite expiry');
    }
    // Not connected: answer at once instead of queueing behind a reconnect (fail closed, fast).
    if (notReady(client)) throw new RedisReplayStoreError('not_ready', 'the Redis client is not connected');
    const key = replayKey(prefix, clientId, jti);
    const ttl = timeToLive(expiresAt, now(), marginMs);
    // The timeout bounds the SET and the WAIT together.
    const { set, acknowledged } = await withTimeout(
      () => record(key, { expiration: { type: 'PX', value: ttl }, condition: 'NX' }),
      timeout,
      onTimeout,
      commandFailed,
    );
    if (set === null) return false;
    if (!isOk(set)) throw new RedisReplayStoreError('unexpected_reply', 'SET … NX answered neither OK nor nil');
    if (options.waitForReplicas === undefined) return true;
    if (typeof acknowledged !== 'number')
      throw new RedisReplayStoreError('unexpected_reply', 'WAIT did not answer an integer');
    // Fewer replicas hold the record than asked for: a failover now could lose it, and the
    // promoted replica would accept the assertion again. Refuse it (fail closed).
    if (acknowledged < options.waitForReplicas.replicas) {
      throw new RedisReplayStoreError(
        'replicas_unacknowledged',
        `${acknowledged} of ${options.waitForReplicas.replicas} replicas acknowledged the record within ${options.waitForReplicas.timeoutMs} ms`,
      );
    }
    return true;
  }

  return { consume };
}

/** How `consume` writes: SET alone, or SET then WAIT (checked at setup). */
function recorder(
  client: RedisSetClient,
  wait: WaitForReplicasOptions | undefined,
  timeout: number,
): (key: string, options: SetNxPxOptions) => Promise<{ set: unknown; acknowledged?: unknown }> {
  if (wait === undefined) return async (key, options) => ({ set: await client.set(key, '1', options) });
  if (wait === null || typeof wait !== 'object') fail('waitForReplicas must be an object { replicas, timeoutMs }');
  checkOptionNames(wait, WAIT_OPTION_NAMES, 'redisReplayStore() waitForReplicas', fail);
  if (!Number.isSafeInteger(wait.replicas) || wait.replicas < 1)
    fail('waitForReplicas.replicas must be a positive integer');
  // WAIT's timeout 0 blocks forever; at or above the store's timeout, the store would give up first.
  if (!Number.isSafeInteger(wait.timeoutMs) || wait.timeoutMs < 1 || wait.timeoutMs >= timeout) {
    fail(`waitForReplicas.timeoutMs must be a positive integer below timeout (${timeout} ms)`);
  }
  const setThenWait = setThenWaitOf(client);
  if (setThenWait === undefined) {
    fail('waitForReplicas needs a node-redis v5 client or cluster (not a pool), or fromIoredis(client)');
  }
  const checked = { replicas: wait.replicas, timeoutMs: wait.timeoutMs };
  return (key, options) => setThenWait(key, '1', options, checked);
}
