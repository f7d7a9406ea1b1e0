import { ATTESTATION_CHALLENGE_HEADER } from './credentials/attestation.js';
import { type ErrorCodeOf, InvalidClient, isOAuthError, OAuthError, ServerError } from './errors.js';

/**
 * A framework-neutral HTTP response, as {@link errorResponse} builds it: the RFC 6749 §5.2 JSON
 * error with its headers. Adapters copy it onto their native response.
 *
 * @example
 * ```ts
 * const response: ErrorResponse = errorResponse(err, { realm: auth.issuer })
 * return new Response(response.body, { status: response.status, headers: response.headers })
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export interface ErrorResponse {
  status: number;
  headers: Record<string, string>;
  /** The JSON body, already serialised. */
  body: string;
}

/**
 * Options of {@link errorResponse}.
 *
 * @example
 * ```ts
 * const { status, headers, body } = errorResponse(err, { realm: 'https://as.example.com' })
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc7617#section-2
 */
export interface ErrorResponseOptions {
  /**
   * The realm of the `Basic` challenge of a 401 whose error carries none (RFC 7617 §2), usually
   * the issuer. Refusals of `authenticate()` already carry `Basic realm="<issuer>"`.
   *
   * @example
   * ```ts
   * errorResponse(err, { realm: auth.issuer })
   * ```
   * @see https://www.rfc-editor.org/rfc/rfc7617#section-2
   */
  realm?: string;
}

/**
 * Turn an error into the RFC 6749 §5.2 JSON response: `Content-Type: application/json`,
 * `Cache-Control: no-store`, `Pragma: no-cache`, a `WWW-Authenticate` challenge on every 401
 * (RFC 9110 §15.5.2) and `Connection: close` on a 408 (RFC 9110 §15.5.9). Anything that is not
 * an {@link OAuthError} becomes a generic 500 whose body reveals nothing about it.
 *
 * Pure: no I/O, no mutation of the error.
 *
 * @example
 * ```ts
 * const { status, headers, body } = errorResponse(err, { realm: auth.issuer })
 * res.writeHead(status, headers).end(body)
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export function errorResponse(error: unknown, options: ErrorResponseOptions = {}): ErrorResponse {
  const oauth: OAuthError = isOAuthError(error) ? error : new ServerError('ERR_INTERNAL');
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    pragma: 'no-cache',
  };
  if (oauth.status === 401) {
    // RFC 9110 §15.5.2: a 401 MUST carry at least one challenge.
    headers['www-authenticate'] =
      oauth.challenge ?? (options.realm === undefined ? 'Basic' : basicChallenge(options.realm));
  } else if (oauth.status === 408) {
    // RFC 9110 §15.5.9: the rest of the request may still be in transit, so the connection is
    // not reusable; RFC 7231 §6.5.7, which it replaced, put it plainly: a server "SHOULD send the
    // "close" connection option ... since 408 implies that the server has decided to close the
    // connection rather than continue waiting".
    headers.connection = 'close';
  }
  // RFC 9110 §10.2.3: delay-seconds, a non-negative integer.
  const retryAfter = oauth.retryAfter;
  if (typeof retryAfter === 'number' && Number.isFinite(retryAfter) && retryAfter >= 0) {
    headers['retry-after'] = String(Math.ceil(retryAfter));
  } else if (oauth.status === 503) headers['retry-after'] = '1';
  // draft-ietf-oauth-attestation-based-client-auth-10 §7.4: use_attestation_challenge "MUST be
  // accompanied by the OAuth-Client-Attestation-Challenge HTTP header field".
  if (oauth.attestationChallenge !== undefined) {
    headers[ATTESTATION_CHALLENGE_HEADER] = oauth.attestationChallenge;
  }
  const body = JSON.stringify({ error: oauth.error, error_description: oauth.error_description });
  return { status: oauth.status, headers, body };
}

/**
 * Build the `Basic` challenge for a realm (RFC 7617 §2: `realm` is required). Quotes and
 * backslashes in the realm are escaped as RFC 9110 §5.6.4 quoted-string requires.
 *
 * @example
 * ```ts
 * res.setHeader('www-authenticate', basicChallenge('https://as.example.com')) // Basic realm="https://as.example.com"
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc7617#section-2
 */
export function basicChallenge(realm: string): string {
  return `Basic realm="${realm.replace(/["\\]/g, '\\$&')}"`;
}

/**
 * The same refusal with a challenge, made at construction (an error is never changed once
 * thrown): what the authenticator answers a 401 with (RFC 9110 §15.5.2, RFC 6749 §5.2).
 */
export function withChallenge(error: OAuthError, challenge: string): OAuthError {
  if (error.status !== 401 || error.challenge !== undefined) return error;
  const options = {
    status: error.status,
    cause: error.cause,
    retryAfter: error.retryAfter,
    attestationChallenge: error.attestationChallenge,
    challenge,
  };
  if (error instanceof InvalidClient) return new InvalidClient(error.code as ErrorCodeOf<'InvalidClient'>, options);
  return new OAuthError(error.error, error.error_description, error.status, error.code, options);
}
