/**
 * The claims of a client assertion (RFC 7523 §3, OpenID Connect Core §9, rfc7523bis §4), checked
 * once its signature verified, and its `jti` recorded last, so that a forged or invalid assertion
 * can never burn a legitimate one.
 */
import type { AudienceMode, Config } from '../../config.js';
import { isPlainObject } from '../../credentials/assertion.js';
import { type ErrorCodeOf, isOAuthError, TemporarilyUnavailable } from '../../errors.js';
import type { EndpointName } from '../../types.js';
import type { ProtectedHeader } from './header.js';
import { refuse } from './refuse.js';

/**
 * Longest `jti` accepted (characters), so that a replay store's entries stay bounded. A longer one
 * is `invalid_client` `ERR_ASSERTION_CLAIMS_INVALID`.
 *
 * @example
 * ```ts
 * // a custom ReplayStore can size its keys by it
 * const key = (clientId: string, jti: string) => `jti:${clientId.length}:${clientId}${jti}` // jti ≤ MAX_JTI_LENGTH
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-3
 */
export const MAX_JTI_LENGTH = 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The claims set of a verified JWS payload: UTF-8 JSON (RFC 7519 §7.2 item 10: a JSON object), or
 * `invalid_client` with `invalid` (the client assertion's code, or the attestation's).
 */
export function verifiedClaims(payload: Uint8Array, invalid: ErrorCodeOf<'InvalidClient'>): Record<string, unknown> {
  let claims: unknown;
  try {
    claims = JSON.parse(utf8.decode(payload));
  } catch (cause) {
    refuse(invalid, cause);
  }
  if (!isPlainObject(claims)) refuse(invalid);
  return claims;
}

/**
 * Whether `aud` names this server, comparing only URLs from configuration (never from the
 * request): `'issuer'` when it is the issuer as sole value (rfc7523bis §4), `'compatible'` when
 * only the compatible mode accepts it, false when it names another audience.
 */
function audienceMatches(
  aud: unknown,
  mode: AudienceMode,
  config: Config,
  endpoint: EndpointName,
): 'issuer' | 'compatible' | false | 'invalid' {
  const values = typeof aud === 'string' ? [aud] : aud;
  if (!Array.isArray(values) || values.length === 0 || values.some((value) => typeof value !== 'string')) {
    return aud === undefined ? false : 'invalid';
  }
  if (mode === 'issuer-string') return typeof aud === 'string' && aud === config.issuer ? 'issuer' : false;
  // rfc7523bis §4: the issuer "as its sole value"; Document History -03: a one-element array too.
  if (values.length === 1 && values[0] === config.issuer) return 'issuer';
  if (mode === 'issuer') return false;
  // RFC 7523 §3 item 3, CIBA §7.1, RFC 9126 §2 (as published; rfc7523bis §4 and §5 replace them):
  // the issuer, the token endpoint URL or the URL of the endpoint called, alone or among others.
  const accepted = new Set([config.issuer]);
  const token = config.endpoints.token;
  const called = config.endpoints[endpoint];
  if (token !== undefined) accepted.add(token);
  if (called !== undefined) accepted.add(called);
  // RFC 8705 §5: the mTLS aliases are the same endpoints at another URL (also from configuration).
  const tokenAlias = config.mtlsEndpointAliases.token;
  const calledAlias = config.mtlsEndpointAliases[endpoint];
  if (tokenAlias !== undefined) accepted.add(tokenAlias);
  if (calledAlias !== undefined) accepted.add(calledAlias);
  return values.some((value) => accepted.has(value)) ? 'compatible' : false;
}

function numericDate(claims: Record<string, unknown>, name: string): number | undefined {
  const value = claims[name];
  if (value === undefined) return undefined;
  // RFC 7519 §2: NumericDate is a JSON number; a string "exp" is invalid.
  if (typeof value !== 'number' || !Number.isFinite(value)) refuse('ERR_ASSERTION_CLAIMS_INVALID');
  return value;
}

export interface VerifiedClaims {
  jti: string;
  exp: number;
  /** `'compatible'` when the `aud` passed only because of `audience: 'compatible'`. */
  audience: 'issuer' | 'compatible';
}

/** RFC 7523 §3 and OpenID Connect Core §9 claim rules. */
export function checkClaims(
  payload: Uint8Array,
  clientId: string,
  bodyClientId: string | undefined,
  header: ProtectedHeader,
  config: Config,
  endpoint: EndpointName,
  nowSeconds: number,
): VerifiedClaims {
  const claims = verifiedClaims(payload, 'ERR_ASSERTION_CLAIMS_INVALID');
  const tolerance = config.clockTolerance;

  // RFC 7523 §3 items 1 and 2: iss and sub are the client_id (Simple String Comparison); the body
  // client_id, when sent, already chose this client (RFC 7521 §4.2: it "MUST identify the same client").
  if (claims.iss !== undefined && typeof claims.iss !== 'string') refuse('ERR_ASSERTION_CLAIMS_INVALID');
  if (claims.sub !== undefined && typeof claims.sub !== 'string') refuse('ERR_ASSERTION_CLAIMS_INVALID');
  if (bodyClientId !== undefined && typeof claims.iss === 'string' && claims.iss !== bodyClientId) {
    refuse('ERR_CLIENT_ID_MISMATCH');
  }
  if (claims.iss !== clientId) refuse('ERR_ASSERTION_ISS_MISMATCH');
  if (claims.sub !== clientId) refuse('ERR_ASSERTION_SUB_MISMATCH');

  // rfc7523bis §4: an assertion explicitly typed for client authentication is held to the issuer.
  const mode: AudienceMode = header.explicitlyTyped && config.audience === 'compatible' ? 'issuer' : config.audience;
  const audience = audienceMatches(claims.aud, mode, config, endpoint);
  if (audience === 'invalid') refuse('ERR_ASSERTION_CLAIMS_INVALID');
  if (audience === false) refuse('ERR_ASSERTION_AUD_MISMATCH');

  // RFC 7523 §3 item 4: exp MUST be present and in the future, allowing for clock skew.
  const exp = numericDate(claims, 'exp');
  const nbf = numericDate(claims, 'nbf');
  const iat = numericDate(claims, 'iat');
  if (exp === undefined) refuse('ERR_ASSERTION_EXP_MISSING');
  if (nowSeconds - tolerance >= exp) refuse('ERR_ASSERTION_EXPIRED');
  // RFC 7523 §3 item 5: not accepted before nbf.
  if (nbf !== undefined && nowSeconds + tolerance < nbf) refuse('ERR_ASSERTION_NOT_YET_VALID');
  // RFC 7519 §4.1.6 / FAPI 2 §5.3.2.1 item 13: an iat beyond the tolerance ahead is refused.
  if (iat !== undefined && iat > nowSeconds + tolerance) refuse('ERR_ASSERTION_IAT_IN_FUTURE');
  // DESIGN.md §3: lifetime cap, inclusive; exp − iat when iat is present (both on the client's
  // clock, so no skew to allow for), else exp − now with the tolerance.
  const lifetime = iat !== undefined ? exp - iat : exp - nowSeconds;
  const allowance = iat !== undefined ? 0 : tolerance;
  if (lifetime > config.maxAssertionLifetime + allowance) refuse('ERR_ASSERTION_LIFETIME_TOO_LONG');

  // OpenID Connect Core §9: jti is REQUIRED.
  if (claims.jti === undefined || claims.jti === '') refuse('ERR_ASSERTION_JTI_MISSING');
  if (typeof claims.jti !== 'string' || claims.jti.length > MAX_JTI_LENGTH) refuse('ERR_ASSERTION_CLAIMS_INVALID');
  return { jti: claims.jti, exp, audience };
}

/** Record the jti: once per (client, jti) until the assertion could no longer be accepted. */
export async function consumeJti(config: Config, clientId: string, claims: VerifiedClaims): Promise<void> {
  let first: boolean;
  try {
    first = await config.replayStore.consume(clientId, claims.jti, (claims.exp + config.clockTolerance) * 1000);
  } catch (cause) {
    // Fail closed: an assertion whose jti cannot be recorded is refused, never accepted.
    if (isOAuthError(cause)) throw cause;
    throw new TemporarilyUnavailable('ERR_REPLAY_STORE_UNAVAILABLE', { cause });
  }
  // OpenID Connect Core §9: the jti "MUST only be used once".
  if (first !== true) refuse('ERR_ASSERTION_REPLAYED');
}
