/**
 * `redisFailureLimiter`: the core's {@link FailureLimiter} on Redis, so that every instance of the
 * authorization server counts the failures of a client_id together (RFC 6749 §2.3.1: the AS "MUST
 * protect any endpoint utilizing it against brute force attacks").
 *
 * Two keys per client_id, in one hash slot (`{digest}`, so the scripts run on Redis Cluster):
 * `<prefix>{<digest>}:f` counts failures (INCR, PEXPIRE on the first of a window) and
 * `<prefix>{<digest>}:b` marks a block (SET PX). Each operation is ONE Lua script: atomic, one
 * round trip. It fails closed: whatever goes wrong, the call rejects, and the core answers 503.
 */
import { createHash } from 'node:crypto';
import type { FailureLimiter } from '@client-auth/core';
import { type ConnectionState, notReady, withTimeout } from './call.js';

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

// KEYS[1] counter, KEYS[2] block marker; ARGV: maxFailures, windowMs, blockMs.
const RECORD = `local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if n >= tonumber(ARGV[1]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  redis.call('DEL', KEYS[1])
end
return n`;
const BLOCKED = `return redis.call('PTTL', KEYS[2])`;
const RESET = `return redis.call('DEL', KEYS[1], KEYS[2])`;

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
 * The two keys of a client_id: a fixed prefix, a SHA-256 digest in a hash tag (bounded length
 * whatever the client_id, and both keys in one Cluster slot), and a suffix.
 */
export function failureKeys(prefix: string, clientId: string): [string, string] {
  const digest = createHash('sha256').update(clientId, 'utf8').digest('base64url');
  return [`${prefix}{${digest}}:f`, `${prefix}{${digest}}:b`];
}

/**
 * A {@link FailureLimiter} shared by every server instance that uses the same Redis.
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
  const { client } = options;
  if (client === null || typeof client !== 'object' || typeof client.eval !== 'function') {
    fail('client must be a node-redis v5 client (or fromIoredis(client)) with an eval() method');
  }
  const prefix = options.prefix ?? DEFAULT_FAILURE_PREFIX;
  if (typeof prefix !== 'string' || prefix.length > MAX_PREFIX_LENGTH) {
    fail(`prefix must be a string of at most ${MAX_PREFIX_LENGTH} characters`);
  }
  const maxFailures = positiveInteger(options.maxFailures, 'maxFailures', 10);
  const windowMs = positiveInteger(options.windowSeconds, 'windowSeconds', 60) * 1000;
  const blockMs = positiveInteger(options.blockSeconds, 'blockSeconds', 300) * 1000;
  const timeout = positiveInteger(options.timeout, 'timeout', 200);
  const onTimeout = timedOut(timeout);

  async function run(script: string, clientId: string, args: string[]): Promise<unknown> {
    if (notReady(client)) throw new RedisFailureLimiterError('not_ready', 'the Redis client is not connected');
    const keys = failureKeys(prefix, clientId);
    return withTimeout(() => client.eval(script, { keys, arguments: args }), timeout, onTimeout, commandFailed);
  }

  return {
    async blockedFor(clientId) {
      const pttl = await run(BLOCKED, clientId, []);
      if (typeof pttl !== 'number')
        throw new RedisFailureLimiterError('unexpected_reply', 'PTTL did not answer a number');
      return pttl > 0 ? Math.ceil(pttl / 1000) : 0;
    },
    async recordFailure(clientId) {
      const count = await run(RECORD, clientId, [String(maxFailures), String(windowMs), String(blockMs)]);
      if (typeof count !== 'number')
        throw new RedisFailureLimiterError('unexpected_reply', 'INCR did not answer a number');
    },
    async reset(clientId) {
      await run(RESET, clientId, []);
    },
  };
}
