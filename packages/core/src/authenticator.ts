/**
 * `createClientAuthenticator`: one authenticator per authorization server, holding its normalised
 * configuration and every cache it fills (imported assertion keys, encoded secrets, the hash
 * budget, `jwks_uri` documents), collected with it. The request path is in authenticate.ts.
 */

import { type AuthenticateOptions, createAuthenticate, findClient } from './authenticate.js';
import { type ClientAuthenticatorOptions, type Config, normalizeOptions } from './config.js';
import { effectivePolicy, type ServerAuthMetadata, serverMetadata } from './metadata.js';
import { AssertionKeys } from './methods/client_assertion/keys.js';
import type { Awaitable } from './methods/method.js';
import type { EffectivePolicy } from './policy/rules.js';
import type { ClientAuthRequest, ClientAuthResult, ClientMetadata } from './types.js';
import { x5tS256 } from './x509/certificate.js';

export type { AuthenticateOptions } from './authenticate.js';

/**
 * What {@link createClientAuthenticator} returns: `authenticate()` for each request, and the
 * metadata, policy and counters generated from the same configuration.
 *
 * @example
 * ```ts
 * const auth: ClientAuthenticator = createClientAuthenticator({ issuer, getClient })
 * const { client, method } = await auth.authenticate(request, { endpoint: 'token' })
 * const discovery = { issuer: auth.issuer, ...auth.metadata() }
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3
 */
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
  /**
   * The client `authenticate()` would find for `clientId`, without authenticating it: the one
   * `getClient` returns, else (with `clientIdMetadataDocuments`) the validated document of an
   * https URL client_id, from the same cache. For the endpoints that need the client's metadata
   * but do not authenticate it, such as the authorization endpoint checking a `redirect_uri`.
   * Resolves with `undefined` for an unknown client; rejects with the {@link OAuthError} a
   * document refusal carries (its `cause` holds the problems), or a 500 when `getClient` threw.
   */
  resolveClient(clientId: string): Promise<Client | undefined>;
  /**
   * A fresh, single-use challenge for a Client Attestation PoP
   * (draft-ietf-oauth-attestation-based-client-auth-10 §6.1): answer your challenge endpoint's
   * POST with `{ "attestation_challenge": <it> }` and `Cache-Control: no-store`. A `TypeError`
   * unless `attestation.challenges` is configured.
   *
   * @example
   * ```ts
   * app.post('/challenge', (req, res) => {
   *   res.set('cache-control', 'no-store').json({ attestation_challenge: auth.attestationChallenge() })
   * })
   * ```
   * @see https://datatracker.ietf.org/doc/html/draft-ietf-oauth-attestation-based-client-auth-10#section-6.1
   */
  attestationChallenge(): string;
  /** The issuer, as configured. */
  readonly issuer: string;
  /**
   * Counters of this authenticator's secret checks, for monitoring: the hash budget (verifications
   * run, refusals, running and queued checks, their median duration) and the stand-in checks of
   * unknown client_ids (against the dummy plain secret, or timed).
   */
  secretStats(): SecretStats;
}

/**
 * What {@link ClientAuthenticator.secretStats} returns. Counters start at 0 when the authenticator
 * is created. For monitoring the cost of secret verification, which must stay bounded for the
 * endpoint to be protected against brute force.
 *
 * @example
 * ```ts
 * setInterval(() => {
 *   const { hashesQueued, hashBusyRefusals, hashCheckMedianMs } = auth.secretStats()
 *   metrics.gauge('client_auth.hashes_queued', hashesQueued)
 *   metrics.gauge('client_auth.hash_busy_refusals', hashBusyRefusals)
 *   if (hashCheckMedianMs !== undefined) metrics.gauge('client_auth.hash_ms', hashCheckMedianMs)
 * }, 10_000)
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 */
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

/**
 * RFC 8705 §3.1: base64url(SHA-256(DER)), the `x5t#S256` confirmation of a certificate.
 *
 * @example
 * ```ts
 * const cnf = { 'x5t#S256': certificateThumbprint(result.certificate.der) }
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc8705#section-3.1
 */
export const certificateThumbprint: (der: Uint8Array) => string = x5tS256;

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
  const authenticate = createAuthenticate(config, new AssertionKeys());
  return {
    authenticate: authenticate as ClientAuthenticator<Client>['authenticate'],
    metadata: () => serverMetadata(config),
    policy: () => effectivePolicy(config),
    resolveClient: (clientId) =>
      new Promise((resolve) => resolve(findClient(config, clientId) as Awaitable<Client | undefined>)),
    attestationChallenge: () => {
      const challenges = config.attestation?.challenges;
      if (challenges === undefined) {
        throw new TypeError('client-auth: attestationChallenge() needs the attestation.challenges option');
      }
      return challenges.issue();
    },
    issuer: config.issuer,
    secretStats: () => secretStats(config),
  };
}
