/**
 * The error model. One base class, {@link OAuthError}, carries the RFC 6749 §5.2 `error` and
 * `error_description` that go on the wire, the HTTP `status`, and a stable machine-readable `code`
 * that tells operators the precise reason. The wire description of `invalid_client` is always
 * generic: the precise reason stays in `code` and never reaches the client.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */

import {
  type DescriptionOf,
  ERRORS,
  type ErrorCode,
  type ErrorCodeOf,
  INVALID_CLIENT_DESCRIPTION,
  type OAuthErrorValue,
} from './error_codes.js';

export {
  type DescriptionOf,
  ERRORS,
  type ErrorClassName,
  type ErrorCode,
  type ErrorCodeOf,
  INVALID_CLIENT_DESCRIPTION,
  type OAuthErrorValue,
} from './error_codes.js';

/**
 * Options of every {@link OAuthError} constructor: a status override, the cause (for logs), and
 * the `Retry-After` and `WWW-Authenticate` values {@link errorResponse} sends.
 *
 * @example
 * ```ts
 * const busy = new TemporarilyUnavailable('ERR_REPLAY_STORE_UNAVAILABLE', { cause: redisError, retryAfter: 5 })
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export interface OAuthErrorOptions {
  /** Override the HTTP status (for example 413 for an oversized body). */
  status?: number;
  /** The underlying cause, for logs only. Never serialised to the client. */
  cause?: unknown;
  /** Seconds the client should wait before retrying: sent as `Retry-After` (RFC 9110 §10.2.3). */
  retryAfter?: number;
  /** `WWW-Authenticate` challenge to send with a 401 (RFC 9110 §15.5.2). */
  challenge?: string;
  /**
   * A fresh challenge, sent as `OAuth-Client-Attestation-Challenge`
   * (draft-ietf-oauth-attestation-based-client-auth-10 §6.2, §7.4).
   */
  attestationChallenge?: string;
}

/**
 * A protocol error meant for the client: serialise it with {@link errorResponse}.
 *
 * @example
 * ```ts
 * try { await auth.authenticate(request, { endpoint: 'token' }) }
 * catch (err) { if (err instanceof OAuthError) console.log(err.code) }
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
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
  /** A fresh challenge for the `OAuth-Client-Attestation-Challenge` header, when set. */
  readonly attestationChallenge: string | undefined;

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
    this.attestationChallenge = options.attestationChallenge;
  }
}

/** The arguments of {@link InvalidRequest}: a code of the class and one of its descriptions. */
type InvalidRequestArguments = {
  [C in ErrorCodeOf<'InvalidRequest'>]: [code: C, description: DescriptionOf<C>, options?: OAuthErrorOptions];
}[ErrorCodeOf<'InvalidRequest'>];

/**
 * `invalid_request` (400, or the status of the code's row): the request is malformed (RFC 6749
 * §5.2). The description is one of the code's texts in {@link ERRORS}, so it keeps to the RFC 6749
 * §5.2 character set.
 *
 * @example
 * ```ts
 * catch (err) { if (err instanceof InvalidRequest) log.info({ code: err.code }, 'malformed client authentication') }
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export class InvalidRequest extends OAuthError {
  constructor(...[code, description, options]: InvalidRequestArguments) {
    super('invalid_request', description, ERRORS[code].status, code, options);
    this.name = 'InvalidRequest';
  }
}

/**
 * `invalid_client` (401): the client is unknown or did not prove its identity (RFC 6749 §5.2). Its
 * wire description is always the generic one; the precise reason is in `code`.
 *
 * @example
 * ```ts
 * catch (err) {
 *   if (err instanceof InvalidClient && err.code === 'ERR_SECRET_MISMATCH') metrics.increment('wrong_secret')
 * }
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export class InvalidClient extends OAuthError {
  constructor(code: ErrorCodeOf<'InvalidClient'>, options?: OAuthErrorOptions) {
    super('invalid_client', INVALID_CLIENT_DESCRIPTION, ERRORS[code].status, code, options);
    this.name = 'InvalidClient';
  }
}

/**
 * `use_attestation_challenge` or `use_fresh_attestation` (400,
 * draft-ietf-oauth-attestation-based-client-auth-10 §7.4): the Client Attestation PoP did not use
 * an expected fresh challenge (the error then carries one, sent as
 * `OAuth-Client-Attestation-Challenge`), or the Client Attestation is not fresh enough.
 *
 * @example
 * ```ts
 * catch (err) { if (err instanceof AttestationRefused) log.info({ code: err.code }, 'wallet must retry') }
 * ```
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-oauth-attestation-based-client-auth-10#section-7.4
 */
export class AttestationRefused extends OAuthError {
  constructor(code: ErrorCodeOf<'AttestationRefused'>, options?: OAuthErrorOptions) {
    const row = ERRORS[code];
    super(row.error, row.descriptions[0], row.status, code, options);
    this.name = 'AttestationRefused';
  }
}

/**
 * `server_error` (500): a dependency failed; the request is refused, never accepted. A throwing
 * `getClient` becomes one (`ERR_CLIENT_LOOKUP_FAILED`), with the thrown value as its `cause`.
 *
 * @example
 * ```ts
 * catch (err) { if (err instanceof ServerError) log.error({ code: err.code, cause: err.cause }, 'client lookup failed') }
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1
 */
export class ServerError extends OAuthError {
  constructor(code: ErrorCodeOf<'ServerError'>, options?: OAuthErrorOptions) {
    super('server_error', ERRORS[code].descriptions[0], 500, code, options);
    this.name = 'ServerError';
  }
}

/**
 * `temporarily_unavailable` (503): a dependency is down or too slow; try again later. The replay
 * store, the failure limiter and the hash budget answer with it, and {@link errorResponse} sends
 * `Retry-After`.
 *
 * @example
 * ```ts
 * const store: ReplayStore = {
 *   async consume(clientId, jti, expiresAt) {
 *     // ioredis: refuse at once while disconnected, rather than queueing the command
 *     if (redis.status !== 'ready') throw new TemporarilyUnavailable('ERR_REPLAY_STORE_UNAVAILABLE', { retryAfter: 5 })
 *     const ttl = Math.max(1, expiresAt - Date.now()) // expiresAt is in milliseconds
 *     return (await redis.set(`jti:${clientId}:${jti}`, '1', 'PX', ttl, 'NX')) === 'OK'
 *   },
 * }
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1
 */
export class TemporarilyUnavailable extends OAuthError {
  constructor(code: ErrorCodeOf<'TemporarilyUnavailable'>, options?: OAuthErrorOptions) {
    super('temporarily_unavailable', ERRORS[code].descriptions[0], 503, code, options);
    this.name = 'TemporarilyUnavailable';
  }
}

/**
 * True for any {@link OAuthError}, also across duplicated copies of this package (where
 * `instanceof` fails): use it to tell a refusal to answer with RFC 6749 §5.2 JSON from a bug.
 *
 * @example
 * ```ts
 * catch (err) {
 *   if (!isOAuthError(err)) throw err
 *   const { status, headers, body } = errorResponse(err)
 *   res.writeHead(status, headers).end(body)
 * }
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export function isOAuthError(value: unknown): value is OAuthError {
  return (
    value instanceof OAuthError ||
    (value instanceof Error &&
      typeof (value as Partial<OAuthError>).error === 'string' &&
      typeof (value as Partial<OAuthError>).code === 'string' &&
      typeof (value as Partial<OAuthError>).status === 'number')
  );
}
