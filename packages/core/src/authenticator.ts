/**
 * `createClientAuthenticator`: parse → find the client → verify with the client's *registered*
 * method. The method a request *seems* to use never chooses the verifier (RFC 6749 §2.3.2: the
 * server defines the mapping between a client and its authentication method).
 */
import { createHash } from 'node:crypto';
import { type ClientAuthenticatorOptions, type Config, normalizeOptions } from './config.js';
import { type PresentedCredential, parseCredentials } from './credentials.js';
import { InvalidClient, InvalidRequest, isOAuthError, type OAuthError, ServerError } from './errors.js';
import { effectivePolicy, type ServerAuthMetadata, serverMetadata } from './metadata.js';
import { assertionClientId, verifyClientAssertion } from './methods/client_assertion.js';
import { verifyClientSecret } from './methods/client_secret.js';
import type { MethodVerifier } from './methods/method.js';
import { verifyNone } from './methods/none.js';
import { verifySelfSignedTlsClientAuth, verifyTlsClientAuth } from './methods/tls_client_auth.js';
import type { EffectivePolicy } from './policy.js';
import { resolveCertificate } from './proxy.js';
import { basicChallenge } from './response.js';
import { checkSecret, DUMMY_SECRET } from './secrets.js';
import {
  AUTH_METHODS,
  type AuthMethod,
  type ClientAuthRequest,
  type ClientAuthResult,
  type ClientMetadata,
  ENDPOINT_NAMES,
  type EndpointName,
} from './types.js';

/** The verifier of each method, by IANA name. */
const VERIFIERS: Partial<Record<AuthMethod, MethodVerifier>> = {
  client_secret_basic: verifyClientSecret,
  client_secret_post: verifyClientSecret,
  client_secret_jwt: verifyClientAssertion,
  private_key_jwt: verifyClientAssertion,
  tls_client_auth: verifyTlsClientAuth,
  self_signed_tls_client_auth: verifySelfSignedTlsClientAuth,
  none: verifyNone,
};

/** Which presented mechanism can carry each registered method. */
const MECHANISM_OF: Record<AuthMethod, PresentedCredential['mechanism']> = {
  client_secret_basic: 'client_secret_basic',
  client_secret_post: 'client_secret_post',
  client_secret_jwt: 'client_assertion',
  private_key_jwt: 'client_assertion',
  tls_client_auth: 'client_id',
  self_signed_tls_client_auth: 'client_id',
  none: 'client_id',
};

/** Per-call options of {@link ClientAuthenticator.authenticate}. */
export interface AuthenticateOptions {
  /** The endpoint being called; decides the methods allowed and the accepted audiences. */
  endpoint: EndpointName;
}

/** What {@link createClientAuthenticator} returns. */
export interface ClientAuthenticator<Client extends ClientMetadata = ClientMetadata> {
  /**
   * Authenticate the client of one request. Resolves with the client, or rejects with an
   * {@link OAuthError} (`invalid_request` 400, `invalid_client` 401 with a `Basic` challenge, or a
   * 5xx when a dependency failed). Never resolves for a client that did not prove its identity.
   */
  authenticate(request: ClientAuthRequest, options: AuthenticateOptions): Promise<ClientAuthResult<Client>>;
  /** RFC 8414 fields describing client authentication, generated from the configuration. */
  metadata(): ServerAuthMetadata;
  /** The rules this authenticator enforces: profile rules (and overrides), methods and algorithms per endpoint. */
  policy(): EffectivePolicy;
  /** The issuer, as configured. */
  readonly issuer: string;
}

function isSecretMechanism(mechanism: PresentedCredential['mechanism']): boolean {
  return mechanism === 'client_secret_basic' || mechanism === 'client_secret_post';
}

/** RFC 8705 §3.1: base64url(SHA-256(DER)). */
export function certificateThumbprint(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('base64url');
}

async function findClient(config: Config, clientId: string): Promise<ClientMetadata | undefined> {
  let client: ClientMetadata | undefined | null;
  try {
    client = await config.getClient(clientId);
  } catch (cause) {
    throw new ServerError('ERR_CLIENT_LOOKUP_FAILED', { cause });
  }
  if (client === undefined || client === null) return undefined;
  if (typeof client !== 'object' || client.client_id !== clientId) {
    // A lookup that answers for another client is a bug in the host, not a client error.
    throw new ServerError('ERR_CLIENT_LOOKUP_FAILED', {
      cause: new TypeError('getClient returned metadata whose client_id differs from the one asked for'),
    });
  }
  return client;
}

/**
 * The client_id a credential names. An assertion without a body `client_id` names its client in
 * the (not yet verified) `sub`/`iss` claims (RFC 7523 §3); the registered keys then verify it.
 */
function namedClientId(credential: PresentedCredential): string | undefined {
  if (credential.mechanism === 'client_assertion' && credential.clientId === undefined) {
    return assertionClientId(credential.assertion);
  }
  return credential.clientId;
}

function emit<E>(hook: ((event: E) => void) | undefined, event: E): void {
  if (hook === undefined) return;
  try {
    hook(event);
  } catch {
    // A failing observer must not change the outcome of authentication.
  }
}

async function authenticateOnce(
  config: Config,
  request: ClientAuthRequest,
  endpoint: EndpointName,
  credential: PresentedCredential,
  state: { clientId?: string; method?: AuthMethod },
): Promise<ClientAuthResult> {
  const nowSeconds = Math.floor(config.now() / 1000);
  const clientId = namedClientId(credential);
  if (clientId === undefined) {
    // Every credential names a client (assertions through their claims); kept as a safety net.
    throw new InvalidClient('ERR_NO_CLIENT_AUTHENTICATION');
  }
  state.clientId = clientId;
  const secretPresented = isSecretMechanism(credential.mechanism);
  if (secretPresented && !config.allowInsecureTransport && request.secure !== true) {
    // RFC 6749 §2.3.1: "The authorization server MUST require the use of TLS … when sending
    // requests using password authentication."
    throw new InvalidRequest('ERR_INSECURE_TRANSPORT', 'client secrets may only be sent over TLS');
  }

  const client = await findClient(config, clientId);
  if (client === undefined) {
    // An unknown client costs what a wrong secret does.
    if (secretPresented && 'secret' in credential)
      await checkSecret([{ value: DUMMY_SECRET }], credential.secret, nowSeconds, undefined);
    throw new InvalidClient('ERR_CLIENT_NOT_FOUND');
  }

  // RFC 7591 §2: token_endpoint_auth_method defaults to client_secret_basic.
  const registered = client.token_endpoint_auth_method ?? 'client_secret_basic';
  if (!AUTH_METHODS.includes(registered as AuthMethod)) throw new InvalidClient('ERR_CLIENT_METADATA_INVALID');
  const method = registered as AuthMethod;
  state.method = method;
  const verifier = VERIFIERS[method];
  if (!config.endpointMethods[endpoint].has(method) || verifier === undefined) {
    throw new InvalidClient('ERR_METHOD_NOT_ALLOWED');
  }
  if (MECHANISM_OF[method] !== credential.mechanism) {
    if (secretPresented && 'secret' in credential)
      await checkSecret([{ value: DUMMY_SECRET }], credential.secret, nowSeconds, undefined);
    // A confidential client that sent only its client_id included no client authentication.
    throw new InvalidClient(
      credential.mechanism === 'client_id' ? 'ERR_NO_CLIENT_AUTHENTICATION' : 'ERR_METHOD_MISMATCH',
    );
  }

  await verifier({ request, credential, client, clientId, method, endpoint, config, nowSeconds });

  const result: ClientAuthResult = { client, clientId, method, endpoint };
  if (request.certificate !== undefined) {
    const { der, source } = request.certificate;
    result.certificate = { der, thumbprint: certificateThumbprint(der), source };
  }
  return result;
}

/**
 * The request with its certificate taken from the configured source: the TLS socket, or the
 * header of a trusted proxy. Everything downstream (verifiers, the result's thumbprint) reads
 * `request.certificate` only.
 */
function withResolvedCertificate(config: Config, request: ClientAuthRequest): ClientAuthRequest {
  const certificate = resolveCertificate(config.certificateSource, request);
  if (certificate === request.certificate) return request;
  const { certificate: _socket, ...rest } = request;
  // A certificate from the proxy means the client spoke TLS to the proxy.
  return certificate === undefined ? rest : { ...rest, certificate, secure: true };
}

/**
 * Create the client authenticator of an authorization server.
 *
 * @example
 * ```ts
 * const auth = createClientAuthenticator({
 *   issuer: 'https://as.example.com',
 *   getClient: (id) => clients.get(id),
 * })
 * const { client, method } = await auth.authenticate(request, { endpoint: 'token' })
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3
 */
export function createClientAuthenticator<Client extends ClientMetadata = ClientMetadata>(
  options: ClientAuthenticatorOptions<Client>,
): ClientAuthenticator<Client> {
  const config = normalizeOptions(options as ClientAuthenticatorOptions<ClientMetadata>);
  const challenge = basicChallenge(config.issuer);

  async function authenticate(
    incoming: ClientAuthRequest,
    callOptions: AuthenticateOptions,
  ): Promise<ClientAuthResult<Client>> {
    const endpoint = callOptions?.endpoint;
    if (!ENDPOINT_NAMES.includes(endpoint)) {
      throw new TypeError(`client-auth: authenticate() needs a known endpoint, got ${JSON.stringify(endpoint)}`);
    }
    const state: { clientId?: string; method?: AuthMethod } = {};
    try {
      const request = withResolvedCertificate(config, incoming);
      const credential = parseCredentials(request, { acceptUnencodedBasic: config.acceptUnencodedBasic });
      let result: ClientAuthResult;
      try {
        result = await authenticateOnce(config, request, endpoint, credential, state);
      } catch (error) {
        // Opt-in: Basic credentials sent without form-encoding (curl -u, Authlib).
        if (credential.mechanism !== 'client_secret_basic' || credential.unencoded === undefined) throw error;
        if (!isOAuthError(error) || error.error !== 'invalid_client') throw error;
        const retry = { ...state };
        try {
          result = await authenticateOnce(
            config,
            request,
            endpoint,
            { mechanism: 'client_secret_basic', ...credential.unencoded },
            retry,
          );
        } catch {
          throw error;
        }
        Object.assign(state, retry);
      }
      emit(config.onAuthenticated, { clientId: result.clientId, method: result.method, endpoint });
      return result as ClientAuthResult<Client>;
    } catch (error) {
      if (!isOAuthError(error)) throw error;
      if (error.status === 401) error.challenge = challenge;
      const event = { code: error.code, error: error.error, status: error.status, endpoint } as Parameters<
        NonNullable<Config['onFailure']>
      >[0];
      if (state.clientId !== undefined) event.clientId = state.clientId;
      if (state.method !== undefined) event.method = state.method;
      emit(config.onFailure, event);
      throw error;
    }
  }

  return {
    authenticate,
    metadata: () => serverMetadata(config),
    policy: () => effectivePolicy(config),
    issuer: config.issuer,
  };
}
