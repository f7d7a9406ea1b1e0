/**
 * The error model. One base class, {@link OAuthError}, carries the RFC 6749 §5.2 `error` and
 * `error_description` that go on the wire, the HTTP `status`, and a stable machine-readable `code`
 * that tells operators the precise reason. The wire description of `invalid_client` is always
 * generic: the precise reason stays in `code` and never reaches the client.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */

/** RFC 6749 §5.2 error values this library answers with (plus RFC 6749 §4.1.2.1 server errors). */
export type OAuthErrorValue = 'invalid_request' | 'invalid_client' | 'server_error' | 'temporarily_unavailable';

/**
 * Stable failure codes. Each rejection has exactly one; they are part of the public API and never
 * change meaning.
 */
export type ErrorCode =
  // request shape (invalid_request)
  | 'ERR_BODY_TOO_LARGE'
  | 'ERR_BODY_TIMEOUT'
  | 'ERR_BODY_MALFORMED'
  | 'ERR_UNSUPPORTED_CONTENT_TYPE'
  | 'ERR_PARAMETER_REPEATED'
  | 'ERR_PARAMETER_MALFORMED'
  | 'ERR_CREDENTIALS_IN_QUERY'
  | 'ERR_MULTIPLE_MECHANISMS'
  | 'ERR_AUTHORIZATION_HEADER_REPEATED'
  | 'ERR_AUTHORIZATION_HEADER_TOO_LARGE'
  | 'ERR_BASIC_MALFORMED'
  | 'ERR_CLIENT_ID_MISMATCH'
  | 'ERR_ASSERTION_TYPE_MISSING'
  | 'ERR_ASSERTION_MISSING'
  | 'ERR_INSECURE_TRANSPORT'
  | 'ERR_CERTIFICATE_HEADER_REPEATED'
  // client authentication (invalid_client)
  | 'ERR_NO_CLIENT_AUTHENTICATION'
  | 'ERR_UNSUPPORTED_AUTHORIZATION_SCHEME'
  | 'ERR_CLIENT_NOT_FOUND'
  | 'ERR_CLIENT_METADATA_INVALID'
  | 'ERR_METHOD_NOT_ALLOWED'
  | 'ERR_METHOD_MISMATCH'
  | 'ERR_SECRET_MISMATCH'
  | 'ERR_SECRET_EXPIRED'
  | 'ERR_SECRET_EMPTY'
  | 'ERR_PUBLIC_CLIENT_NOT_ALLOWED'
  | 'ERR_ASSERTION_TYPE_UNSUPPORTED'
  | 'ERR_ASSERTION_TOO_LARGE'
  | 'ERR_ASSERTION_MALFORMED'
  | 'ERR_ASSERTION_HEADER_INVALID'
  | 'ERR_ASSERTION_TYP_INVALID'
  | 'ERR_ASSERTION_CRIT_UNSUPPORTED'
  | 'ERR_ASSERTION_ALG_NOT_ALLOWED'
  | 'ERR_ASSERTION_ALG_MISMATCH'
  | 'ERR_ASSERTION_KEY_NOT_FOUND'
  | 'ERR_ASSERTION_KEY_TOO_WEAK'
  | 'ERR_ASSERTION_KEY_UNSUITABLE'
  | 'ERR_ASSERTION_SECRET_TOO_SHORT'
  | 'ERR_ASSERTION_SIGNATURE_INVALID'
  | 'ERR_ASSERTION_CLAIMS_INVALID'
  | 'ERR_ASSERTION_ISS_MISMATCH'
  | 'ERR_ASSERTION_SUB_MISMATCH'
  | 'ERR_ASSERTION_AUD_MISMATCH'
  | 'ERR_ASSERTION_EXPIRED'
  | 'ERR_ASSERTION_EXP_MISSING'
  | 'ERR_ASSERTION_NOT_YET_VALID'
  | 'ERR_ASSERTION_IAT_IN_FUTURE'
  | 'ERR_ASSERTION_LIFETIME_TOO_LONG'
  | 'ERR_ASSERTION_JTI_MISSING'
  | 'ERR_ASSERTION_REPLAYED'
  | 'ERR_JWKS_UNAVAILABLE'
  | 'ERR_JWKS_URI_REFUSED'
  | 'ERR_MTLS_CERTIFICATE_MISSING'
  | 'ERR_MTLS_CHAIN_NOT_VALIDATED'
  | 'ERR_MTLS_NAME_CONSTRAINTS'
  | 'ERR_MTLS_PATH_LENGTH'
  | 'ERR_MTLS_KEY_USAGE'
  | 'ERR_MTLS_CRITICAL_EXTENSION'
  | 'ERR_MTLS_WEAK_SIGNATURE'
  | 'ERR_MTLS_CERTIFICATE_EXPIRED'
  | 'ERR_MTLS_CERTIFICATE_NOT_YET_VALID'
  | 'ERR_MTLS_CERTIFICATE_MALFORMED'
  | 'ERR_MTLS_KEY_TOO_WEAK'
  | 'ERR_MTLS_KEY_UNSUITABLE'
  | 'ERR_MTLS_SUBJECT_DN_MISMATCH'
  | 'ERR_MTLS_SAN_MISMATCH'
  | 'ERR_MTLS_SELF_SIGNED_MISMATCH'
  | 'ERR_MTLS_CLIENT_ID_MISSING'
  | 'ERR_TOO_MANY_FAILURES'
  // server side (server_error / temporarily_unavailable)
  | 'ERR_INTERNAL'
  | 'ERR_CLIENT_LOOKUP_FAILED'
  | 'ERR_REPLAY_STORE_UNAVAILABLE'
  | 'ERR_REPLAY_STORE_FULL'
  | 'ERR_FAILURE_LIMITER_UNAVAILABLE'
  | 'ERR_FAILURE_LIMITER_FULL'
  | 'ERR_SECRET_HASH_BUSY'
  | 'ERR_REPLAY_QUOTA_EXCEEDED';

/** Options of every {@link OAuthError} constructor. */
export interface OAuthErrorOptions {
  /** Override the HTTP status (for example 413 for an oversized body). */
  status?: number;
  /** The underlying cause, for logs only. Never serialised to the client. */
  cause?: unknown;
  /** Seconds the client should wait before retrying: sent as `Retry-After` (RFC 9110 §10.2.3). */
  retryAfter?: number;
  /** `WWW-Authenticate` challenge to send with a 401 (RFC 9110 §15.5.2). */
  challenge?: string;
}

/**
 * A protocol error meant for the client: serialise it with {@link errorResponse}.
 *
 * @example
 * ```ts
 * try { await auth.authenticate(request, { endpoint: 'token' }) }
 * catch (err) { if (err instanceof OAuthError) console.log(err.code) }
 * ```
 */
export class OAuthError extends Error {
  /** RFC 6749 §5.2 error value. */
  readonly error: OAuthErrorValue;
  /** Human-readable text for the client (generic for `invalid_client`). */
  readonly error_description: string;
  /** HTTP status code. */
  readonly status: number;
  /** Stable machine-readable reason, for operators. */
  readonly code: ErrorCode;
  /** `WWW-Authenticate` challenge to send with a 401: the authenticator's refusals carry `Basic realm="<issuer>"`. */
  readonly challenge: string | undefined;
  /** Seconds for a `Retry-After` header (429 after too many failures), when set. */
  readonly retryAfter: number | undefined;

  constructor(
    error: OAuthErrorValue,
    description: string,
    status: number,
    code: ErrorCode,
    options: OAuthErrorOptions = {},
  ) {
    // A 4xx is the client's doing, an expected outcome and not a fault: no stack frames are
    // captured for it (`code` says where it came from). Capturing them was about half the cost of
    // a refused request (`pnpm test:timing` medians 5 µs with them, bench/README.md), work an
    // attacker could make the server do at will. A 5xx keeps its stack, and every cause its own.
    const effectiveStatus = options.status ?? status;
    const limit = Error.stackTraceLimit;
    if (effectiveStatus < 500) Error.stackTraceLimit = 0;
    try {
      super(description, options.cause === undefined ? undefined : { cause: options.cause });
    } finally {
      Error.stackTraceLimit = limit;
    }
    this.name = 'OAuthError';
    this.error = error;
    this.error_description = description;
    this.status = effectiveStatus;
    this.code = code;
    this.challenge = options.challenge;
    this.retryAfter = options.retryAfter;
  }
}

/** `invalid_request` (400): the request is malformed (RFC 6749 §5.2). */
export class InvalidRequest extends OAuthError {
  constructor(code: ErrorCode, description: string, options?: OAuthErrorOptions) {
    super('invalid_request', description, 400, code, options);
    this.name = 'InvalidRequest';
  }
}

/**
 * The only text an `invalid_client` error ever carries on the wire: the precise reason is in
 * `code` (RFC 6749 §5.2 leaves the description free; a generic one tells an attacker nothing).
 */
export const INVALID_CLIENT_DESCRIPTION = 'client authentication failed';

/** `invalid_client` (401): the client is unknown or did not prove its identity (RFC 6749 §5.2). */
export class InvalidClient extends OAuthError {
  constructor(code: ErrorCode, options?: OAuthErrorOptions) {
    super('invalid_client', INVALID_CLIENT_DESCRIPTION, 401, code, options);
    this.name = 'InvalidClient';
  }
}

/** `server_error` (500): a dependency failed; the request is refused, never accepted. */
export class ServerError extends OAuthError {
  constructor(code: ErrorCode, options?: OAuthErrorOptions) {
    super('server_error', 'the authorization server could not complete the request', 500, code, options);
    this.name = 'ServerError';
  }
}

/** `temporarily_unavailable` (503): a dependency is down or too slow; try again later. */
export class TemporarilyUnavailable extends OAuthError {
  constructor(code: ErrorCode, options?: OAuthErrorOptions) {
    super(
      'temporarily_unavailable',
      'the authorization server is temporarily unable to handle the request',
      503,
      code,
      options,
    );
    this.name = 'TemporarilyUnavailable';
  }
}

/** True for any {@link OAuthError}, also across duplicated copies of this package. */
export function isOAuthError(value: unknown): value is OAuthError {
  return (
    value instanceof OAuthError ||
    (value instanceof Error &&
      typeof (value as Partial<OAuthError>).error === 'string' &&
      typeof (value as Partial<OAuthError>).code === 'string' &&
      typeof (value as Partial<OAuthError>).status === 'number')
  );
}
