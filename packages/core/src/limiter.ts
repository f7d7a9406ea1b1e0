/**
 * Brute-force protection. RFC 6749 §2.3.1: "the authorization server MUST protect any endpoint
 * utilizing it against brute force attacks". A {@link FailureLimiter} bounds the number of
 * guesses at a client's secret: an attempt is *reserved* before the secret is verified (so that
 * concurrent guesses cannot all pass a check made before any of them is recorded), kept as a
 * failure when the credential is wrong, and released when it is right.
 *
 * Only requests that can guess a secret are counted (DESIGN.md §3: "failures are counted only
 * where guessing can succeed"); the authenticator decides that from the client's *registered*
 * method after the lookup, so garbage naming a `private_key_jwt` or mTLS client never blocks it.
 */
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { InvalidClient, isOAuthError, type OAuthError, TemporarilyUnavailable } from './errors.js';
import type { ClientAuthRequest } from './types.js';

/**
 * Counts failed guesses per key (derived from the client_id, and by default the source address).
 * Implementations may share state across instances (`redisFailureLimiter` of
 * `@client-auth/redis`). Each method rejects when the store cannot answer: the request is then
 * refused with 503, never let through unchecked.
 *
 * Semantics every implementation keeps: `attempt` is allowed while
 * `failures in the window + attempts in flight < maxFailures`, and atomically counts the new
 * attempt as in flight; `failed` turns one attempt in flight into a failure (and blocks the key for
 * the block period once failures reach `maxFailures`); `succeeded` releases one attempt in flight
 * and nothing else — a success never erases failures, so that guesses interleaved with a
 * legitimate client's successes under the same key are still bounded.
 *
 * @example
 * ```ts
 * const inner = memoryFailureLimiter({ maxFailures: 10, windowSeconds: 60, blockSeconds: 300 })
 * const failureLimiter: FailureLimiter = {
 *   async attempt(key) {
 *     const wait = await inner.attempt(key)
 *     if (wait > 0) log.warn({ key, wait }, 'client authentication blocked')
 *     return wait
 *   },
 *   failed: (key) => inner.failed(key),
 *   succeeded: (key) => inner.succeeded(key),
 * }
 * createClientAuthenticator({ issuer, getClient, failureLimiter })
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 */
export interface FailureLimiter {
  /**
   * Reserve one attempt for `key`. Resolves 0 when it is allowed (it now counts, as if it were a
   * failure, until `failed` or `succeeded` settles it), or the seconds to wait: the rest of a block,
   * or 1 when `maxFailures` attempts are in flight.
   */
  attempt(key: string): Promise<number>;
  /** The attempt reserved for `key` failed: keep it as a failure, and block `key` at `maxFailures`. */
  failed(key: string): Promise<void>;
  /** The attempt reserved for `key` succeeded: release that one reservation (not a reset). */
  succeeded(key: string): Promise<void>;
}

/**
 * What a custom {@link FailureLimiterKey} function receives: the client_id the request named, the
 * peer address, and the request, to read the client address a trusted proxy sets.
 *
 * @example
 * ```ts
 * const key = ({ clientId, address, request }: FailureKeyInput) => {
 *   const forwarded = request.headers['x-real-ip'] // set by your proxy, never by the client
 *   return failureLimiterKey(clientId, typeof forwarded === 'string' ? forwarded : address)
 * }
 * createClientAuthenticator({ issuer, getClient, failureLimiter, failureLimiterKey: key })
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 */
export interface FailureKeyInput {
  /** The client_id the request named (unverified; an unknown one too). */
  clientId: string;
  /** The peer address of the connection (`request.peerAddress`), when the adapter set it. */
  address: string | undefined;
  /** The whole neutral request, for a host that knows its proxies' client-address header. */
  request: ClientAuthRequest;
}

/**
 * What the failure limiter counts against:
 * - `'client-address'` (default): the client_id and the source address (IPv6 by its /56 prefix);
 *   an attacker can then only lock itself out, never the client at another address. Without a
 *   peer address (the core used without an adapter) it is the client_id alone.
 * - `'client'`: the client_id alone, a global bound per client, which anyone who knows the
 *   client_id can use to block it.
 * - a function: its string result (for example a client address taken from a trusted proxy's
 *   header). It must never return what the attacker controls freely, or the bound is gone.
 *
 * @example
 * ```ts
 * const failureLimiterKey: FailureLimiterKey = 'client' // one bound per client_id, whatever the address
 * createClientAuthenticator({ issuer, getClient, failureLimiter: memoryFailureLimiter(), failureLimiterKey })
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 */
export type FailureLimiterKey = 'client' | 'client-address' | ((input: FailureKeyInput) => string);

/**
 * IPv6 addresses are counted by their first 56 bits: one subscriber or cloud network usually
 * holds a whole /56 or /64 (express-rate-limit's `ipv6Subnet` default is 56), and counting by the
 * full address would give it 2^72 fresh counters.
 *
 * @example
 * ```ts
 * failureAddressScope('2001:db8:1234:5678::1') // '2001:db8:1234:5600::/56' (FAILURE_LIMITER_IPV6_PREFIX)
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6177
 */
export const FAILURE_LIMITER_IPV6_PREFIX = 56;

function unmapped(address: string): string {
  // A zone index (`fe80::1%eth0`) names the local interface, not the peer.
  const host = address.split('%', 1)[0] as string;
  // IPv4-mapped IPv6 (RFC 4291 §2.5.5.2), as dual-stack sockets report IPv4 peers.
  const match = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(host);
  return match ? (match[1] as string) : host;
}

/** The eight 16-bit groups of a valid IPv6 address (RFC 4291 §2.2 text forms). */
function ipv6Groups(address: string): number[] {
  const [head = '', tail] = address.split('::') as [string, string | undefined];
  const parse = (part: string): number[] => {
    if (part === '') return [];
    const groups: number[] = [];
    for (const piece of part.split(':')) {
      if (piece.includes('.')) {
        // An embedded IPv4 address is the last two groups (RFC 4291 §2.2 item 3).
        const [a = 0, b = 0, c = 0, d = 0] = piece.split('.').map(Number);
        groups.push((a << 8) | b, (c << 8) | d);
      } else groups.push(Number.parseInt(piece, 16));
    }
    return groups;
  };
  const left = parse(head);
  if (tail === undefined) return left;
  const right = parse(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/**
 * The part of a peer address a failure is counted against: IPv4 whole, IPv6 by its /56 (an
 * IPv4-mapped IPv6 address as its IPv4 address). The `'client-address'` key is made of it.
 *
 * @example
 * ```ts
 * failureAddressScope('::ffff:203.0.113.7')      // '203.0.113.7'
 * failureAddressScope('2001:db8:1234:5678::1')   // '2001:db8:1234:5600::/56'
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 */
export function failureAddressScope(address: string): string {
  const host = unmapped(address);
  const family = isIP(host);
  if (family !== 6) return host;
  const groups = ipv6Groups(host);
  const kept = groups.slice(0, 4).map((group, index) => (index === 3 ? group & 0xff00 : group));
  return `${kept.map((group) => group.toString(16)).join(':')}::/${FAILURE_LIMITER_IPV6_PREFIX}`;
}

/**
 * Longest key handed to a limiter; a longer one is replaced by a SHA-256 digest. A custom
 * limiter's store can size its keys by it.
 *
 * @example
 * ```ts
 * failureLimiterKey('x'.repeat(5000)).length <= MAX_FAILURE_LIMITER_KEY_LENGTH // true
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 */
export const MAX_FAILURE_LIMITER_KEY_LENGTH = 128;

/**
 * Bound a tagged key. The first character tags what it is made of (`c` client, `a` client and
 * address, `f` a key function's result, `h` a digest), so that no two modes, and no key and
 * digest, spell the same key. Hashing only long keys keeps the common case cheap (a SHA-256 costs
 * several microseconds, more than the rest of a secret check).
 */
function bounded(key: string): string {
  if (key.length <= MAX_FAILURE_LIMITER_KEY_LENGTH) return key;
  return `h${createHash('sha256').update(key, 'utf8').digest('base64url')}`;
}

/**
 * The key the built-in modes hand the limiter: the client_id and, for `'client-address'`, the
 * address scope (IPv6 by its /56), at most {@link MAX_FAILURE_LIMITER_KEY_LENGTH} characters (a
 * SHA-256 digest beyond), so that a long client_id costs a limiter no more memory than a short
 * one. Useful to unblock a client by hand (`failureKeys(prefix, failureLimiterKey(clientId,
 * address))` in Redis).
 *
 * @example
 * ```ts
 * failureLimiterKey('s6BhdRkqt3')                 // the key of the 'client' mode
 * failureLimiterKey('s6BhdRkqt3', '203.0.113.7')  // the key of the 'client-address' mode
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 */
export function failureLimiterKey(clientId: string, address?: string): string {
  if (address === undefined) return bounded(`c${clientId}`);
  const scope = failureAddressScope(address);
  // Length-prefixed: no (address, client_id) pair spells another.
  return bounded(`a${scope.length}:${scope}${clientId}`);
}

function limiterUnavailable(cause: unknown): OAuthError {
  // A limiter may say precisely why it refuses (the memory limiter when full): a 5xx passes.
  if (isOAuthError(cause) && cause.status >= 500) return cause;
  return new TemporarilyUnavailable('ERR_FAILURE_LIMITER_UNAVAILABLE', { cause });
}

/**
 * The key of one request under `mode`. A custom function that throws or answers anything but a
 * non-empty string fails closed (503), like a limiter that cannot answer.
 */
export function limiterKeyOf(mode: FailureLimiterKey, clientId: string, request: ClientAuthRequest): string {
  const address = request.peerAddress;
  if (mode === 'client' || (mode === 'client-address' && address === undefined)) return failureLimiterKey(clientId);
  if (mode === 'client-address') return failureLimiterKey(clientId, address);
  let key: unknown;
  try {
    key = mode({ clientId, address, request });
  } catch (cause) {
    throw limiterUnavailable(cause);
  }
  if (typeof key !== 'string' || key === '') {
    throw limiterUnavailable(new TypeError('failureLimiterKey did not return a non-empty string'));
  }
  return bounded(`f${key}`);
}

/**
 * Reserve an attempt before the secret is verified. A key that must wait is refused without its
 * credential being checked (`ERR_TOO_MANY_FAILURES`, `Retry-After`): RFC 6749 §5.2 — a client that
 * authenticated with the Authorization header gets 401 with a `WWW-Authenticate` challenge of its
 * scheme (set by the authenticator on every 401); credentials in the body get 429 Too Many Requests
 * (RFC 6585 §4). A limiter that cannot answer refuses too (503).
 */
export function reserveAttempt(limiter: FailureLimiter, key: string, authorizationHeader: boolean): Promise<void> {
  let pending: Promise<number>;
  try {
    pending = Promise.resolve(limiter.attempt(key));
  } catch (cause) {
    return Promise.reject(limiterUnavailable(cause));
  }
  // Not an async function: one promise less per counted request.
  return pending.then(
    (seconds: unknown) => {
      if (typeof seconds !== 'number' || Number.isNaN(seconds) || seconds < 0) {
        throw limiterUnavailable(new TypeError('attempt did not resolve a number ≥ 0'));
      }
      if (seconds > 0) {
        throw new InvalidClient('ERR_TOO_MANY_FAILURES', {
          status: authorizationHeader ? 401 : 429,
          retryAfter: Math.ceil(seconds),
        });
      }
    },
    (cause: unknown) => {
      throw limiterUnavailable(cause);
    },
  );
}

/**
 * Settle the attempts of a refused request. A 4xx is a verdict on the credential: each reserved
 * attempt becomes a failure, and a limiter that cannot record it turns the answer into a 503
 * (fail closed). A 5xx says nothing about the credential (a store was down): the attempts are
 * released. Resolves the error to answer with.
 */
export async function settleRefused(
  limiter: FailureLimiter,
  keys: readonly string[],
  error: OAuthError,
): Promise<OAuthError> {
  if (error.status >= 500) {
    await settleSucceeded(limiter, keys);
    return error;
  }
  try {
    await Promise.all(keys.map((key) => limiter.failed(key)));
    return error;
  } catch (cause) {
    return limiterUnavailable(cause);
  }
}

/**
 * Release the attempts of a request that authenticated. A limiter that cannot do it does not turn
 * a proven client away: in Redis its reservation lapses by itself (a lease of one window).
 */
export function settleSucceeded(limiter: FailureLimiter, keys: readonly string[]): Promise<void> {
  // One key in all but the unencoded Basic retry under another client_id.
  if (keys.length === 1) return release(limiter, keys[0] as string);
  return Promise.all(keys.map((key) => release(limiter, key))).then(ignore);
}

function release(limiter: FailureLimiter, key: string): Promise<void> {
  try {
    return Promise.resolve(limiter.succeeded(key)).then(ignore, ignore);
  } catch {
    return Promise.resolve();
  }
}

function ignore(): void {}
