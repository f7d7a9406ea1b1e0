/**
 * The request path, straight down (RFC 6749 §2.3): resolve the certificate → parse the one
 * presented credential → find the client → failure limiter → bind to its *registered* method →
 * run that method's verifier → record the outcome. The method a request *seems* to use never
 * chooses the verifier (RFC 6749 §2.3.2: the server defines the mapping between a client and its
 * authentication method).
 */
import { Attempt } from './attempt.js';
import type { Config } from './config.js';
import type { ClientIdCredential, PresentedCredential, SecretCredential } from './credentials/credential.js';
import { parseCredentials } from './credentials/parse.js';
import { InvalidClient, ServerError } from './errors.js';
import { verifyAttestation } from './methods/attestation/verify.js';
import type { AssertionKeys } from './methods/client_assertion/keys.js';
import { verifyClientAssertion } from './methods/client_assertion/verify.js';
import {
  refuseWithStandIn,
  requireTlsForSecrets,
  verifyClientSecret,
  verifyUnknownClient,
} from './methods/client_secret.js';
import { type Awaitable, isPending, type VerifiedDetail, type VerifyContext } from './methods/method.js';
import { verifyNone } from './methods/none.js';
import { verifySelfSignedTlsClientAuth, verifyTlsClientAuth } from './methods/tls_client_auth.js';
import { resolveCertificate } from './proxy/certificate_source.js';
import { basicChallenge } from './response.js';
import { startObservation } from './telemetry.js';
import {
  AUTH_METHODS,
  type AuthMethod,
  type ClientAuthRequest,
  type ClientAuthResult,
  type ClientMetadata,
  ENDPOINT_NAMES,
  type EndpointName,
} from './types.js';
import { x5tS256 } from './x509/certificate.js';

const KNOWN_METHODS: ReadonlySet<unknown> = new Set(AUTH_METHODS);
const KNOWN_ENDPOINTS: ReadonlySet<unknown> = new Set(ENDPOINT_NAMES);

/** Registered methods whose credential is a shared secret, or an HMAC keyed by it (OIDC Core §9). */
const SECRET_METHODS: ReadonlySet<unknown> = new Set<AuthMethod>([
  'client_secret_basic',
  'client_secret_post',
  'client_secret_jwt',
]);

/**
 * Per-call options of `authenticate()`: the endpoint the request was made to, which picks the
 * methods and algorithms allowed there and the audiences an assertion may carry.
 *
 * @example
 * ```ts
 * const { client } = await auth.authenticate(request, { endpoint: 'introspection' })
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 */
export interface AuthenticateOptions {
  /** The endpoint being called; decides the methods allowed and the accepted audiences. */
  endpoint: EndpointName;
}

/**
 * The request with its certificate taken from the configured source: the TLS socket, or the
 * header of a trusted proxy (RFC 8705 §2, RFC 9440). Everything downstream reads
 * `request.certificate` only.
 */
function withResolvedCertificate(config: Config, request: ClientAuthRequest): ClientAuthRequest {
  const certificate = resolveCertificate(config.certificateSource, request);
  if (certificate === request.certificate) return request;
  const { certificate: _socket, ...rest } = request;
  // A certificate from the proxy means the client spoke TLS to the proxy.
  return certificate === undefined ? rest : { ...rest, certificate, secure: true };
}

function lookupFailed(cause: unknown): never {
  throw new ServerError('ERR_CLIENT_LOOKUP_FAILED', { cause });
}

/** What `getClient` answered, checked: the client, or `undefined` when there is none. */
function foundClient(client: unknown, clientId: string): ClientMetadata | undefined {
  if (client === undefined || client === null) return undefined;
  if (typeof client !== 'object' || (client as ClientMetadata).client_id !== clientId) {
    // A lookup that answers for another client is a bug in the host, not a client error.
    lookupFailed(new TypeError('getClient returned metadata whose client_id differs from the one asked for'));
  }
  return client as ClientMetadata;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * The registered client, else (when enabled) the client ID metadata document of a URL client_id:
 * registered clients take precedence (draft-ietf-oauth-client-id-metadata-document-02 §7.2,
 * pre-registered client identifier URLs).
 */
function orDocument(
  config: Config,
  client: ClientMetadata | undefined,
  clientId: string,
): Awaitable<ClientMetadata | undefined> {
  const documents = config.clientDocuments;
  if (client !== undefined || documents === undefined || !documents.accepts(clientId)) return client;
  return documents.resolve(clientId);
}

/**
 * Look the client up: at once when `getClient` answers at once (an in-memory registry), and then
 * its client ID metadata document when it is a URL unknown to `getClient` (a cached one at once).
 */
export function findClient(config: Config, clientId: string): Awaitable<ClientMetadata | undefined> {
  let answer: ReturnType<Config['getClient']>;
  try {
    answer = config.getClient(clientId);
  } catch (cause) {
    lookupFailed(cause);
  }
  // Any thenable, not only a native promise: a host's store may use another promise library.
  if (isThenable(answer)) {
    return Promise.resolve(answer).then(
      (client) => orDocument(config, foundClient(client, clientId), clientId),
      lookupFailed,
    );
  }
  return orDocument(config, foundClient(answer, clientId), clientId);
}

function isSecret(credential: PresentedCredential): credential is SecretCredential {
  return credential.mechanism === 'client_secret_basic' || credential.mechanism === 'client_secret_post';
}

/**
 * Whether this request can guess a secret, so that the failure limiter counts it (DESIGN.md §3:
 * "failures are counted only where guessing can succeed"). Decided by the client's *registered*
 * method: a garbage secret or HS256 assertion naming a `private_key_jwt`, mTLS or public client
 * guesses nothing. An unknown client_id with a secret or an assertion is counted like a secret
 * client, so that the limiter does not tell unknown client_ids from registered secret clients.
 */
function guessesSecret(credential: PresentedCredential, client: ClientMetadata | undefined): boolean {
  // No guess of a secret: the certificate, or the attester's and the instance's signatures, decide.
  if (credential.mechanism === 'client_id' || credential.mechanism === 'attestation') return false;
  // RFC 7591 §2: token_endpoint_auth_method defaults to client_secret_basic.
  return client === undefined || SECRET_METHODS.has(client.token_endpoint_auth_method ?? 'client_secret_basic');
}

/**
 * Run the verifier of the registered method with the credential of its mechanism. A credential of
 * another mechanism is refused (after the stand-in check when it was a secret). `known` false: the
 * stand-in of an unknown client_id, which takes a known client's steps to the same depth.
 */
function verifyWithMethod(
  credential: PresentedCredential,
  context: VerifyContext,
  known: boolean,
): Awaitable<VerifiedDetail | undefined> {
  switch (context.method) {
    case 'client_secret_basic':
    case 'client_secret_post':
      if (credential.mechanism !== context.method) break;
      return known ? verifyClientSecret(credential, context) : verifyUnknownClient(credential, context);
    case 'client_secret_jwt':
    case 'private_key_jwt':
      if (credential.mechanism !== 'client_assertion') break;
      return verifyClientAssertion(credential, context);
    case 'attest_jwt_client_auth':
      if (credential.mechanism !== 'attestation') break;
      return verifyAttestation(credential, context);
    case 'tls_client_auth':
    case 'self_signed_tls_client_auth':
    case 'none':
      if (credential.mechanism !== 'client_id') break;
      return CLIENT_ID_VERIFIERS[context.method](credential, context);
  }
  // A confidential client that sent only its client_id included no client authentication.
  return refuseWithStandIn(
    credential,
    context,
    credential.mechanism === 'client_id' ? 'ERR_NO_CLIENT_AUTHENTICATION' : 'ERR_METHOD_MISMATCH',
  );
}

const CLIENT_ID_VERIFIERS = {
  tls_client_auth: verifyTlsClientAuth,
  self_signed_tls_client_auth: verifySelfSignedTlsClientAuth,
  none: verifyNone,
} as const satisfies Record<string, (credential: ClientIdCredential, context: VerifyContext) => unknown>;

/**
 * Create the `authenticate()` of one authenticator: its configuration, its imported assertion keys
 * and its challenge are fixed here, once.
 */
export function createAuthenticate(
  config: Config,
  keys: AssertionKeys,
): (request: ClientAuthRequest, options: AuthenticateOptions) => Promise<ClientAuthResult> {
  const challenge = basicChallenge(config.issuer);
  const parseOptions = { acceptUnencodedBasic: config.acceptUnencodedBasic };

  /**
   * Find the client the credential names, verify it with the client's registered method, and
   * settle the outcome. `firstRefusal`: this is the second reading of a Basic pair (below), whose
   * own refusal is never the one reported.
   */
  async function verifyCredential(
    request: ClientAuthRequest,
    credential: PresentedCredential,
    endpoint: EndpointName,
    attempt: Attempt,
    firstRefusal?: unknown,
  ): Promise<ClientAuthResult> {
    try {
      const nowSeconds = Math.floor(config.now() / 1000);
      const { clientId } = credential;
      const report = firstRefusal === undefined;
      if (report) attempt.names(clientId);
      const found = findClient(config, clientId);
      const client = isPending(found) ? await found : found;
      // RFC 6749 §2.3.1 brute force: counted after the (cheap) lookup, before the (costly) check.
      if (guessesSecret(credential, client)) {
        const reserving = attempt.reserve(clientId, request, credential.mechanism === 'client_secret_basic');
        if (reserving !== undefined) await reserving;
      }
      if (client === undefined && !isSecret(credential)) throw new InvalidClient('ERR_CLIENT_NOT_FOUND');
      // An unknown client_id that sent a secret takes a known client's steps on a stand-in registered
      // for the presented method (DESIGN.md §3: "an unknown client costs the same as a wrong secret").
      const known = client !== undefined;
      // RFC 7591 §2: token_endpoint_auth_method defaults to client_secret_basic.
      const registered = known ? (client.token_endpoint_auth_method ?? 'client_secret_basic') : credential.mechanism;
      if (!KNOWN_METHODS.has(registered)) throw new InvalidClient('ERR_CLIENT_METADATA_INVALID');
      const method = registered as AuthMethod;
      if (report && known) attempt.names(clientId, method);
      // Built once, complete, and never changed (every field is readonly).
      const context: VerifyContext = {
        request,
        client: client ?? UNKNOWN_CLIENT,
        clientId,
        method,
        endpoint,
        config,
        keys,
        nowSeconds,
      };
      if (!config.endpointMethods[endpoint].has(method)) {
        await refuseWithStandIn(credential, context, known ? 'ERR_METHOD_NOT_ALLOWED' : 'ERR_CLIENT_NOT_FOUND');
      }
      const verified = verifyWithMethod(credential, context, known);
      const detail = isPending(verified) ? await verified : verified;
      const result = authenticated(context, client as ClientMetadata, detail);
      // A document that authenticated a request is kept over ones that were merely fetched (docs/LIMITS.md).
      if (config.clientDocuments?.proven(client as ClientMetadata) === true) result.clientIdMetadataDocument = true;
      const settled = attempt.succeeded(result);
      return isPending(settled) ? await settled : settled;
    } catch (refused) {
      if (firstRefusal !== undefined) return attempt.refuse(firstRefusal, challenge);
      const other = otherReading(credential, refused);
      if (other !== undefined) return verifyCredential(request, other, endpoint, attempt, refused);
      return attempt.refuse(refused, challenge);
    }
  }

  // Not an async function: the one promise of a request is verifyCredential's (bench/README.md).
  return function authenticate(incoming, callOptions) {
    const endpoint = callOptions?.endpoint;
    if (!KNOWN_ENDPOINTS.has(endpoint)) {
      // Counted too (one observation per call), without the endpoint: its value is the caller's bug.
      if (config.telemetry !== undefined) {
        startObservation(config.telemetry, undefined)({ result: 'failure', errorType: 'TypeError' });
      }
      return Promise.reject(
        new TypeError(`client-auth: authenticate() needs a known endpoint, got ${JSON.stringify(endpoint)}`),
      );
    }
    const attempt = new Attempt(config, endpoint, incoming);
    let request: ClientAuthRequest;
    let credential: PresentedCredential;
    try {
      request = withResolvedCertificate(config, incoming);
      credential = parseCredentials(request, parseOptions);
      requireTlsForSecrets(credential, request, config);
    } catch (thrown) {
      return attempt.refuse(thrown, challenge);
    }
    return verifyCredential(request, credential, endpoint, attempt);
  };
}

/**
 * Opt-in `basic.acceptUnencoded`, when the raw reading of the Basic pair names *another* client_id
 * (one with `+` or `%`): that is another client, so it is found, counted by the limiter and
 * verified in its own right, once the first reading was refused as `invalid_client`. (A raw
 * reading of the same client_id is a second candidate secret of the secret verifier.)
 */
function otherReading(credential: PresentedCredential, refused: unknown): SecretCredential | undefined {
  const raw = credential.mechanism === 'client_secret_basic' ? credential.unencoded : undefined;
  if (raw === undefined || raw.clientId === credential.clientId || !isInvalidClient(refused)) return undefined;
  return { mechanism: 'client_secret_basic', ...raw };
}

function isInvalidClient(error: unknown): boolean {
  return error instanceof Error && (error as { error?: unknown }).error === 'invalid_client';
}

/** Stands in for the client in the unknown-client path (never returned, never authenticated). */
const UNKNOWN_CLIENT: ClientMetadata = Object.freeze({ client_id: '' });

/** The result: the client, its method and, for any presented certificate, its RFC 8705 §3.1 thumbprint. */
function authenticated(
  { clientId, method, endpoint, request }: VerifyContext,
  client: ClientMetadata,
  detail: VerifiedDetail | undefined,
): ClientAuthResult {
  const result: ClientAuthResult = { client, clientId, method, endpoint };
  if (detail?.audience === 'compatible') result.audience = 'compatible';
  if (detail?.attestation !== undefined) result.attestation = detail.attestation;
  if (detail?.attestationChallenge !== undefined) result.attestationChallenge = detail.attestationChallenge;
  const certificate = request.certificate;
  if (certificate !== undefined) {
    const { der, source } = certificate;
    result.certificate = { der, thumbprint: x5tS256(der), source };
  }
  return result;
}
