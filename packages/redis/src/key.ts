/**
 * The Redis key of one (client_id, jti) pair: a fixed prefix, a hash tag derived from the client_id
 * and a SHA-256 digest of the pair, so that every key has the same bounded length whatever a client
 * puts in its `jti`, no pair of strings can be spelled as another pair, and on Redis Cluster the
 * keys of one client share a hash slot while different clients spread over the slots.
 *
 * @see https://redis.io/docs/latest/operate/oss_and_stack/reference/cluster-spec/#hash-tags
 */
import { createHash } from 'node:crypto';

/** The prefix used when none is configured. */
export const DEFAULT_PREFIX = 'client-auth:jti:';

/** Length of the digest part of a key: base64url of 32 octets, without padding. */
export const DIGEST_LENGTH = 43;

/** Length of the client hash tag of a key, braces included: `{` + 16 base64url characters + `}`. */
export const CLIENT_TAG_LENGTH = 18;

function lengthPrefixed(value: string): Buffer {
  // Each field is its UTF-8 octets preceded by their count (32-bit big-endian): ("a:b", "c") and
  // ("a", "b:c") hash different inputs, where joining with a separator would not. A lone UTF-16
  // surrogate encodes as U+FFFD, so two ill-formed ids can share a key: that refuses a first use as
  // a replay, and can never accept a replay.
  const octets = Buffer.from(value, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(octets.length);
  return Buffer.concat([length, octets]);
}

/**
 * The Redis Cluster hash tag of a client: `{` + the first 16 base64url characters (96 bits) of
 * SHA-256(client_id) + `}`. Only the slot depends on it: two clients sharing a tag share a slot,
 * never a record (the digest after it covers the whole pair).
 */
export function clientHashTag(clientId: string): string {
  return `{${createHash('sha256').update(clientId, 'utf8').digest('base64url').slice(0, 16)}}`;
}

/**
 * The key that records `jti` of `clientId`: `prefix`, {@link clientHashTag}(client_id), then
 * base64url(SHA-256(len ‖ client_id ‖ len ‖ jti)).
 *
 * @example
 * ```ts
 * replayKey('client-auth:jti:', 's6BhdRkqt3', 'a1b2') // 'client-auth:jti:{' + 16 + '}' + 43 characters
 * ```
 */
export function replayKey(prefix: string, clientId: string, jti: string): string {
  const digest = createHash('sha256').update(lengthPrefixed(clientId)).update(lengthPrefixed(jti)).digest('base64url');
  return prefix + clientHashTag(clientId) + digest;
}

/**
 * Why `prefix` cannot prefix this package's keys, or undefined when it can. A brace would make
 * Redis Cluster read the hash tag from the prefix (the first `{…}` of a key wins), putting every
 * key of every client in one slot, or splitting the keys a script needs together over several.
 */
export function prefixProblem(prefix: unknown, maxLength: number): string | undefined {
  if (typeof prefix !== 'string' || prefix.length > maxLength)
    return `prefix must be a string of at most ${maxLength} characters`;
  if (prefix.includes('{') || prefix.includes('}')) {
    return 'prefix must not contain "{" or "}": Redis Cluster would take the hash tag from the prefix';
  }
  return undefined;
}
