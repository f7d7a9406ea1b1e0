/**
 * A JWK Set (RFC 7517 §5) read as the keys a client may use: bounded, and with the members this
 * library cannot use skipped. Inline `jwks` and fetched `jwks_uri` documents are read alike.
 */
import type { ClientJWK } from '../types.js';

/**
 * The most keys a JWK Set may hold (inline `jwks` or fetched from `jwks_uri`); a larger set is
 * not used, so the client's assertions cannot be verified with it.
 *
 * @example
 * ```ts
 * // registration: refuse a JWK Set the authenticator would not use
 * if (registration.jwks.keys.length > MAX_JWKS_KEYS) throw new Error('too many keys')
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc7517#section-5
 */
export const MAX_JWKS_KEYS = 100;

/**
 * The usable keys of a JWK Set (RFC 7517 §5), or undefined when it is not one. Members that are
 * not objects with a string `kty` are skipped, as RFC 7517 §5 lets implementations ignore keys
 * they do not understand.
 */
export function jwkSetKeys(value: unknown): ClientJWK[] | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const keys = (value as { keys?: unknown }).keys;
  if (!Array.isArray(keys) || keys.length > MAX_JWKS_KEYS) return undefined;
  return keys.filter(
    (key): key is ClientJWK =>
      key !== null && typeof key === 'object' && !Array.isArray(key) && typeof key.kty === 'string',
  );
}
