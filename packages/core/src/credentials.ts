/**
 * Parse a request into exactly one presented credential (RFC 6749 §2.3: "The client MUST NOT use
 * more than one authentication method in each request"). Nothing is verified here: this module
 * only decides *what* was presented, or refuses a request that is malformed.
 */
import { InvalidClient, InvalidRequest } from './errors.js';
import { decodeFormComponent } from './form.js';
import type { ClientAuthRequest, FormParameters } from './types.js';

/** Longest `Authorization` header value accepted before any decoding: 8 KiB. */
export const MAX_AUTHORIZATION_HEADER = 8 * 1024;
/** Longest `client_id` accepted (octets of its UTF-16 length), so that lookups stay bounded. */
export const MAX_CLIENT_ID_LENGTH = 1024;

/** RFC 7523 §2.2 `client_assertion_type` for JWT client assertions. */
export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** A client_id / secret pair as decoded from a Basic header. */
export interface BasicPair {
  clientId: string;
  secret: string;
}

/** The one credential a request presents. */
export type PresentedCredential =
  | {
      mechanism: 'client_secret_basic';
      clientId: string;
      secret: string;
      /** The pair read without form-decoding, when `basic.acceptUnencoded` is on and it differs. */
      unencoded?: BasicPair;
    }
  | { mechanism: 'client_secret_post'; clientId: string; secret: string }
  | { mechanism: 'client_assertion'; assertion: string; assertionType: string; clientId?: string }
  /** Only a `client_id`: `none`, or a certificate method (the certificate is not a credential here). */
  | { mechanism: 'client_id'; clientId: string };

/** Options of {@link parseCredentials}. */
export interface ParseCredentialsOptions {
  /** Also accept Basic credentials that were not form-encoded (curl `-u`, Authlib). Default false. */
  acceptUnencodedBasic?: boolean;
}

// RFC 7617 §2: user-id and password MUST NOT contain control characters.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find them
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;
// RFC 9110 §11.1 auth-scheme is a token; RFC 9110 §11.2 token68 follows after one or more spaces.
const CREDENTIALS_SYNTAX = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)(?: +([^ ]*) *)?$/;
// RFC 4648 §4 (not base64url), padded: with a length that is a multiple of 4, this is the same
// language as /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, at half the cost.
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Read a single-valued parameter: repeated is `invalid_request` (RFC 6749 §3.2), empty is omitted
 * (RFC 6749 §3.2: "Parameters sent without a value MUST be treated as if they were omitted").
 */
function single(params: FormParameters, name: string): string | undefined {
  const values = params[name];
  if (values === undefined) return undefined;
  if (values.length !== 1) return values.length === 0 ? undefined : repeated(name);
  const value = values[0];
  return value === '' ? undefined : value;
}

function repeated(name: string): never {
  throw new InvalidRequest('ERR_PARAMETER_REPEATED', `the ${name} parameter must not be repeated`);
}

function checkClientId(clientId: string, code: 'ERR_PARAMETER_MALFORMED' | 'ERR_BASIC_MALFORMED'): void {
  if (clientId.length > MAX_CLIENT_ID_LENGTH || CONTROL_CHARACTERS.test(clientId)) {
    throw new InvalidRequest(code, 'the client identifier is malformed');
  }
}

/** Decode a Basic `token68` into a client_id / secret pair (RFC 6749 §2.3.1, RFC 7617 §2). */
function parseBasic(
  token: string,
  options: ParseCredentialsOptions,
): Omit<PresentedCredential & { mechanism: 'client_secret_basic' }, 'mechanism'> {
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
    if (options.acceptUnencodedBasic !== true) {
      throw new InvalidRequest('ERR_BASIC_MALFORMED', 'the Basic credentials have a malformed percent-encoding');
    }
    return finishBasic(raw, undefined);
  }
  // A part that decoding left unchanged is a piece of `decoded`, already checked above.
  if (
    (clientId !== rawId && CONTROL_CHARACTERS.test(clientId)) ||
    (secret !== rawSecret && CONTROL_CHARACTERS.test(secret))
  ) {
    throw new InvalidRequest('ERR_BASIC_MALFORMED', 'the Basic credentials must not contain control characters');
  }
  const differs = raw.clientId !== clientId || raw.secret !== secret;
  return finishBasic({ clientId, secret }, options.acceptUnencodedBasic === true && differs ? raw : undefined);
}

function finishBasic(pair: BasicPair, unencoded: BasicPair | undefined) {
  if (pair.clientId.length === 0) {
    throw new InvalidRequest('ERR_BASIC_MALFORMED', 'the Basic credentials have an empty client identifier');
  }
  checkClientId(pair.clientId, 'ERR_BASIC_MALFORMED');
  const { clientId, secret } = pair;
  return unencoded === undefined ? { clientId, secret } : { clientId, secret, unencoded };
}

/** The single `Authorization` header value, refusing a repeated or oversized one. */
function authorizationHeader(request: ClientAuthRequest): string | undefined {
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
 * Find the one credential the request presents.
 *
 * - `invalid_request` for malformed input, a repeated parameter (RFC 6749 §3.2), credentials in the
 *   query string (RFC 6749 §2.3.1) or more than one mechanism (RFC 6749 §2.3, §5.2);
 * - `invalid_client` when nothing identifies a client, or for an unsupported `Authorization`
 *   scheme (RFC 6749 §5.2: "unsupported authentication method").
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3
 */
export function parseCredentials(
  request: ClientAuthRequest,
  options: ParseCredentialsOptions = {},
): PresentedCredential {
  const query = request.query;
  if (
    query !== undefined &&
    (query.client_secret !== undefined ||
      query.client_assertion !== undefined ||
      query.client_assertion_type !== undefined)
  ) {
    // RFC 6749 §2.3.1: "The parameters can only be transmitted in the request-body and
    // MUST NOT be included in the request URI."
    throw new InvalidRequest('ERR_CREDENTIALS_IN_QUERY', 'client credentials must not be sent in the query string');
  }
  const body = request.body;
  const clientId = single(body, 'client_id');
  const clientSecret = single(body, 'client_secret');
  const assertion = single(body, 'client_assertion');
  const assertionType = single(body, 'client_assertion_type');
  const header = authorizationHeader(request);

  let basic: ReturnType<typeof parseBasic> | undefined;
  if (header !== undefined) {
    basic = parseBasic(basicToken(header), options);
  }

  if (assertionType !== undefined && assertion === undefined) {
    throw new InvalidRequest('ERR_ASSERTION_MISSING', 'client_assertion is required with client_assertion_type');
  }
  if (assertion !== undefined && assertionType === undefined) {
    throw new InvalidRequest('ERR_ASSERTION_TYPE_MISSING', 'client_assertion_type is required with client_assertion');
  }

  const mechanisms = (basic ? 1 : 0) + (clientSecret !== undefined ? 1 : 0) + (assertion !== undefined ? 1 : 0);
  if (mechanisms > 1) {
    throw new InvalidRequest(
      'ERR_MULTIPLE_MECHANISMS',
      'the client must not use more than one authentication mechanism in a request',
    );
  }
  if (clientId !== undefined) checkClientId(clientId, 'ERR_PARAMETER_MALFORMED');

  if (basic !== undefined) {
    if (clientId !== undefined && clientId !== basic.clientId && clientId !== basic.unencoded?.clientId) {
      // FAPI 1 Part 1 §5.2.2-19: mismatched client identifiers are invalid_client.
      throw new InvalidClient('ERR_CLIENT_ID_MISMATCH');
    }
    // Checked only once the mechanisms are counted: an empty Basic password beside a body
    // client_secret is still two mechanisms (RFC 6749 §2.3), not a wrong secret.
    if (basic.secret.length === 0) throw new InvalidClient('ERR_SECRET_EMPTY');
    return { mechanism: 'client_secret_basic', ...basic };
  }
  if (clientSecret !== undefined) {
    if (clientId === undefined) {
      throw new InvalidRequest('ERR_PARAMETER_MALFORMED', 'client_id is required with client_secret');
    }
    if (CONTROL_CHARACTERS.test(clientSecret)) {
      throw new InvalidRequest('ERR_PARAMETER_MALFORMED', 'the client_secret parameter is malformed');
    }
    return { mechanism: 'client_secret_post', clientId, secret: clientSecret };
  }
  if (assertion !== undefined && assertionType !== undefined) {
    return clientId === undefined
      ? { mechanism: 'client_assertion', assertion, assertionType }
      : { mechanism: 'client_assertion', assertion, assertionType, clientId };
  }
  if (clientId !== undefined) return { mechanism: 'client_id', clientId };
  // RFC 6749 §5.2 invalid_client: "no client authentication included".
  throw new InvalidClient('ERR_NO_CLIENT_AUTHENTICATION');
}
