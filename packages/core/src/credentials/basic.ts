/**
 * `Authorization: Basic` (RFC 6749 §2.3.1, RFC 7617 §2): base64 (RFC 4648 §4) → split at the
 * first `:` → form-decode each part (RFC 6749 Appendix B) → UTF-8.
 */
import { InvalidClient, InvalidRequest } from '../errors.js';
import { decodeFormComponent } from '../form.js';
import type { ClientAuthRequest } from '../types.js';
import { type BasicCredential, type BasicPair, CONTROL_CHARACTERS, checkClientId } from './credential.js';

/**
 * Longest `Authorization` header value accepted before any decoding: 8 KiB. A longer one is
 * `invalid_request` `ERR_AUTHORIZATION_HEADER_TOO_LARGE`.
 *
 * @example
 * ```ts
 * // keep the HTTP server's header limit above it, so that the library answers the refusal
 * http.createServer({ maxHeaderSize: 2 * MAX_AUTHORIZATION_HEADER }, handler)
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 */
export const MAX_AUTHORIZATION_HEADER = 8 * 1024;

// RFC 9110 §11.1 auth-scheme is a token; RFC 9110 §11.2 token68 follows after one or more spaces.
const CREDENTIALS_SYNTAX = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)(?: +([^ ]*) *)?$/;
// RFC 4648 §4 (not base64url), padded: with a length that is a multiple of 4, this is the same
// language as /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, at half the cost.
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The single `Authorization` header value, refusing a repeated or oversized one. */
export function authorizationHeader(request: ClientAuthRequest): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  if (Array.isArray(header)) {
    if (header.length !== 1) {
      throw new InvalidRequest('ERR_AUTHORIZATION_HEADER_REPEATED', 'the Authorization header must not be repeated');
    }
    // A one-element list is held to the same size cap as a plain string.
    return authorizationHeader({ ...request, headers: { authorization: header[0] } });
  }
  if (typeof header !== 'string') {
    throw new InvalidRequest('ERR_BASIC_MALFORMED', 'the Authorization header is malformed');
  }
  if (header.length > MAX_AUTHORIZATION_HEADER) {
    throw new InvalidRequest('ERR_AUTHORIZATION_HEADER_TOO_LARGE', 'the Authorization header is too large');
  }
  return header;
}

/** The token68 of a Basic `Authorization` header (RFC 9110 §11.1, §11.2; RFC 7617 §2). */
function basicToken(header: string): string {
  // The usual spelling, `Basic <token68>` with no other space, needs no regular expression.
  // (What CREDENTIALS_SYNTAX would capture from it: everything after the one space.)
  if (header.startsWith('Basic ') && header.indexOf(' ', 6) === -1) return header.slice(6);
  const match = CREDENTIALS_SYNTAX.exec(header);
  if (match === null) {
    throw new InvalidRequest('ERR_BASIC_MALFORMED', 'the Authorization header is malformed');
  }
  // RFC 9110 §11.1: the auth-scheme is case-insensitive.
  if (match[1]?.toLowerCase() !== 'basic') throw new InvalidClient('ERR_UNSUPPORTED_AUTHORIZATION_SCHEME');
  return match[2] ?? '';
}

/**
 * Decode a Basic `Authorization` header into a client_id / secret pair (RFC 6749 §2.3.1, RFC 7617
 * §2); with `acceptUnencoded`, also the pair read without form-decoding when it differs.
 */
export function parseBasic(header: string, acceptUnencoded: boolean): BasicCredential {
  const token = basicToken(header);
  if (token.length % 4 !== 0 || !BASE64.test(token)) {
    throw new InvalidRequest('ERR_BASIC_MALFORMED', 'the Basic credentials are not valid base64');
  }
  let decoded: string;
  try {
    decoded = utf8.decode(Buffer.from(token, 'base64'));
  } catch {
    throw new InvalidRequest('ERR_BASIC_MALFORMED', 'the Basic credentials are not valid UTF-8');
  }
  // RFC 7617 §2: the first colon separates user-id from password.
  const colon = decoded.indexOf(':');
  if (colon === -1) {
    throw new InvalidRequest('ERR_BASIC_MALFORMED', 'the Basic credentials must be client_id:client_secret');
  }
  const rawId = decoded.slice(0, colon);
  const rawSecret = decoded.slice(colon + 1);
  if (CONTROL_CHARACTERS.test(decoded)) {
    throw new InvalidRequest('ERR_BASIC_MALFORMED', 'the Basic credentials must not contain control characters');
  }
  // RFC 6749 §2.3.1 / Appendix B: each part is form-encoded before it goes into Basic.
  const clientId = decodeFormComponent(rawId);
  const secret = decodeFormComponent(rawSecret);
  const raw: BasicPair = { clientId: rawId, secret: rawSecret };
  if (clientId === undefined || secret === undefined) {
    if (!acceptUnencoded) {
      throw new InvalidRequest('ERR_BASIC_MALFORMED', 'the Basic credentials have a malformed percent-encoding');
    }
    return basicCredential(raw, undefined);
  }
  // A part that decoding left unchanged is a piece of `decoded`, already checked above.
  if (
    (clientId !== rawId && CONTROL_CHARACTERS.test(clientId)) ||
    (secret !== rawSecret && CONTROL_CHARACTERS.test(secret))
  ) {
    throw new InvalidRequest('ERR_BASIC_MALFORMED', 'the Basic credentials must not contain control characters');
  }
  const differs = raw.clientId !== clientId || raw.secret !== secret;
  return basicCredential({ clientId, secret }, acceptUnencoded && differs ? raw : undefined);
}

function basicCredential(pair: BasicPair, unencoded: BasicPair | undefined): BasicCredential {
  if (pair.clientId.length === 0) {
    throw new InvalidRequest('ERR_BASIC_MALFORMED', 'the Basic credentials have an empty client identifier');
  }
  checkClientId(pair.clientId, 'ERR_BASIC_MALFORMED');
  const { clientId, secret } = pair;
  return unencoded === undefined
    ? { mechanism: 'client_secret_basic', clientId, secret }
    : { mechanism: 'client_secret_basic', clientId, secret, unencoded };
}
