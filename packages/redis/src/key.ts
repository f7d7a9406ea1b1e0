/**
 * The Redis key of one (client_id, jti) pair: a fixed prefix and a SHA-256 digest, so that every
 * key has the same bounded length whatever a client puts in its `jti`, and no pair of strings can
 * be spelled as another pair.
 */
import { createHash } from 'node:crypto';

/** The prefix used when none is configured. */
export const DEFAULT_PREFIX = 'client-auth:jti:';

/** Length of the digest part of a key: base64url of 32 octets, without padding. */
export const DIGEST_LENGTH = 43;

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
 * The key that records `jti` of `clientId`: `prefix` followed by base64url(SHA-256(len ‖ client_id
 * ‖ len ‖ jti)).
 *
 * @example
 * ```ts
 * replayKey('client-auth:jti:', 's6BhdRkqt3', 'a1b2') // 'client-auth:jti:' + 43 characters
 * ```
 */
export function replayKey(prefix: string, clientId: string, jti: string): string {
  const digest = createHash('sha256').update(lengthPrefixed(clientId)).update(lengthPrefixed(jti)).digest('base64url');
  return prefix + digest;
}
