/**
 * The envelope of a JWT client assertion (RFC 7523 §2.2), parsed once in the credentials step:
 * the type, the size cap, the compact JWS syntax, the JOSE header decoded, and the client it names.
 * Nothing is verified here: the header rules, the signature and the claims belong to the verifier
 * of the client's registered method (methods/client_assertion/).
 */
import { type ErrorCodeOf, InvalidClient } from '../errors.js';
import { type AssertionCredential, CONTROL_CHARACTERS, MAX_CLIENT_ID_LENGTH } from './credential.js';

/**
 * RFC 7523 §2.2 `client_assertion_type` for JWT client assertions (`client_secret_jwt`,
 * `private_key_jwt`). It is compared exactly; any other value is `invalid_client`.
 *
 * @example
 * ```ts
 * const body = {
 *   client_assertion_type: [JWT_BEARER_ASSERTION_TYPE],
 *   client_assertion: [assertion],
 *   grant_type: ['client_credentials'],
 * }
 * await auth.authenticate({ headers: {}, body, secure: true }, { endpoint: 'token' })
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-2.2
 */
export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/**
 * Longest `client_assertion` accepted, checked before any decoding or crypto: 8 KiB. A longer one
 * is `invalid_client` `ERR_ASSERTION_TOO_LARGE`.
 *
 * @example
 * ```ts
 * if (assertion.length > MAX_ASSERTION_LENGTH) throw new Error('the AS will refuse this assertion')
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-2.2
 */
export const MAX_ASSERTION_LENGTH = 8 * 1024;

// RFC 7515 §7.1: three base64url segments; an empty signature would be an unsecured JWS.
export const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function fail(code: ErrorCodeOf<'InvalidClient'>, cause?: unknown): never {
  throw new InvalidClient(code, cause === undefined ? undefined : { cause });
}

/** A base64url segment of a JWS, as JSON (RFC 7515 §7.1). */
export function decodeSegment(segment: string): unknown {
  return JSON.parse(utf8.decode(Buffer.from(segment, 'base64url')));
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * The client an assertion names, read *without* verifying it: `sub`, else `iss` (RFC 7523 §3
 * items 1 and 2: both are the client_id). Used only to find the client whose registered keys
 * then verify the signature.
 */
function namedClientId(payload: string): string {
  let claims: unknown;
  try {
    claims = decodeSegment(payload);
  } catch (cause) {
    fail('ERR_ASSERTION_MALFORMED', cause);
  }
  if (!isPlainObject(claims)) fail('ERR_ASSERTION_MALFORMED');
  const named = typeof claims.sub === 'string' ? claims.sub : claims.iss;
  if (typeof named !== 'string') fail('ERR_ASSERTION_SUB_MISMATCH');
  if (named === '' || named.length > MAX_CLIENT_ID_LENGTH || CONTROL_CHARACTERS.test(named)) {
    fail('ERR_ASSERTION_CLAIMS_INVALID');
  }
  return named;
}

/**
 * Parse the envelope of a client assertion. The size cap comes first (no work on oversized
 * input); the payload is decoded only when no body `client_id` names the client.
 */
export function parseAssertion(
  assertion: string,
  assertionType: string,
  bodyClientId: string | undefined,
): AssertionCredential {
  // RFC 7523 §2.2: client_assertion_type is compared exactly.
  if (assertionType !== JWT_BEARER_ASSERTION_TYPE) fail('ERR_ASSERTION_TYPE_UNSUPPORTED');
  if (assertion.length > MAX_ASSERTION_LENGTH) fail('ERR_ASSERTION_TOO_LARGE');
  // RFC 7523 §2.2: a single JWT, "MUST NOT contain more than one"; a JWE or JSON serialization is not one.
  if (!COMPACT_JWS.test(assertion)) fail('ERR_ASSERTION_MALFORMED');
  const dot = assertion.indexOf('.');
  const clientId = bodyClientId ?? namedClientId(assertion.slice(dot + 1, assertion.indexOf('.', dot + 1)));
  let header: unknown;
  try {
    header = decodeSegment(assertion.slice(0, dot));
  } catch (cause) {
    fail('ERR_ASSERTION_HEADER_INVALID', cause);
  }
  if (!isPlainObject(header)) fail('ERR_ASSERTION_HEADER_INVALID');
  return bodyClientId === undefined
    ? { mechanism: 'client_assertion', assertion, assertionType, header, clientId }
    : { mechanism: 'client_assertion', assertion, assertionType, header, clientId, bodyClientId };
}
