/**
 * `redisReplayStore`: the core's {@link ReplayStore} on Redis. Each `consume` is ONE command,
 * `SET <prefix><digest> 1 PX <ttl> NX`: atomic on the server, one round trip, and one key per call,
 * so it works unchanged on Redis Cluster. It fails closed: whatever goes wrong, `consume` rejects,
 * and the core answers 503 instead of accepting the assertion.
 *
 * @see https://redis.io/docs/latest/commands/set/
 */
import type { ReplayStore } from '@client-auth/core';
import { checkOptionNames, optionNames } from '@client-auth/core/adapter';
import { type ConnectionState, notReady, withTimeout } from './call.js';
import { RedisReplayStoreError } from './errors.js';
import { DEFAULT_PREFIX, replayKey } from './key.js';

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
}

const OPTION_NAMES = optionNames<RedisReplayStoreOptions>({
  client: true,
  prefix: true,
  timeout: true,
  retentionMargin: true,
  now: true,
});

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
  if (typeof prefix !== 'string' || prefix.length > MAX_PREFIX_LENGTH) {
    fail(`prefix must be a string of at most ${MAX_PREFIX_LENGTH} characters`);
  }
  const timeout = checkNumber(options.timeout, 'timeout', DEFAULT_TIMEOUT, 1);
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
    const reply = await withTimeout(
      () => client.set(key, '1', { expiration: { type: 'PX', value: ttl }, condition: 'NX' }),
      timeout,
      onTimeout,
      commandFailed,
    );
    if (isOk(reply)) return true;
    if (reply === null) return false;
    throw new RedisReplayStoreError('unexpected_reply', 'SET … NX answered neither OK nor nil');
  }

  return { consume };
}
