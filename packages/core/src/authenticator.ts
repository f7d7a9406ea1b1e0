/**
 * `createClientAuthenticator`: parse → find the client → verify with the client's *registered*
 * method. The method a request *seems* to use never chooses the verifier (RFC 6749 §2.3.2: the
 * server defines the mapping between a client and its authentication method).
 */

import { x5tS256 } from './certificates.js';
import { type AuthenticatedEvent, type ClientAuthenticatorOptions, type Config, normalizeOptions } from './config.js';
import { type PresentedCredential, parseCredentials } from './credentials.js';
import { InvalidClient, InvalidRequest, isOAuthError, type OAuthError, ServerError } from './errors.js';
import { limiterKeyOf, reserveAttempt, settleRefused, settleSucceeded } from './limiter.js';
import { effectivePolicy, type ServerAuthMetadata, serverMetadata } from './metadata.js';
import { assertionClientId, verifyClientAssertion } from './methods/client_assertion.js';
import { verifyClientSecret, verifyUnknownClient } from './methods/client_secret.js';
import type { MethodVerifier, VerifiedDetail, VerifyContext } from './methods/method.js';
import { verifyNone } from './methods/none.js';
import { verifySelfSignedTlsClientAuth, verifyTlsClientAuth } from './methods/tls_client_auth.js';
import type { EffectivePolicy } from './policy/rules.js';
import { resolveCertificate } from './proxy.js';
import { basicChallenge } from './response.js';
import {
  AUTH_METHODS,
  type AuthMethod,
  type ClientAuthRequest,
  type ClientAuthResult,
  type ClientMetadata,
  ENDPOINT_NAMES,
  type EndpointName,
} from './types.js';
import { dummySecretCheck } from './unknown_client.js';

/** The verifier of each method, by IANA name. */
const VERIFIERS: Record<AuthMethod, MethodVerifier> = {
  client_secret_basic: verifyClientSecret,
  client_secret_post: verifyClientSecret,
  client_secret_jwt: verifyClientAssertion,
  private_key_jwt: verifyClientAssertion,
  tls_client_auth: verifyTlsClientAuth,
  self_signed_tls_client_auth: verifySelfSignedTlsClientAuth,
  none: verifyNone,
};

const KNOWN_METHODS: ReadonlySet<unknown> = new Set(AUTH_METHODS);
const KNOWN_ENDPOINTS: ReadonlySet<unknown> = new Set(ENDPOINT_NAMES);

/** Stands in for the client in the unknown-client path (never returned, never authenticated). */
const UNKNOWN_CLIENT: ClientMetadata = Object.freeze({ client_id: '' });

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
  /**
   * Counters of this authenticator's secret checks, for monitoring: the hash budget (verifications
   * run, refusals, running and queued checks, their median duration) and the stand-in checks of
   * unknown client_ids (against the dummy plain secret, or timed).
   */
  secretStats(): SecretStats;
}

/** What {@link ClientAuthenticator.secretStats} returns. Counters start at 0 when the authenticator is created. */
export interface SecretStats {
  /** Hash verifications of registered clients' secrets run within the budget (each built-in scrypt or `secrets.verifyHash` call). */
  hashesVerified: number;
  /** Checks refused 503 `ERR_SECRET_HASH_BUSY` because the hash budget was full. */
  hashBusyRefusals: number;
  /** Checks holding a slot of the hash budget now. */
  hashesRunning: number;
  /** Checks waiting for a slot now. */
  hashesQueued: number;
  /** Median duration of the recent hash checks in milliseconds, waiting included; undefined before the first. */
  hashCheckMedianMs: number | undefined;
  /** Stand-in checks (unknown client_id, method mismatch, no secret registered) against the dummy plain secret. */
  dummyPlainChecks: number;
  /** Stand-in checks that waited as long as a hash check, on a timer (no hash run). */
  dummyTimedWaits: number;
  /** Stand-in checks that verified a cheap stored hash for real (median check under 1 ms), outside the budget. */
  dummyHashChecks: number;
}

function isSecretMechanism(mechanism: PresentedCredential['mechanism']): boolean {
  return mechanism === 'client_secret_basic' || mechanism === 'client_secret_post';
}

/** Registered methods whose credential is a shared secret, or an HMAC keyed by it (OIDC Core §9). */
const SECRET_METHODS: ReadonlySet<unknown> = new Set<AuthMethod>([
  'client_secret_basic',
  'client_secret_post',
  'client_secret_jwt',
]);

/**
 * Whether this request can guess a secret, so that the failure limiter counts it (RFC 6749
 * §2.3.1; DESIGN.md §3: "failures are counted only where guessing can succeed"). Decided by the
 * client's *registered* method, after the lookup: a garbage secret or HS256 assertion naming a
 * `private_key_jwt`, mTLS or public client guesses nothing and never counts against it. An
 * unknown client_id with a secret or an assertion is counted like a secret client, so that the
 * limiter does not tell unknown client_ids from registered secret clients. A bare client_id
 * presents nothing to guess.
 */
function guessesSecret(credential: PresentedCredential, client: ClientMetadata | undefined): boolean {
  if (credential.mechanism === 'client_id') return false;
  // RFC 7591 §2: token_endpoint_auth_method defaults to client_secret_basic.
  return client === undefined || SECRET_METHODS.has(client.token_endpoint_auth_method ?? 'client_secret_basic');
}

/** RFC 8705 §3.1: base64url(SHA-256(DER)), the `x5t#S256` confirmation of a certificate. */
export const certificateThumbprint: (der: Uint8Array) => string = x5tS256;

/** A value now, or later: the pipeline stays synchronous until a step answers with a promise. */
type Maybe<T> = T | Promise<T>;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
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

/**
 * Look the client up. Synchronous when `getClient` is (an in-memory registry): no promise is
 * made or awaited on that path (bench/README.md, in-process rows).
 */
function findClient(config: Config, clientId: string): Maybe<ClientMetadata | undefined> {
  let answer: unknown;
  try {
    answer = config.getClient(clientId);
  } catch (cause) {
    lookupFailed(cause);
  }
  if (isThenable(answer)) {
    return Promise.resolve(answer).then((client) => foundClient(client, clientId), lookupFailed);
  }
  return foundClient(answer, clientId);
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

/** What the failure path needs of one call: what it reports (`onFailure`, the limiter), and what a retry reuses. */
interface AttemptState {
  /**
   * Failure-limiter keys with an attempt reserved by this request, settled once when it ends
   * (shared with the unencoded Basic retry, which reserves only a key not reserved yet).
   */
  reserved: string[];
  clientId?: string;
  method?: AuthMethod;
  request?: ClientAuthRequest;
  credential?: PresentedCredential;
}

/**
 * One authentication attempt with one credential. Runs synchronously as long as every step
 * answers synchronously (client lookup, secret comparison); a step that returns a promise
 * continues the rest once it settles. Either way it returns the result or throws / rejects with
 * an {@link OAuthError}.
 */
function authenticateOnce(
  config: Config,
  request: ClientAuthRequest,
  endpoint: EndpointName,
  credential: PresentedCredential,
  state: AttemptState,
): Maybe<ClientAuthResult> {
  const nowSeconds = Math.floor(config.now() / 1000);
  const clientId = namedClientId(credential);
  if (clientId === undefined) {
    // Every credential names a client (assertions through their claims); kept as a safety net.
    throw new InvalidClient('ERR_NO_CLIENT_AUTHENTICATION');
  }
  state.clientId = clientId;
  const context: VerifyContext = {
    request,
    credential,
    client: UNKNOWN_CLIENT,
    clientId,
    method: 'none',
    endpoint,
    config,
    nowSeconds,
  };
  return lookUpAndVerify(context, state);
}

function lookUpAndVerify(context: VerifyContext, state: AttemptState): Maybe<ClientAuthResult> {
  const { config, request, credential } = context;
  if (isSecretMechanism(credential.mechanism) && !config.allowInsecureTransport && request.secure !== true) {
    // RFC 6749 §2.3.1: "The authorization server MUST require the use of TLS … when sending
    // requests using password authentication."
    throw new InvalidRequest('ERR_INSECURE_TRANSPORT', 'client secrets may only be sent over TLS');
  }
  const found = findClient(config, context.clientId);
  // No closure on the synchronous path (each one is an allocation per request).
  if (found instanceof Promise) return found.then((client) => verifyFound(context, state, client));
  return verifyFound(context, state, found);
}

function clientNotFound(): never {
  throw new InvalidClient('ERR_CLIENT_NOT_FOUND');
}

/**
 * Where the unknown-client path puts the result of the lookups a known client's path makes (a
 * module-level sink, so that the compiler keeps them): without them an unknown client_id was
 * refused ~150 ns sooner than a known one (`pnpm test:timing` (a) and (e)).
 */
const unknownLookups = { allowed: false };

/**
 * RFC 6749 §2.3.1 brute force: a request that can guess a secret reserves an attempt after the
 * (cheap) lookup and before the (expensive) verification, atomically in the limiter, so that
 * concurrent guesses are bounded as sequential ones are. A key that must wait is refused with its
 * credential unchecked.
 */
function verifyFound(
  context: VerifyContext,
  state: AttemptState,
  client: ClientMetadata | undefined,
): Maybe<ClientAuthResult> {
  const { config, credential, request } = context;
  const limiter = config.failureLimiter;
  if (limiter !== undefined && guessesSecret(credential, client)) {
    const key = limiterKeyOf(config.failureLimiterKey, context.clientId, request);
    if (!state.reserved.includes(key)) {
      return reserveAttempt(limiter, key, credential.mechanism === 'client_secret_basic').then(() => {
        state.reserved.push(key);
        return verifyClient(context, state, client);
      });
    }
  }
  return verifyClient(context, state, client);
}

function verifyClient(
  context: VerifyContext,
  state: AttemptState,
  client: ClientMetadata | undefined,
): Maybe<ClientAuthResult> {
  const { config, credential, endpoint } = context;
  const secretPresented = isSecretMechanism(credential.mechanism);
  if (client === undefined) {
    if (!secretPresented) clientNotFound();
    const presented = credential.mechanism as AuthMethod;
    // The lookups a known client's checks make, on the presented method (results unused).
    unknownLookups.allowed = KNOWN_METHODS.has(presented) && config.endpointMethods[endpoint].has(presented);
    context.method = presented;
    // Always throws: the same work as a known client with a wrong secret, then "not found".
    const checked = verifyUnknownClient(context);
    if (checked instanceof Promise) return checked.then(clientNotFound);
    clientNotFound();
  }

  // RFC 7591 §2: token_endpoint_auth_method defaults to client_secret_basic.
  const registered = client.token_endpoint_auth_method ?? 'client_secret_basic';
  if (!KNOWN_METHODS.has(registered)) throw new InvalidClient('ERR_CLIENT_METADATA_INVALID');
  const method = registered as AuthMethod;
  state.method = method;
  const verifier = VERIFIERS[method];
  if (!config.endpointMethods[endpoint].has(method)) {
    throw new InvalidClient('ERR_METHOD_NOT_ALLOWED');
  }
  if (MECHANISM_OF[method] !== credential.mechanism) {
    // A confidential client that sent only its client_id included no client authentication.
    const code = credential.mechanism === 'client_id' ? 'ERR_NO_CLIENT_AUTHENTICATION' : 'ERR_METHOD_MISMATCH';
    if (secretPresented && 'secret' in credential) {
      // The stand-in check of an unknown client (it never spends the hash budget).
      const check = dummySecretCheck(config.secretCosts, credential.secret, context.nowSeconds);
      if (check instanceof Promise) {
        return check.then(() => {
          throw new InvalidClient(code);
        });
      }
    }
    throw new InvalidClient(code);
  }

  context.client = client;
  context.method = method;
  const verified = verifier(context);
  if (verified instanceof Promise) {
    return verified.then((detail) => authenticated(context, client, method, detail as VerifiedDetail | undefined));
  }
  return authenticated(context, client, method, verified as VerifiedDetail | undefined);
}

function authenticated(
  context: VerifyContext,
  client: ClientMetadata,
  method: AuthMethod,
  detail: VerifiedDetail | undefined,
): ClientAuthResult {
  const result: ClientAuthResult = { client, clientId: context.clientId, method, endpoint: context.endpoint };
  if (detail?.audience === 'compatible') result.audience = 'compatible';
  const certificate = context.request.certificate;
  if (certificate !== undefined) {
    const { der, source } = certificate;
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

function secretStats(config: Config): SecretStats {
  const costs = config.secretCosts;
  const budget = costs.budget.stats();
  return {
    hashesVerified: budget.verified,
    hashBusyRefusals: budget.refused,
    hashesRunning: budget.running,
    hashesQueued: budget.queued,
    hashCheckMedianMs: budget.medianMs,
    dummyPlainChecks: costs.dummyPlain,
    dummyTimedWaits: costs.dummyTimed,
    dummyHashChecks: costs.dummyHashed,
  };
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
  const parseOptions = { acceptUnencodedBasic: config.acceptUnencodedBasic };

  /** The failure path: the opt-in unencoded Basic retry, the failure limiter, the challenge, the event. */
  async function failed(
    thrown: unknown,
    endpoint: EndpointName,
    state: AttemptState,
  ): Promise<ClientAuthResult<Client>> {
    if (!isOAuthError(thrown)) {
      // A bug (a verifyHash that threw) says nothing about the credential: release the attempts,
      // or a key would keep them in flight for good.
      if (config.failureLimiter !== undefined && state.reserved.length > 0) {
        await settleSucceeded(config.failureLimiter, state.reserved);
      }
      throw thrown;
    }
    // Opt-in: Basic credentials sent without form-encoding (curl -u, Authlib).
    const { request, credential } = state;
    if (
      request !== undefined &&
      credential?.mechanism === 'client_secret_basic' &&
      credential.unencoded !== undefined &&
      thrown.error === 'invalid_client'
    ) {
      const retry: AttemptState = { reserved: state.reserved };
      let result: ClientAuthResult | undefined;
      try {
        result = await authenticateOnce(
          config,
          request,
          endpoint,
          { mechanism: 'client_secret_basic', ...credential.unencoded },
          retry,
        );
      } catch {
        // The first attempt's error is the one reported.
      }
      if (result !== undefined) return succeeded(result, endpoint, state);
    }
    let error: OAuthError = thrown;
    if (config.failureLimiter !== undefined && state.reserved.length > 0) {
      error = await settleRefused(config.failureLimiter, state.reserved, error);
    }
    if (error.status === 401) error.challenge = challenge;
    if (config.onFailure !== undefined) {
      const event = { code: error.code, error: error.error, status: error.status, endpoint } as Parameters<
        NonNullable<Config['onFailure']>
      >[0];
      if (state.clientId !== undefined) event.clientId = state.clientId;
      if (state.method !== undefined) event.method = state.method;
      emit(config.onFailure, event);
    }
    throw error;
  }

  function succeeded(
    result: ClientAuthResult,
    endpoint: EndpointName,
    state: AttemptState,
  ): Maybe<ClientAuthResult<Client>> {
    if (config.failureLimiter !== undefined && state.reserved.length > 0) {
      return settleSucceeded(config.failureLimiter, state.reserved).then(() => announce(result, endpoint));
    }
    return announce(result, endpoint);
  }

  function announce(result: ClientAuthResult, endpoint: EndpointName): ClientAuthResult<Client> {
    if (config.onAuthenticated !== undefined) {
      const event: AuthenticatedEvent = { clientId: result.clientId, method: result.method, endpoint };
      if (result.audience !== undefined) event.audience = result.audience;
      emit(config.onAuthenticated, event);
    }
    return result as ClientAuthResult<Client>;
  }

  // Not an async function: when the client lookup and the secret check answer synchronously, the
  // whole attempt runs in this call and only the returned promise is made (bench/README.md).
  function authenticate(
    incoming: ClientAuthRequest,
    callOptions: AuthenticateOptions,
  ): Promise<ClientAuthResult<Client>> {
    const endpoint = callOptions?.endpoint;
    if (!KNOWN_ENDPOINTS.has(endpoint)) {
      return Promise.reject(
        new TypeError(`client-auth: authenticate() needs a known endpoint, got ${JSON.stringify(endpoint)}`),
      );
    }
    const state: AttemptState = { reserved: [] };
    let outcome: Maybe<ClientAuthResult>;
    try {
      const request = withResolvedCertificate(config, incoming);
      state.request = request;
      const credential = parseCredentials(request, parseOptions);
      state.credential = credential;
      outcome = authenticateOnce(config, request, endpoint, credential, state);
    } catch (thrown) {
      return failed(thrown, endpoint, state);
    }
    if (outcome instanceof Promise) {
      return outcome.then(
        (result) => succeeded(result, endpoint, state),
        (thrown) => failed(thrown, endpoint, state),
      );
    }
    return Promise.resolve(succeeded(outcome, endpoint, state));
  }

  return {
    authenticate,
    metadata: () => serverMetadata(config),
    policy: () => effectivePolicy(config),
    issuer: config.issuer,
    secretStats: () => secretStats(config),
  };
}
