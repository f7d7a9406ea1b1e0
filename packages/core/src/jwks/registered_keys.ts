/**
 * The client's registered keys: the JWK Set it registered inline (`jwks`) or by reference
 * (`jwks_uri`, RFC 7591 §2), fetched through the guarded fetch and cached per authenticator.
 * Used by `private_key_jwt` and by `self_signed_tls_client_auth` (the `x5c` of registered JWKs,
 * RFC 8705 §2.2). Keys never come from the JWS header (`jwk`, `jku`, `x5u`, `x5c`).
 */
import { InvalidClient } from '../errors.js';
import type { ClientJWK, ClientMetadata } from '../types.js';
import type { JwksCache } from './cache.js';
import { jwkSetKeys } from './key_set.js';

/** What {@link registeredKeys} reads from the configuration (the authenticator's `Config`). */
export interface RegisteredKeysConfig {
  readonly jwksCache: JwksCache;
}

/** The checked `jwks_uri` of a client, or an `invalid_client` for a malformed registration. */
function jwksUri(value: unknown, allowHttp: boolean): URL {
  if (typeof value !== 'string') throw new InvalidClient('ERR_CLIENT_METADATA_INVALID');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidClient('ERR_CLIENT_METADATA_INVALID');
  }
  // FAPI 1 Part 2 §8.9, FAPI 2 §5.4.2: jwks_uri only over TLS. No credentials in the URL.
  const schemeOk = url.protocol === 'https:' || (allowHttp && url.protocol === 'http:');
  if (!schemeOk || url.username !== '' || url.password !== '') throw new InvalidClient('ERR_CLIENT_METADATA_INVALID');
  return url;
}

/** Options of {@link registeredKeys}. */
export interface RegisteredKeysOptions {
  /**
   * Ask for a re-fetch of a `jwks_uri` (an unknown `kid`, or a certificate that matches no `x5c`).
   * Honoured at most once per cool-down per client; ignored for inline `jwks`.
   */
  refresh?: boolean;
}

/**
 * The JWKs a client registered: its inline `jwks`, or the keys at its `jwks_uri` (cached), or
 * none. Answered synchronously for inline `jwks` (the hot path of `private_key_jwt`), through a
 * promise for a `jwks_uri`. Fails with `invalid_client`: `ERR_CLIENT_METADATA_INVALID` for a
 * malformed registration (both `jwks` and `jwks_uri`, RFC 7591 §2; thrown synchronously),
 * `ERR_JWKS_URI_REFUSED` when the SSRF guard refused the `jwks_uri` target,
 * `ERR_JWKS_UNAVAILABLE` when it cannot be fetched otherwise (in both cases a rejection, and only
 * when no good keys are within their grace period).
 *
 * @example
 * ```ts
 * const keys = await registeredKeys(client, config)
 * const again = await registeredKeys(client, config, { refresh: true }) // after an unknown kid
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-2
 */
export function registeredKeys(
  client: ClientMetadata,
  config: RegisteredKeysConfig,
  options: RegisteredKeysOptions = {},
): ClientJWK[] | Promise<ClientJWK[]> {
  const inline = client.jwks;
  const uri = client.jwks_uri;
  // RFC 7591 §2: "The jwks_uri and jwks parameters MUST NOT both be present in the same request or response."
  if (inline !== undefined && uri !== undefined) throw new InvalidClient('ERR_CLIENT_METADATA_INVALID');
  if (inline !== undefined) {
    const keys = jwkSetKeys(inline);
    if (keys === undefined) throw new InvalidClient('ERR_CLIENT_METADATA_INVALID');
    return keys;
  }
  if (uri === undefined) return [];
  const cache = config.jwksCache;
  return cache.get(client.client_id, jwksUri(uri, cache.options.allowHttp), options.refresh === true);
}
