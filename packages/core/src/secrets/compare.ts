/**
 * Constant-time comparison of a presented secret with a registered one, and the per-authenticator
 * memory of registered secrets already encoded for it.
 */
import { timingSafeEqual } from 'node:crypto';

/**
 * A registered secret ready for comparison: its UTF-8 octets, and a scratch buffer four octets
 * longer that the presented secret is encoded into (no allocation per check).
 */
export interface EncodedSecret {
  readonly bytes: Uint8Array;
  readonly scratch: Uint8Array;
  /** The first `bytes.length` octets of `scratch`. */
  readonly view: Uint8Array;
}

const encoder = new TextEncoder();

function encode(secret: string): EncodedSecret {
  // Copies with their own memory (a pooled Buffer would keep a whole shared slab alive).
  const bytes = new Uint8Array(Buffer.from(secret, 'utf8'));
  const scratch = new Uint8Array(bytes.length + 4);
  return { bytes, scratch, view: scratch.subarray(0, bytes.length) };
}

/** {@link constantTimeEqual} against an {@link EncodedSecret}. */
export function equalsEncoded(presented: string, expected: EncodedSecret): boolean {
  // `encodeInto` never splits a character and a character is at most 4 octets, so it writes exactly
  // `bytes.length` octets into the longer scratch only when the presented secret has that length.
  const sameLength = encoder.encodeInto(presented, expected.scratch).written === expected.bytes.length;
  // timingSafeEqual runs in full whatever the lengths (on a length mismatch `expected` is compared
  // with itself); the length check is folded in afterwards. (Encoding into a fresh zero-filled
  // `Buffer.alloc` per check cost 10x more: see bench/README.md.)
  return timingSafeEqual(sameLength ? expected.view : expected.bytes, expected.bytes) && sameLength;
}

/**
 * Compare two secrets in time that depends only on the length of `expected` (never on where the
 * first differing octet is, nor on the presented value beyond copying it).
 *
 * @example
 * ```ts
 * constantTimeEqual(presented, registered) // true only for the same UTF-8 octets
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 */
export function constantTimeEqual(presented: string, expected: string): boolean {
  return equalsEncoded(presented, encode(expected));
}

/**
 * Most registered secrets one authenticator keeps encoded; past it the oldest is dropped (and
 * encoded again if used). A bound on memory, not on clients: more secret clients only cost a
 * re-encoding.
 *
 * @example
 * ```ts
 * if (secretClients > MAX_ENCODED_SECRETS) log.info('rarely used secrets are encoded again on use')
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 */
export const MAX_ENCODED_SECRETS = 10_000;

/**
 * Registered secrets encoded for comparison, by value, so that a check encodes only the presented
 * secret, into memory it does not allocate (encoding the stored one was a third of a
 * `client_secret_post` check: bench/README.md). By value, not by client object: a host that builds
 * a new client object on every lookup (from a database) hits it as well as an in-memory registry,
 * and a secret changed in place is simply another value. Only registered values are ever keys or
 * looked up; the presented secret never touches the map. One per authenticator (its
 * `SecretCosts`), collected with it: no authenticator holds another's secrets.
 */
export class EncodedSecrets {
  readonly #map = new Map<string, EncodedSecret>();

  /** The encoding of a registered secret, made (and kept, first in first out) on first use. */
  get(value: string): EncodedSecret {
    let encoded = this.#map.get(value);
    if (encoded === undefined) {
      encoded = encode(value);
      if (this.#map.size >= MAX_ENCODED_SECRETS) this.#map.delete(this.#map.keys().next().value as string);
      this.#map.set(value, encoded);
    }
    return encoded;
  }

  /** True when a registered secret is kept encoded (its next check will not encode it afresh). */
  has(value: string): boolean {
    return this.#map.has(value);
  }

  /** Drop one encoding, so that the next check of that value encodes it afresh. */
  forget(value: string): void {
    this.#map.delete(value);
  }

  /** How many registered secrets are kept encoded. */
  get size(): number {
    return this.#map.size;
  }
}
