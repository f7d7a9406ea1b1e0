/**
 * `redisReplayStore`: the core's {@link ReplayStore} on Redis. Each `consume` is ONE command,
 * `SET <prefix><digest> 1 PX <ttl> NX`: atomic on the server, one round trip, and one key per call,
 * so it works unchanged on Redis Cluster. It fails closed: whatever goes wrong, `consume` rejects,
 * and the core answers 503 instead of accepting the assertion.
 *
 * @see https://redis.io/docs/latest/commands/set/
 */
import type { ReplayStore } from '@client-auth/core';
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
export interface RedisSetClient {
  /** `SET key value PX ms NX`; resolves `'OK'` when the key was set and `null` when it existed. */
  set(key: string, value: string, options: SetNxPxOptions): Promise<unknown>;
  /** node-redis: false while closed or reconnecting. When `false`, nothing is sent. */
  readonly isReady?: boolean;
  /** node-redis cluster: false once closed. When `false`, nothing is sent. */
  readonly isOpen?: boolean;
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
   * Seconds a record outlives the assertion's `exp`: use the authenticator's clock tolerance, during
   * which the verifier still accepts an expired assertion. Default 15 (the core's default).
   */
  clockTolerance?: number;
  /** Clock in milliseconds since the epoch. Default `Date.now`. */
  now?: () => number;
}

/** Default of {@link RedisReplayStoreOptions.timeout}, in milliseconds. */
export const DEFAULT_TIMEOUT = 200;
/** Default of {@link RedisReplayStoreOptions.clockTolerance}, in seconds. */
export const DEFAULT_CLOCK_TOLERANCE = 15;
const MAX_PREFIX_LENGTH = 256;

function fail(message: string): never {
  throw new TypeError(`client-auth redis: ${message}`);
}

function checkNumber(value: unknown, name: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) fail(`${name} must be a number ≥ ${min}`);
  return value;
}

/** The record's lifetime: until `exp` plus the tolerance, at least 1 ms (PX must be positive). */
function timeToLive(expiresAt: number, now: number, toleranceMs: number): number {
  return Math.max(1, Math.ceil(expiresAt - now + toleranceMs));
}

function isOk(reply: unknown): boolean {
  // A client with a RESP type mapping may hand the simple string over as a Buffer.
  return reply === 'OK' || (Buffer.isBuffer(reply) && reply.toString('latin1') === 'OK');
}

function notReady(client: RedisSetClient): boolean {
  if (typeof client.isReady === 'boolean') return !client.isReady;
  return client.isOpen === false;
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
  const { client } = options;
  if (client === null || typeof client !== 'object' || typeof client.set !== 'function') {
    fail('client must be a node-redis v5 client (or fromIoredis(client)) with a set() method');
  }
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  if (typeof prefix !== 'string' || prefix.length > MAX_PREFIX_LENGTH) {
    fail(`prefix must be a string of at most ${MAX_PREFIX_LENGTH} characters`);
  }
  const timeout = checkNumber(options.timeout, 'timeout', DEFAULT_TIMEOUT, 1);
  const toleranceMs = checkNumber(options.clockTolerance, 'clockTolerance', DEFAULT_CLOCK_TOLERANCE, 0) * 1000;
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') fail('now must be a function');

  async function consume(clientId: string, jti: string, expiresAt: number): Promise<boolean> {
    if (typeof clientId !== 'string' || typeof jti !== 'string' || !Number.isFinite(expiresAt)) {
      throw new RedisReplayStoreError('invalid_arguments', 'consume needs two strings and a finite expiry');
    }
    // Not connected: answer at once instead of queueing behind a reconnect (fail closed, fast).
    if (notReady(client)) throw new RedisReplayStoreError('not_ready', 'the Redis client is not connected');
    const key = replayKey(prefix, clientId, jti);
    const ttl = timeToLive(expiresAt, now(), toleranceMs);
    const reply = await withTimeout(
      () => client.set(key, '1', { expiration: { type: 'PX', value: ttl }, condition: 'NX' }),
      timeout,
    );
    if (isOk(reply)) return true;
    if (reply === null) return false;
    throw new RedisReplayStoreError('unexpected_reply', 'SET … NX answered neither OK nor nil');
  }

  return { consume };
}

/** Run `command`, rejecting when it throws, rejects, or has not settled after `ms` milliseconds. */
function withTimeout<T>(command: () => Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      // Timers run before I/O in an event-loop turn: after a stall of the loop (CPU-bound work of
      // other requests) the answer may already be waiting in the socket. Look once more after the
      // I/O phase, so that only a Redis that really did not answer counts as a timeout.
      setImmediate(() => {
        if (settled) return;
        settled = true;
        // The command may still reach Redis and burn the jti: the request was refused either way.
        reject(new RedisReplayStoreError('timeout', `Redis did not answer within ${ms} ms`));
      });
    }, ms);
    const failed = (cause: unknown) => {
      clearTimeout(timer);
      if (settled) return;
      settled = true;
      reject(new RedisReplayStoreError('command_failed', 'the SET command failed', { cause }));
    };
    let pending: Promise<T>;
    try {
      pending = command();
    } catch (cause) {
      failed(cause);
      return;
    }
    Promise.resolve(pending).then((reply) => {
      clearTimeout(timer);
      if (settled) return;
      settled = true;
      resolve(reply);
    }, failed);
  });
}
