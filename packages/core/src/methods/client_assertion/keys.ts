/**
 * Key selection for a client assertion, from the client's *registration* only (never `jwk`, `jku`,
 * `x5u` or `x5c` from the header): the registered JWKs that fit the algorithm (and `kid`), or the
 * client's retrievable secrets for `client_secret_jwt`; imported once per authenticator.
 */
import { type CryptoKey, importJWK } from 'jose';
import { keyFitsAlgorithm, MIN_HMAC_SECRET_OCTETS, rsaModulusBits } from '../../algorithms.js';
import type { Config } from '../../config.js';
import { registeredKeys } from '../../jwks/registered_keys.js';
import { rsaJwkExponent, rsaKeyVerdict } from '../../rsa_keys.js';
import { isExpired, secretEntries } from '../../secrets/check.js';
import type { ClientJWK, ClientMetadata } from '../../types.js';
import { type Awaitable, andThen } from '../method.js';
import { refuse } from './refuse.js';

/**
 * Most registered keys (or secrets) tried for one assertion without a usable `kid`: the keys that
 * fit its `alg`, in registration order. Give each registered key a `kid` when a client has more.
 *
 * @example
 * ```ts
 * const unkeyed = client.jwks?.keys.filter((jwk) => jwk.kid === undefined) ?? []
 * if (unkeyed.length > MAX_KEY_CANDIDATES) console.warn('keys without kid beyond the eighth are never tried')
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc7515#section-4.1.4
 */
export const MAX_KEY_CANDIDATES = 8;

/** A key `jose.compactVerify` accepts. */
export type VerificationKey = Uint8Array | CryptoKey;

/** Only the public members: a registered JWK that carries private parts is still used as public. */
function publicJwk(jwk: ClientJWK): Record<string, unknown> {
  if (jwk.kty === 'RSA') return { kty: 'RSA', n: jwk.n, e: jwk.e };
  if (jwk.kty === 'EC') return { kty: 'EC', crv: jwk.crv, x: jwk.x, y: jwk.y };
  return { kty: jwk.kty, crv: jwk.crv, x: jwk.x };
}

const encoder = new TextEncoder();

/**
 * The imported keys of one authenticator (an import costs more than a verify), created with it and
 * collected with it; weakly keyed by the registered JWK or client object, so that a key or client
 * the host drops is dropped here too.
 */
export class AssertionKeys {
  /** Public keys per registered JWK and algorithm: the import while it runs, then the key itself. */
  readonly #imported = new WeakMap<object, Map<string, VerificationKey | Promise<VerificationKey>>>();
  /** RSA modulus sizes per registered JWK. */
  readonly #modulusBits = new WeakMap<object, number>();
  /** MAC keys per client object and algorithm + secret. */
  readonly #secrets = new WeakMap<object, Map<string, Promise<VerificationKey>>>();

  /** The public key of a registered JWK for `alg`, imported on first use. */
  importKey(jwk: ClientJWK, alg: string): VerificationKey | Promise<VerificationKey> {
    let byAlg = this.#imported.get(jwk);
    if (byAlg === undefined) {
      byAlg = new Map();
      this.#imported.set(jwk, byAlg);
    }
    let key = byAlg.get(alg);
    if (key === undefined) {
      const pending = importJWK(publicJwk(jwk), alg) as Promise<VerificationKey>;
      byAlg.set(alg, pending);
      pending.then(
        (imported) => {
          if (byAlg.get(alg) === pending) byAlg.set(alg, imported);
        },
        () => byAlg.delete(alg),
      );
      key = pending;
    }
    return key;
  }

  /** The modulus size of a registered RSA JWK. */
  modulusBits(jwk: ClientJWK): number {
    let bits = this.#modulusBits.get(jwk);
    if (bits === undefined) {
      bits = rsaModulusBits(jwk);
      this.#modulusBits.set(jwk, bits);
    }
    return bits;
  }

  /** The HMAC key of one of a client's secrets for `alg`, imported on first use. */
  importSecret(client: ClientMetadata, alg: string, secret: Uint8Array, text: string): Promise<VerificationKey> {
    let byClient = this.#secrets.get(client);
    if (byClient === undefined) {
      byClient = new Map();
      this.#secrets.set(client, byClient);
    }
    const cacheKey = `${alg}\n${text}`;
    let key = byClient.get(cacheKey);
    if (key === undefined) {
      const hash = `SHA-${alg.slice(2)}`;
      key = crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash }, false, ['verify']);
      byClient.set(cacheKey, key);
      key.catch(() => byClient.delete(cacheKey));
    }
    return key;
  }
}

/** Registered keys that may verify `alg` (and carry `kid`, when the header names one). */
function candidates(keys: readonly ClientJWK[], alg: string, kid: string | undefined): ClientJWK[] {
  return keys.filter((jwk) => keyFitsAlgorithm(jwk, alg) && (kid === undefined || jwk.kid === kid));
}

/**
 * The verification keys of a `private_key_jwt` assertion, from the client's registration only.
 * Synchronous for inline `jwks` whose keys were imported before (the usual case under load).
 */
export function asymmetricKeys(
  client: ClientMetadata,
  config: Config,
  cache: AssertionKeys,
  alg: string,
  kid: string | undefined,
): Awaitable<VerificationKey[]> {
  // A private_key_jwt client with no registered keys at all is misregistered (RFC 7591 §2).
  if (client.jwks === undefined && client.jwks_uri === undefined) refuse('ERR_CLIENT_METADATA_INVALID');
  return andThen(registeredKeys(client, config), (registered) => {
    const fitting = candidates(registered, alg, kid);
    if (fitting.length === 0 && client.jwks_uri !== undefined) {
      // An unknown kid (or no key of this type): the client may have rotated. One re-fetch per cool-down.
      return Promise.resolve(registeredKeys(client, config, { refresh: true })).then((keys) =>
        importFitting(candidates(keys, alg, kid), config, cache, alg),
      );
    }
    return importFitting(fitting, config, cache, alg);
  });
}

function importFitting(
  fitting: readonly ClientJWK[],
  config: Config,
  cache: AssertionKeys,
  alg: string,
): Awaitable<VerificationKey[]> {
  if (fitting.length === 0) refuse('ERR_ASSERTION_KEY_NOT_FOUND');
  // RSA keys below the minimum size, or outside the exponent and modulus bounds (rsa_keys.ts), are
  // never imported nor tried: their verification would cost what the attacker chose.
  let tooWeak = false;
  const usable = fitting.filter((jwk) => {
    if (jwk.kty !== 'RSA') return true;
    const verdict = rsaKeyVerdict(cache.modulusBits(jwk), rsaJwkExponent(jwk), config.minimumKeySizes.rsa);
    if (verdict === 'too-weak') tooWeak = true;
    return verdict === 'ok';
  });
  if (usable.length === 0) refuse(tooWeak ? 'ERR_ASSERTION_KEY_TOO_WEAK' : 'ERR_ASSERTION_KEY_UNSUITABLE');
  const imports = usable.slice(0, MAX_KEY_CANDIDATES).map((jwk) => cache.importKey(jwk, alg));
  if (!imports.some((key) => key instanceof Promise)) return imports as VerificationKey[];
  return Promise.allSettled(imports).then((settled) => {
    // A malformed registered key verifies nothing; the others may still do.
    const keys = settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    if (keys.length === 0) refuse('ERR_CLIENT_METADATA_INVALID');
    return keys;
  });
}

/** The MAC keys of a `client_secret_jwt` assertion: the client's retrievable, unexpired secrets. */
export async function hmacKeys(
  client: ClientMetadata,
  cache: AssertionKeys,
  alg: string,
  nowSeconds: number,
): Promise<VerificationKey[]> {
  const plain = secretEntries(client).filter(
    (entry): entry is { value: string; expires_at?: number } => 'value' in entry && typeof entry.value === 'string',
  );
  // A hashed secret cannot be a MAC key (DESIGN.md §3: a retrievable secret is needed).
  if (plain.length === 0) refuse('ERR_CLIENT_METADATA_INVALID');
  const active = plain.filter((entry) => !isExpired(entry, nowSeconds));
  if (active.length === 0) refuse('ERR_SECRET_EXPIRED');
  const minimum = MIN_HMAC_SECRET_OCTETS[alg as keyof typeof MIN_HMAC_SECRET_OCTETS];
  // OpenID Connect Core §16.19: at least as many octets as the hash output.
  const long = active
    .map((entry) => ({ text: entry.value, bytes: encoder.encode(entry.value) }))
    .filter((secret) => secret.bytes.length >= minimum);
  if (long.length === 0) refuse('ERR_ASSERTION_SECRET_TOO_SHORT');
  return Promise.all(
    long.slice(0, MAX_KEY_CANDIDATES).map((secret) => cache.importSecret(client, alg, secret.bytes, secret.text)),
  );
}
