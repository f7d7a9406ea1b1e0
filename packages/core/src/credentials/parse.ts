/**
 * Parse a request into exactly one presented credential (RFC 6749 §2.3: "The client MUST NOT use
 * more than one authentication method in each request"). Nothing is verified here: this module
 * only decides *what* was presented, or refuses a request that is malformed.
 */
import { InvalidClient, InvalidRequest } from '../errors.js';
import type { ClientAuthRequest, FormParameters } from '../types.js';
import { parseAssertion } from './assertion.js';
import { hasAttestationHeaders, parseAttestation } from './attestation.js';
import { authorizationHeader, parseBasic } from './basic.js';
import { type BasicCredential, CONTROL_CHARACTERS, checkClientId, type PresentedCredential } from './credential.js';

/** Options of {@link parseCredentials}. */
export interface ParseCredentialsOptions {
  /** Also accept Basic credentials that were not form-encoded (curl `-u`, Authlib). Default false. */
  acceptUnencodedBasic?: boolean;
}

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

/**
 * Find the one credential the request presents.
 *
 * - `invalid_request` for malformed input, a repeated parameter (RFC 6749 §3.2), credentials in the
 *   query string (RFC 6749 §2.3.1) or more than one mechanism (RFC 6749 §2.3, §5.2);
 * - `invalid_client` when nothing identifies a client, for an unsupported `Authorization`
 *   scheme (RFC 6749 §5.2: "unsupported authentication method"), or for an assertion whose
 *   envelope is not one compact JWS of the JWT bearer type (RFC 7523 §2.2).
 *
 * @example
 * ```ts
 * const credential = parseCredentials(request)
 * if (credential.mechanism === 'client_secret_basic') console.log(credential.clientId)
 * ```
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
  const basic: BasicCredential | undefined =
    header === undefined ? undefined : parseBasic(header, options.acceptUnencodedBasic === true);

  if (assertionType !== undefined && assertion === undefined) {
    throw new InvalidRequest('ERR_ASSERTION_MISSING', 'client_assertion is required with client_assertion_type');
  }
  if (assertion !== undefined && assertionType === undefined) {
    throw new InvalidRequest('ERR_ASSERTION_TYPE_MISSING', 'client_assertion_type is required with client_assertion');
  }

  // draft-ietf-oauth-attestation-based-client-auth-10 §7.5: the two attestation headers are one
  // client authentication mechanism of RFC 6749 §2.3. Beside another one they are refused: the
  // "additional security signal" of §7.6 is not offered (packages/core/README.md).
  const attested = hasAttestationHeaders(request);
  const mechanisms =
    (basic ? 1 : 0) + (clientSecret !== undefined ? 1 : 0) + (assertion !== undefined ? 1 : 0) + (attested ? 1 : 0);
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
    return basic;
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
  if (assertion !== undefined && assertionType !== undefined) return parseAssertion(assertion, assertionType, clientId);
  if (attested) return parseAttestation(request, clientId) as PresentedCredential;
  // Certificate-only (tls_client_auth, self_signed_tls_client_auth) and `none` name the client alone.
  if (clientId !== undefined) return { mechanism: 'client_id', clientId };
  // RFC 6749 §5.2 invalid_client: "no client authentication included".
  throw new InvalidClient('ERR_NO_CLIENT_AUTHENTICATION');
}
