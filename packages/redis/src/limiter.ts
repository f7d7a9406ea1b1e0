/**
 * `redisFailureLimiter`: the core's {@link FailureLimiter} on Redis, so that every instance of the
 * authorization server counts the failures of a key together (RFC 6749 §2.3.1: the AS "MUST
 * protect any endpoint utilizing it against brute force attacks").
 *
 * Three keys per limiter key, in one hash slot (`{digest}`, so the scripts run on Redis Cluster):
 * `<prefix>{<digest>}:f` counts failures (INCR, PEXPIRE on the first of a window),
 * `<prefix>{<digest>}:b` marks a block (SET PX), and `<prefix>{<digest>}:r` holds the attempts in
 * flight (a sorted set scored by the end of each one's lease, so that an attempt whose server died
 * before settling it lapses by itself). Each operation is ONE Lua script: atomic, one round trip.
 * It fails closed: whatever goes wrong, the call rejects, and the core answers 503.
 *
 * Every key has a TTL, so any eviction policy but `noeviction` may drop them — a `volatile-*`
 * policy evicts precisely keys with a TTL, a block marker included (see
 * {@link failureLimiterEvictionCheck}).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { FailureLimiter } from '@client-auth/core';
import { checkOptionNames, optionNames } from '@client-auth/core/adapter';
import { type ConnectionState, notReady, withTimeout } from './call.js';
import { prefixProblem } from './key.js';

/** What the limiter needs from a Redis client: node-redis v5 `eval`; ioredis through `fromIoredis`. */
export interface RedisEvalClient extends ConnectionState {
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

/** Options of {@link redisFailureLimiter}. */
export interface RedisFailureLimiterOptions {
  /** A connected client (see `recommendedClientOptions`), or `fromIoredis(client)`. */
  client: RedisEvalClient;
  /** Prepended to every key. Default `'client-auth:fail:'`. */
  prefix?: string;
  /** Failures allowed within `windowSeconds` before the client_id is blocked. Default 10. */
  maxFailures?: number;
  /** Window in which failures are counted, in seconds. Default 60. */
  windowSeconds?: number;
  /** How long a tripped client_id stays blocked, in seconds. Default 300. */
  blockSeconds?: number;
  /** Milliseconds to wait for Redis before rejecting. Default 200. */
  timeout?: number;
}

const OPTION_NAMES = optionNames<RedisFailureLimiterOptions>({
  client: true,
  prefix: true,
  maxFailures: true,
  windowSeconds: true,
  blockSeconds: true,
  timeout: true,
});

/** Why the limiter could not answer (the `reason` of {@link RedisFailureLimiterError}). */
export type RedisFailureLimiterFailure = 'not_ready' | 'timeout' | 'command_failed' | 'unexpected_reply';

/** Rejection of a limiter call: the core refuses the request with 503 (fail closed). */
export class RedisFailureLimiterError extends Error {
  readonly reason: RedisFailureLimiterFailure;
  constructor(reason: RedisFailureLimiterFailure, message: string, options?: { cause?: unknown }) {
    super(`client-auth redis failure limiter: ${message}`, options);
    this.name = 'RedisFailureLimiterError';
    this.reason = reason;
  }
}

/** The prefix used when none is configured. */
export const DEFAULT_FAILURE_PREFIX = 'client-auth:fail:';
const MAX_PREFIX_LENGTH = 256;

// KEYS: [1] failure counter, [2] block marker, [3] attempts in flight. The clock is Redis's own
// (TIME), so that every instance measures leases alike; read before any write (effects
// replication, the only mode of Redis 7 and the default since 5). Redis refuses a script under
// `maxmemory` with `noeviction` when its first write is one that adds memory: each script below
// writes in that order, so that a full Redis refuses new reservations and failures it cannot
// record (the core answers 503) while a block, a read, is still answered, and a release, which
// frees memory, still goes through.
const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

// ARGV: maxFailures, leaseMs, a unique member. Answers the block's PTTL (> 0), -1 when maxFailures
// attempts are in flight or failed, or 0 once the attempt is reserved.
const ATTEMPT = `local block = redis.call('PTTL', KEYS[2])
if block > 0 then return block end
${NOW}
local busy = redis.call('ZCOUNT', KEYS[3], '(' .. now, '+inf') + tonumber(redis.call('GET', KEYS[1]) or '0')
if busy >= tonumber(ARGV[1]) then return -1 end
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[2]), ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
redis.call('PEXPIRE', KEYS[3], ARGV[2])
return 0`;

// Release one attempt in flight, a live one (lapsed leases are dropped first).
const RELEASE = `redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
redis.call('ZPOPMIN', KEYS[3])`;

// ARGV: maxFailures, windowMs, blockMs. One attempt in flight becomes a failure; at maxFailures the
// key is blocked. A failure recorded while the key is blocked (its attempt began before the block)
// leaves the block as it is.
const FAILED = `${NOW}
if redis.call('EXISTS', KEYS[2]) == 1 then
  ${RELEASE}
  return 0
end
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
${RELEASE}
if n >= tonumber(ARGV[1]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  redis.call('DEL', KEYS[1])
end
return n`;

// Release one attempt in flight; failures are kept (a success is not a reset).
const SUCCEEDED = `${NOW}
${RELEASE}
return 1`;

/** RedisFailureLimiterError for a command that timed out or failed. */
const timedOut = (ms: number) => () => new RedisFailureLimiterError('timeout', `Redis did not answer within ${ms} ms`);
const commandFailed = (cause: unknown) =>
  new RedisFailureLimiterError('command_failed', 'the Redis command failed', { cause });

function fail(message: string): never {
  throw new TypeError(`client-auth redis: ${message}`);
}

function positiveInteger(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || (value as number) < 1) fail(`${name} must be a positive integer`);
  return value as number;
}

/**
 * The three keys of a limiter key (the core hands over `failureLimiterKey(clientId, address)`): a
 * fixed prefix, a SHA-256 digest in a hash tag (bounded length whatever the key, and all three in
 * one Cluster slot), and a suffix: failures, block, attempts in flight.
 */
export function failureKeys(prefix: string, key: string): [string, string, string] {
  const digest = createHash('sha256').update(key, 'utf8').digest('base64url');
  return [`${prefix}{${digest}}:f`, `${prefix}{${digest}}:b`, `${prefix}{${digest}}:r`];
}

/**
 * A {@link FailureLimiter} shared by every server instance that uses the same Redis. An attempt
 * in flight holds a lease of `windowSeconds`: one whose server died before settling it stops
 * counting then. Needs `maxmemory-policy noeviction` (or no `maxmemory`): check it at start with
 * {@link failureLimiterEvictionCheck}.
 *
 * @example
 * ```ts
 * const redis = createClient(recommendedClientOptions(process.env.REDIS_URL!))
 * redis.on('error', (err) => console.error('redis:', err.message))
 * await redis.connect()
 * createClientAuthenticator({ issuer, getClient, failureLimiter: redisFailureLimiter({ client: redis, maxFailures: 5 }) })
 * ```
 */
export function redisFailureLimiter(options: RedisFailureLimiterOptions): FailureLimiter {
  if (options === null || typeof options !== 'object') fail('options must be an object');
  checkOptionNames(options, OPTION_NAMES, 'redisFailureLimiter()', fail);
  const { client } = options;
  if (client === null || typeof client !== 'object' || typeof client.eval !== 'function') {
    fail('client must be a node-redis v5 client (or fromIoredis(client)) with an eval() method');
  }
  const prefix = options.prefix ?? DEFAULT_FAILURE_PREFIX;
  const problem = prefixProblem(prefix, MAX_PREFIX_LENGTH);
  if (problem !== undefined) fail(problem);
  const maxFailures = String(positiveInteger(options.maxFailures, 'maxFailures', 10));
  const windowMs = String(positiveInteger(options.windowSeconds, 'windowSeconds', 60) * 1000);
  const blockMs = String(positiveInteger(options.blockSeconds, 'blockSeconds', 300) * 1000);
  const timeout = positiveInteger(options.timeout, 'timeout', 200);
  const onTimeout = timedOut(timeout);

  async function run(script: string, key: string, args: string[]): Promise<number> {
    if (notReady(client)) throw new RedisFailureLimiterError('not_ready', 'the Redis client is not connected');
    const keys = failureKeys(prefix, key);
    const reply = await withTimeout(
      () => client.eval(script, { keys, arguments: args }),
      timeout,
      onTimeout,
      commandFailed,
    );
    if (typeof reply !== 'number')
      throw new RedisFailureLimiterError('unexpected_reply', 'the script did not answer a number');
    return reply;
  }

  return {
    async attempt(key) {
      const reply = await run(ATTEMPT, key, [maxFailures, windowMs, randomUUID()]);
      if (reply > 0) return Math.ceil(reply / 1000);
      // maxFailures attempts in flight (or failed and in flight): they settle within a verification.
      return reply === -1 ? 1 : 0;
    },
    async failed(key) {
      await run(FAILED, key, [maxFailures, windowMs, blockMs]);
    },
    async succeeded(key) {
      await run(SUCCEEDED, key, []);
    },
  };
}
