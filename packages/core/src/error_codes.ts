/**
 * Every stable failure code, as data: its RFC 6749 §5.2 `error`, HTTP status, error class and
 * the `error_description` texts it may carry on the wire. The `ErrorCode` types, the error
 * constructors, docs/ERROR-CODES.md (through its test) and the RFC 6749 §5.2 character check all
 * read this one table.
 *
 * A description may hold a `{placeholder}`: the call site fills it with a parameter name, a
 * header name or a number (RFC 9110 §5.6.2 tokens and digits), never with a quote or a backslash.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */

/**
 * The only text an `invalid_client` error ever carries on the wire: the precise reason is in
 * `code` (RFC 6749 §5.2 leaves the description free; a generic one tells an attacker nothing).
 *
 * @example
 * ```ts
 * if (body.error === 'invalid_client') assert.equal(body.error_description, INVALID_CLIENT_DESCRIPTION)
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export const INVALID_CLIENT_DESCRIPTION = 'client authentication failed';

/** `invalid_request` (400): the request is malformed (RFC 6749 §5.2). */
function invalidRequest<const D extends readonly string[]>(descriptions: D, status = 400) {
  return { class: 'InvalidRequest', error: 'invalid_request', status, descriptions } as const;
}

/** `invalid_client` (401): the client is unknown or did not prove its identity (RFC 6749 §5.2). */
function invalidClient(status = 401) {
  return {
    class: 'InvalidClient',
    error: 'invalid_client',
    status,
    descriptions: [INVALID_CLIENT_DESCRIPTION],
  } as const;
}

/**
 * The two errors of draft-ietf-oauth-attestation-based-client-auth-10 §7.4 that tell the client
 * what to do next (400, as RFC 9449 §8 answers `use_dpop_nonce` at the token endpoint): get a
 * fresh challenge (`use_attestation_challenge`, sent with an `OAuth-Client-Attestation-Challenge`
 * header) or a fresh Client Attestation (`use_fresh_attestation`).
 */
function attestationRefused<const E extends 'use_attestation_challenge' | 'use_fresh_attestation'>(error: E) {
  const description =
    error === 'use_attestation_challenge'
      ? 'the client attestation PoP must use a fresh challenge from this server'
      : 'a fresh client attestation is required';
  return { class: 'AttestationRefused', error, status: 400, descriptions: [description] } as const;
}

/** `server_error` (500, RFC 6749 §5.2 via §4.1.2.1): a dependency failed; nothing is accepted. */
function serverError() {
  return {
    class: 'ServerError',
    error: 'server_error',
    status: 500,
    descriptions: ['the authorization server could not complete the request'],
  } as const;
}

/** `temporarily_unavailable` (503, RFC 6749 §4.1.2.1): a dependency is down or too slow. */
function temporarilyUnavailable() {
  return {
    class: 'TemporarilyUnavailable',
    error: 'temporarily_unavailable',
    status: 503,
    descriptions: ['the authorization server is temporarily unable to handle the request'],
  } as const;
}

/**
 * The error table. Keys are the stable codes (public API: they never change meaning); each row
 * says how the code goes on the wire. docs/ERROR-CODES.md has a row for each, in these groups.
 *
 * @example
 * ```ts
 * ERRORS.ERR_ASSERTION_REPLAYED // { class: 'InvalidClient', error: 'invalid_client', status: 401, … }
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export const ERRORS = {
  // Request shape (invalid_request): the description says what is wrong, no secret in it.
  ERR_BODY_TOO_LARGE: invalidRequest(['the request body exceeds {limit} octets'], 413),
  // RFC 9110 §15.5.9: 408 Request Timeout.
  ERR_BODY_TIMEOUT: invalidRequest(['the request body did not arrive within {timeout} ms'], 408),
  ERR_BODY_MALFORMED: invalidRequest([
    'the form body has a malformed percent-encoding',
    'the form body is not valid UTF-8',
  ]),
  ERR_UNSUPPORTED_CONTENT_TYPE: invalidRequest(['the request body must be application/x-www-form-urlencoded']),
  ERR_PARAMETER_REPEATED: invalidRequest(['the {name} parameter must not be repeated']),
  ERR_PARAMETER_MALFORMED: invalidRequest([
    'the client identifier is malformed',
    'client_id is required with client_secret',
    'the client_secret parameter is malformed',
    'the {name} parameter is malformed',
  ]),
  ERR_CREDENTIALS_IN_QUERY: invalidRequest(['client credentials must not be sent in the query string']),
  ERR_MULTIPLE_MECHANISMS: invalidRequest([
    'the client must not use more than one authentication mechanism in a request',
  ]),
  ERR_AUTHORIZATION_HEADER_REPEATED: invalidRequest(['the Authorization header must not be repeated']),
  ERR_AUTHORIZATION_HEADER_TOO_LARGE: invalidRequest(['the Authorization header is too large']),
  ERR_BASIC_MALFORMED: invalidRequest([
    'the Authorization header is malformed',
    'the client identifier is malformed',
    'the Basic credentials are not valid base64',
    'the Basic credentials are not valid UTF-8',
    'the Basic credentials must be client_id:client_secret',
    'the Basic credentials must not contain control characters',
    'the Basic credentials have a malformed percent-encoding',
    'the Basic credentials have an empty client identifier',
  ]),
  ERR_ASSERTION_TYPE_MISSING: invalidRequest(['client_assertion_type is required with client_assertion']),
  ERR_ASSERTION_MISSING: invalidRequest(['client_assertion is required with client_assertion_type']),
  ERR_INSECURE_TRANSPORT: invalidRequest(['client secrets may only be sent over TLS']),
  ERR_CERTIFICATE_HEADER_REPEATED: invalidRequest(['the {name} header must not be repeated']),
  // draft-ietf-oauth-client-id-metadata-document §3: an https URL client_id that breaks the URL rules.
  ERR_CLIENT_ID_URL_MALFORMED: invalidRequest(['the client identifier URL is malformed']),
  // draft-ietf-oauth-attestation-based-client-auth-10 §7.1 item 1, §7.2 item 1: "precisely one"
  // OAuth-Client-Attestation and one OAuth-Client-Attestation-PoP header.
  ERR_ATTESTATION_HEADER_REPEATED: invalidRequest(['the {name} header must not be repeated']),
  ERR_ATTESTATION_HEADER_MISSING: invalidRequest([
    'OAuth-Client-Attestation and OAuth-Client-Attestation-PoP must be sent together',
  ]),
  ERR_ATTESTATION_HEADER_TOO_LARGE: invalidRequest(['the {name} header is too large']),

  // Client authentication (invalid_client): one generic description, the reason is the code.
  ERR_NO_CLIENT_AUTHENTICATION: invalidClient(),
  ERR_UNSUPPORTED_AUTHORIZATION_SCHEME: invalidClient(),
  ERR_CLIENT_NOT_FOUND: invalidClient(),
  ERR_CLIENT_METADATA_INVALID: invalidClient(),
  ERR_METHOD_NOT_ALLOWED: invalidClient(),
  ERR_METHOD_MISMATCH: invalidClient(),
  // FAPI 1.0 Part 1 §5.2.2 item 19: "shall return an invalid_client error" on mismatched client
  // identifiers; RFC 7521 §4.2 for the assertion's.
  ERR_CLIENT_ID_MISMATCH: invalidClient(),
  ERR_SECRET_MISMATCH: invalidClient(),
  ERR_SECRET_EXPIRED: invalidClient(),
  ERR_SECRET_EMPTY: invalidClient(),
  ERR_ASSERTION_TYPE_UNSUPPORTED: invalidClient(),
  ERR_ASSERTION_TOO_LARGE: invalidClient(),
  ERR_ASSERTION_MALFORMED: invalidClient(),
  ERR_ASSERTION_HEADER_INVALID: invalidClient(),
  ERR_ASSERTION_TYP_INVALID: invalidClient(),
  ERR_ASSERTION_CRIT_UNSUPPORTED: invalidClient(),
  ERR_ASSERTION_ALG_NOT_ALLOWED: invalidClient(),
  ERR_ASSERTION_ALG_MISMATCH: invalidClient(),
  ERR_ASSERTION_KEY_NOT_FOUND: invalidClient(),
  ERR_ASSERTION_KEY_TOO_WEAK: invalidClient(),
  ERR_ASSERTION_KEY_UNSUITABLE: invalidClient(),
  ERR_ASSERTION_SECRET_TOO_SHORT: invalidClient(),
  ERR_ASSERTION_SIGNATURE_INVALID: invalidClient(),
  ERR_ASSERTION_CLAIMS_INVALID: invalidClient(),
  ERR_ASSERTION_ISS_MISMATCH: invalidClient(),
  ERR_ASSERTION_SUB_MISMATCH: invalidClient(),
  ERR_ASSERTION_AUD_MISMATCH: invalidClient(),
  ERR_ASSERTION_EXPIRED: invalidClient(),
  ERR_ASSERTION_EXP_MISSING: invalidClient(),
  ERR_ASSERTION_NOT_YET_VALID: invalidClient(),
  ERR_ASSERTION_IAT_IN_FUTURE: invalidClient(),
  ERR_ASSERTION_LIFETIME_TOO_LONG: invalidClient(),
  ERR_ASSERTION_JTI_MISSING: invalidClient(),
  ERR_ASSERTION_REPLAYED: invalidClient(),
  ERR_JWKS_UNAVAILABLE: invalidClient(),
  ERR_JWKS_URI_REFUSED: invalidClient(),
  // Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document): one code per cause.
  ERR_CLIENT_ID_URL_NOT_ALLOWED: invalidClient(),
  ERR_CLIENT_METADATA_DOCUMENT_REFUSED: invalidClient(),
  ERR_CLIENT_METADATA_DOCUMENT_UNREACHABLE: invalidClient(),
  ERR_CLIENT_METADATA_DOCUMENT_STATUS: invalidClient(),
  ERR_CLIENT_METADATA_DOCUMENT_TOO_LARGE: invalidClient(),
  ERR_CLIENT_METADATA_DOCUMENT_NOT_JSON: invalidClient(),
  ERR_CLIENT_METADATA_DOCUMENT_CLIENT_ID_MISMATCH: invalidClient(),
  ERR_CLIENT_METADATA_DOCUMENT_SECRET: invalidClient(),
  ERR_CLIENT_METADATA_DOCUMENT_INVALID: invalidClient(),
  // Attestation-based client authentication (draft-ietf-oauth-attestation-based-client-auth-10
  // §4, §5.1, §7): one code per check of the Client Attestation and of its PoP.
  ERR_ATTESTATION_MALFORMED: invalidClient(),
  ERR_ATTESTATION_HEADER_INVALID: invalidClient(),
  ERR_ATTESTATION_TYP_INVALID: invalidClient(),
  ERR_ATTESTATION_ALG_NOT_ALLOWED: invalidClient(),
  ERR_ATTESTATION_KEY_IN_HEADER: invalidClient(),
  ERR_ATTESTATION_ISSUER_UNTRUSTED: invalidClient(),
  ERR_ATTESTATION_KEY_NOT_FOUND: invalidClient(),
  ERR_ATTESTATION_SIGNATURE_INVALID: invalidClient(),
  ERR_ATTESTATION_CLAIMS_INVALID: invalidClient(),
  ERR_ATTESTATION_NOT_YET_VALID: invalidClient(),
  ERR_ATTESTATION_CNF_INVALID: invalidClient(),
  ERR_ATTESTATION_CNF_PRIVATE_KEY: invalidClient(),
  ERR_ATTESTATION_CNF_KEY_TOO_WEAK: invalidClient(),
  ERR_ATTESTATION_POP_MALFORMED: invalidClient(),
  ERR_ATTESTATION_POP_HEADER_INVALID: invalidClient(),
  ERR_ATTESTATION_POP_TYP_INVALID: invalidClient(),
  ERR_ATTESTATION_POP_ALG_NOT_ALLOWED: invalidClient(),
  ERR_ATTESTATION_POP_SIGNATURE_INVALID: invalidClient(),
  ERR_ATTESTATION_POP_CLAIMS_INVALID: invalidClient(),
  ERR_ATTESTATION_POP_AUD_MISMATCH: invalidClient(),
  ERR_ATTESTATION_POP_JTI_MISSING: invalidClient(),
  ERR_ATTESTATION_POP_STALE: invalidClient(),
  ERR_ATTESTATION_POP_NOT_YET_VALID: invalidClient(),
  ERR_ATTESTATION_POP_REPLAYED: invalidClient(),
  ERR_MTLS_CERTIFICATE_MISSING: invalidClient(),
  ERR_MTLS_CHAIN_NOT_VALIDATED: invalidClient(),
  ERR_MTLS_NAME_CONSTRAINTS: invalidClient(),
  ERR_MTLS_PATH_LENGTH: invalidClient(),
  ERR_MTLS_KEY_USAGE: invalidClient(),
  ERR_MTLS_CRITICAL_EXTENSION: invalidClient(),
  ERR_MTLS_WEAK_SIGNATURE: invalidClient(),
  ERR_MTLS_CERTIFICATE_EXPIRED: invalidClient(),
  ERR_MTLS_CERTIFICATE_NOT_YET_VALID: invalidClient(),
  ERR_MTLS_CERTIFICATE_MALFORMED: invalidClient(),
  ERR_MTLS_KEY_TOO_WEAK: invalidClient(),
  ERR_MTLS_KEY_UNSUITABLE: invalidClient(),
  ERR_MTLS_SUBJECT_DN_MISMATCH: invalidClient(),
  ERR_MTLS_SAN_MISMATCH: invalidClient(),
  ERR_MTLS_SELF_SIGNED_MISMATCH: invalidClient(),
  // RFC 6585 §4: 429 Too Many Requests; 401 instead when the client used the Authorization header
  // (RFC 6749 §5.2: that client MUST get a 401 with a challenge), set at the call site.
  ERR_TOO_MANY_FAILURES: invalidClient(429),

  // draft-ietf-oauth-attestation-based-client-auth-10 §7.4: use_fresh_attestation "MUST be used
  // when the Client Attestation JWT is deemed to be not fresh enough".
  ERR_ATTESTATION_EXPIRED: attestationRefused('use_fresh_attestation'),
  ERR_ATTESTATION_TOO_OLD: attestationRefused('use_fresh_attestation'),
  // §7.4: use_attestation_challenge "MUST be used when the Client Attestation PoP JWT is not using
  // an expected server-provided challenge", with a fresh one in OAuth-Client-Attestation-Challenge.
  ERR_ATTESTATION_CHALLENGE_MISSING: attestationRefused('use_attestation_challenge'),
  ERR_ATTESTATION_CHALLENGE_INVALID: attestationRefused('use_attestation_challenge'),
  ERR_ATTESTATION_CHALLENGE_EXPIRED: attestationRefused('use_attestation_challenge'),
  ERR_ATTESTATION_CHALLENGE_REUSED: attestationRefused('use_attestation_challenge'),

  // Server side (server_error, temporarily_unavailable): the request is refused, never accepted.
  ERR_INTERNAL: serverError(),
  ERR_CLIENT_LOOKUP_FAILED: serverError(),
  ERR_REPLAY_STORE_UNAVAILABLE: temporarilyUnavailable(),
  ERR_REPLAY_STORE_FULL: temporarilyUnavailable(),
  ERR_REPLAY_QUOTA_EXCEEDED: temporarilyUnavailable(),
  ERR_FAILURE_LIMITER_UNAVAILABLE: temporarilyUnavailable(),
  ERR_FAILURE_LIMITER_FULL: temporarilyUnavailable(),
  ERR_SECRET_HASH_BUSY: temporarilyUnavailable(),
  ERR_CLIENT_METADATA_DOCUMENT_BUSY: temporarilyUnavailable(),
} as const;

/** Every row of {@link ERRORS}, as the type system sees it. */
type ErrorTable = typeof ERRORS;

/**
 * Stable failure codes. Each rejection has exactly one; they are part of the public API and never
 * change meaning. The wire `error` stays the RFC 6749 §5.2 value; the code tells operators why.
 *
 * @example
 * ```ts
 * const alerting: ErrorCode[] = ['ERR_ASSERTION_REPLAYED', 'ERR_TOO_MANY_FAILURES']
 * createClientAuthenticator({
 *   issuer,
 *   getClient,
 *   onFailure: (event) => { if ((alerting as string[]).includes(event.code)) alert(event) },
 * })
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export type ErrorCode = keyof ErrorTable;

/** The error classes of the table (`InvalidRequest`, `InvalidClient`, …). */
export type ErrorClassName = ErrorTable[ErrorCode]['class'];

/**
 * The codes a class is thrown with: a code used with another class is a type error.
 *
 * @example
 * ```ts
 * const code: ErrorCodeOf<'InvalidClient'> = 'ERR_SECRET_MISMATCH' // 'ERR_BASIC_MALFORMED' would not compile
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export type ErrorCodeOf<C extends ErrorClassName> = {
  [K in ErrorCode]: ErrorTable[K]['class'] extends C ? K : never;
}[ErrorCode];

/**
 * RFC 6749 §5.2 error values this library answers with (plus RFC 6749 §4.1.2.1 server errors):
 * `invalid_request`, `invalid_client`, `server_error`, `temporarily_unavailable`, and the
 * `use_attestation_challenge` and `use_fresh_attestation` of
 * draft-ietf-oauth-attestation-based-client-auth-10 §7.4.
 *
 * @example
 * ```ts
 * const value: OAuthErrorValue = err.error // the `error` member of the JSON response
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export type OAuthErrorValue = ErrorTable[ErrorCode]['error'];

/** A table description with each `{placeholder}` read as any string. */
type Filled<S extends string> = S extends `${infer Head}{${string}}${infer Tail}`
  ? `${Head}${string}${Filled<Tail>}`
  : S;

/** The `error_description` texts a code may carry, from its row of the table. */
export type DescriptionOf<C extends ErrorCode> = Filled<ErrorTable[C]['descriptions'][number]>;
