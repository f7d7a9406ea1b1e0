/**
 * The rules of a client assertion's JOSE header (RFC 7515 §4, RFC 7519 §5, RFC 7523 §3): `crit`,
 * the algorithm allowed for the method, endpoint and client, and the explicit type. The header
 * was decoded with the envelope (credentials/assertion.ts); these rules need the client.
 */
import { methodAlgorithms, type SigningAlgorithm, sameAlgorithm } from '../../algorithms.js';
import type { Config } from '../../config.js';
import type { AuthMethod, ClientMetadata, EndpointName } from '../../types.js';
import { refuse } from './refuse.js';

/** Header parameters jose understands as `crit` extensions; none of them is accepted here. */
const REGISTERED_HEADER_PARAMETERS: ReadonlySet<unknown> = new Set([
  'alg',
  'jku',
  'jwk',
  'kid',
  'x5u',
  'x5c',
  'x5t',
  'x5t#S256',
  'typ',
  'cty',
  'crit',
]);

/**
 * `typ` values accepted, compared case-insensitively without an `application/` prefix
 * (RFC 7515 §4.1.9). rfc7523bis §4 registers `client-authentication+jwt`; absent and `JWT` stay
 * accepted (rfc7523bis §4: "NOT RECOMMENDED for servers to reject JWTs that do not have explicit
 * types"). Any other explicit type (`dpop+jwt`, `at+jwt`, …) is another kind of token.
 */
const EXPLICIT_TYPE = 'client-authentication+jwt';

/** What the rest of the verification needs of a header that passed. */
export interface ProtectedHeader {
  alg: string;
  kid: string | undefined;
  explicitlyTyped: boolean;
}

/** Check the decoded JOSE header against the client's registered method and algorithm. */
export function checkHeader(
  header: Readonly<Record<string, unknown>>,
  config: Config,
  client: ClientMetadata,
  method: AuthMethod,
  endpoint: EndpointName,
): ProtectedHeader {
  if (header.crit !== undefined) {
    // RFC 7515 §4.1.11: a non-empty array of unique names, none of them registered header
    // parameters; we understand no extension, so any well-formed crit is refused too.
    const crit = header.crit;
    if (
      !Array.isArray(crit) ||
      crit.length === 0 ||
      crit.some((name) => typeof name !== 'string' || REGISTERED_HEADER_PARAMETERS.has(name)) ||
      new Set(crit).size !== crit.length
    ) {
      refuse('ERR_ASSERTION_HEADER_INVALID');
    }
    refuse('ERR_ASSERTION_CRIT_UNSUPPORTED');
  }

  const alg = header.alg;
  if (typeof alg !== 'string') refuse('ERR_ASSERTION_HEADER_INVALID');
  // RFC 7523 §3 item 9: signed or MACed — never `none`. The allow-list is split by method.
  if (
    !methodAlgorithms(method).includes(alg as SigningAlgorithm) ||
    !config.endpointAlgorithms[endpoint].has(alg as SigningAlgorithm)
  ) {
    refuse('ERR_ASSERTION_ALG_NOT_ALLOWED');
  }
  // OpenID Connect Registration §2: token_endpoint_auth_signing_alg — "All Token Requests using
  // these authentication methods from this Client MUST be rejected, if the JWT is not signed with
  // this algorithm."
  const bound = client.token_endpoint_auth_signing_alg;
  if (bound !== undefined && !sameAlgorithm(bound, alg)) refuse('ERR_ASSERTION_ALG_MISMATCH');

  let explicitlyTyped = false;
  if (header.typ !== undefined) {
    if (typeof header.typ !== 'string') refuse('ERR_ASSERTION_HEADER_INVALID');
    const typ = header.typ.toLowerCase().replace(/^application\//, '');
    explicitlyTyped = typ === EXPLICIT_TYPE;
    if (!explicitlyTyped && typ !== 'jwt') refuse('ERR_ASSERTION_TYP_INVALID');
  }
  if (header.kid !== undefined && typeof header.kid !== 'string') refuse('ERR_ASSERTION_HEADER_INVALID');
  // Header jwk/jku/x5u/x5c are never read: keys come only from the client's registration.
  return { alg, kid: header.kid as string | undefined, explicitlyTyped };
}
