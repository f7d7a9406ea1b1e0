/**
 * The public options of {@link createClientAuthenticator}, documented field by field with their
 * defaults (as express-rate-limit's `types.ts`). config.ts checks them once, at setup, and turns
 * them into the frozen `Config` the request path reads; the caller's object is never mutated.
 */
import type { SigningAlgorithm } from './algorithms.js';
import type { ClientIdMetadataDocumentOptions } from './client_id_metadata/options.js';
import type { ClientMetadataProblem } from './client_metadata.js';
import type { JwksOptions } from './jwks/options.js';
import type { FailureLimiter, FailureLimiterKey } from './limiter.js';
import type { AttestationOptions } from './methods/attestation/options.js';
import type { MtlsOptions } from './mtls_config.js';
import { optionNames } from './option_names.js';
import type { AudienceMode, ProfileName, RuleId } from './policy/profiles.js';
import type { ReplayStore } from './replay.js';
import type { VerifyHash } from './secrets/hash.js';
import type { UnknownClientCost } from './secrets/unknown_client.js';
import type { AuthenticationTelemetry } from './telemetry.js';
import {
  AUTH_METHODS,
  type AuthMethod,
  type ClientAuthRequest,
  type ClientMetadata,
  type EndpointName,
} from './types.js';

/**
 * What `onAuthenticated` receives. Never carries a secret, an assertion or a certificate.
 *
 * @example
 * ```ts
 * createClientAuthenticator({ issuer, getClient, onAuthenticated: (event) => log.info(event, 'client authenticated') })
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3
 */
export interface AuthenticatedEvent {
  clientId: string;
  method: AuthMethod;
  endpoint: EndpointName;
  /**
   * `'compatible'` when the client assertion was accepted only because of `audience:
   * 'compatible'` (its `aud` is not the issuer as sole value): the clients to move to the issuer
   * audience before the option can go. Absent otherwise.
   */
  audience?: 'compatible';
}

/**
 * What `onFailure` receives: the stable `code` tells operators the precise reason, which the
 * wire `error_description` of `invalid_client` keeps generic (docs/ERROR-CODES.md).
 *
 * @example
 * ```ts
 * createClientAuthenticator({ issuer, getClient, onFailure: (event) => log.warn(event, event.code) })
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export interface FailureEvent {
  code: string;
  error: string;
  status: number;
  endpoint: EndpointName;
  /** The client the request named, when it named one. */
  clientId?: string;
  /** The client's registered method, when the client was found. */
  method?: AuthMethod;
  /**
   * What was wrong with a client ID metadata document or its URL (the `ERR_CLIENT_ID_URL_*` and
   * `ERR_CLIENT_METADATA_DOCUMENT_*` codes), every RFC 7591 §3.2.2 problem at once. Never sent to
   * the client. Absent otherwise.
   */
  problems?: readonly ClientMetadataProblem[];
}

/**
 * Options of {@link createClientAuthenticator}. Only `issuer` and `getClient` are required; every
 * other field has the default its documentation names. The mutual-TLS fields (`certificates`,
 * `trustAnchors`, `minimumKeySizes`, `mtlsEndpointAliases`, `tlsClientCertificateBoundAccessTokens`)
 * are documented in {@link MtlsOptions}.
 *
 * @example
 * ```ts
 * const options: ClientAuthenticatorOptions = {
 *   issuer: 'https://as.example.com',
 *   getClient: (clientId) => clients.get(clientId),
 *   endpoints: { token: 'https://as.example.com/token' },
 *   profile: 'fapi2',
 * }
 * const auth = createClientAuthenticator(options)
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3
 */
export interface ClientAuthenticatorOptions<Client extends ClientMetadata = ClientMetadata> extends MtlsOptions {
  /**
   * The authorization server's issuer identifier (RFC 8414 §2): an `https` URL (or `http` for
   * local development) without query or fragment. Used as the Basic realm and assertion audience.
   */
  issuer: string;
  /**
   * Look a client up by `client_id`. Return its registered metadata (RFC 7591 names), or
   * `undefined`/`null` when there is no such client. A throw becomes a 500 `server_error`.
   */
  getClient: (clientId: string) => Client | undefined | null | Promise<Client | undefined | null>;
  /**
   * Absolute URLs of the endpoints, used for metadata (RFC 8414 §2) and as accepted assertion
   * audiences under `audience: 'compatible'`. Default: none (metadata then names no endpoint URL).
   */
  endpoints?: Partial<Record<EndpointName, string>>;
  /**
   * Methods enabled at all. Default: every method this version implements ({@link IMPLEMENTED_METHODS})
   * that the profile allows, and `tls_client_auth` only when its chains have a trust source:
   * `trustAnchors`, or `certificates.chainValidated` (RFC 8705 §7.4: a certificate with the client's
   * subject from any other CA the TLS layer trusts would impersonate it). Listing
   * `tls_client_auth` without one is a `TypeError`.
   */
  methods?: readonly AuthMethod[];
  /**
   * Narrow the methods of single endpoints (each list must be a subset of `methods`). Default:
   * `methods` everywhere; PAR, device authorization and CIBA follow the token endpoint's list when
   * it is narrowed and theirs is not, and CIBA never accepts `none` (CIBA Core §7.1).
   */
  endpointMethods?: Partial<Record<EndpointName, readonly AuthMethod[]>>;
  /**
   * RFC 6749 §2.3.1: the AS "MUST require the use of TLS" for password authentication. Secret
   * methods over a connection that is not TLS are refused unless this is `true`. Set it only for
   * local development. Default false.
   */
  allowInsecureTransport?: boolean;
  /**
   * Behind a TLS-terminating proxy (nginx, an ALB, a Kubernetes ingress): the addresses or CIDR
   * ranges of the proxies whose `X-Forwarded-Proto: https` or RFC 7239 `Forwarded: proto=https`
   * says the client spoke TLS to them, for the RFC 6749 §2.3.1 rule above. Only a peer in this
   * list is believed, and only when every hop the header lists says `https`; from any other peer
   * the headers are ignored. A separate list from `certificates.trustedProxies` (which vouches for
   * certificate headers); a framework's own verdict (Express `trust proxy` → `req.secure`, Koa
   * `app.proxy` → `ctx.secure`) also counts, through the adapter. Default: none (the socket's TLS
   * alone counts).
   *
   * @example
   * ```ts
   * createClientAuthenticator({ issuer, getClient, trustedProxies: ['10.0.0.0/8'] })
   * ```
   * @see https://www.rfc-editor.org/rfc/rfc7239#section-5.4
   */
  trustedProxies?: readonly string[];
  /** Basic decoding. */
  basic?: {
    /**
     * Also accept Basic credentials that were not form-encoded (as `curl -u` and Authlib send
     * them) when the RFC 6749 §2.3.1 decoding does not match. Default false.
     */
    acceptUnencoded?: boolean;
  };
  /** Secret verification (docs/SECURITY.md, "Hashed secrets: a bounded budget"). */
  secrets?: {
    /**
     * Verify a stored hash that is not a built-in scrypt string (argon2, bcrypt, …). Its calls
     * count against the hash budget below, as scrypt's do.
     */
    verifyHash?: VerifyHash;
    /**
     * Most secret checks that verify a stored hash running at once in this authenticator, an
     * integer from 1 to 1024. Default 2: scrypt runs on libuv's thread pool (4 threads unless
     * `UV_THREADPOOL_SIZE` says otherwise), and a bound below it leaves threads to other crypto,
     * `fs` and DNS. Raise it with the pool size.
     */
    maxConcurrentHashes?: number;
    /**
     * Most such checks waiting for a slot, an integer from 0 to 100000. Past it, a check is
     * refused at once with 503 `temporarily_unavailable` (`ERR_SECRET_HASH_BUSY`, `Retry-After:
     * 1`) instead of waiting without bound. Default 32: about 16 hash durations of waiting at
     * most with the default concurrency (1.6 s for scrypt at its default cost on one core).
     */
    maxQueuedHashes?: number;
    /**
     * What an unknown client_id (and a secret sent for a client registered with another method,
     * or without a secret) costs, so that it is not told apart from a known client:
     * - `'auto'` (default): a comparison against a dummy plain secret once a plain-secret client
     *   has been checked, else, once a hash check has been measured, a wait as long as one on a
     *   timer (no CPU, no thread, no slot of the budget);
     * - `'plain'`: always the dummy plain comparison (unknown ≈ known plain; a known hashed client
     *   is then slower than an unknown client_id);
     * - `'hash'`: always the timed wait once a hash check has been measured (unknown ≈ known
     *   hashed; a known plain-secret client is then faster than an unknown client_id).
     */
    unknownClientCost?: UnknownClientCost;
  };
  /**
   * Called after each successful authentication. Exceptions it throws are ignored. Default: none.
   * `request` is the request as the adapter built it, for fields an operator log wants
   * (`peerAddress`, a proxy's request id header); it holds the presented credentials, so log
   * named fields of it, never the whole object.
   */
  onAuthenticated?: (event: AuthenticatedEvent, request: ClientAuthRequest) => void;
  /**
   * Called after each refused authentication, with the request as for `onAuthenticated` (the
   * same care: it holds what the client presented). Exceptions it throws are ignored. Default: none.
   */
  onFailure?: (event: FailureEvent, request: ClientAuthRequest) => void;
  /**
   * Metrics and tracing of every `authenticate()` call: `openTelemetry()` of
   * `@client-auth/core/opentelemetry` (a counter of outcomes, a histogram of their duration, and
   * attributes on the active span), or any {@link AuthenticationTelemetry}. Exceptions it throws
   * are ignored. Default: none, and then the request path does no telemetry work at all.
   *
   * @example
   * ```ts
   * import { openTelemetry } from '@client-auth/core/opentelemetry'
   * createClientAuthenticator({ issuer, getClient, telemetry: openTelemetry() })
   * ```
   * @see https://opentelemetry.io/docs/specs/semconv/general/metrics/
   */
  telemetry?: AuthenticationTelemetry;
  /** Clock in milliseconds since the epoch. Default `Date.now`. */
  now?: () => number;
  /**
   * Where client assertion `jti`s are remembered (OpenID Connect Core §9: "MUST only be used
   * once"). Default: a {@link memoryReplayStore} of this authenticator (one process only). Share
   * one store, such as `@client-auth/redis`, between every instance of the server.
   */
  replayStore?: ReplayStore;
  /** Seconds of clock skew allowed on `exp`, `nbf` and `iat` of client assertions. Default 15. */
  clockTolerance?: number;
  /**
   * Longest lifetime of a client assertion, in seconds, inclusive: `exp − iat` when `iat` is
   * present, else `exp − now` (plus the clock tolerance). Default 3600.
   */
  maxAssertionLifetime?: number;
  /**
   * Which `aud` values a client assertion may carry (DESIGN.md §3):
   * - `'issuer'` (default): the issuer as sole value, a string or a one-element array
   *   (draft-ietf-oauth-rfc7523bis-11 §4, in the RFC Editor queue: the AS "MUST reject any JWT
   *   that does not contain its issuer identifier as its sole audience value"), which stops the
   *   audience-injection attack (CVE-2025-27370/27371);
   * - `'issuer-string'`: the issuer as a plain string (FAPI 2.0 Security Profile §5.3.2.1);
   * - `'compatible'` (opt-in, for clients that still send endpoint URLs, e.g. Authlib and Spring
   *   Security, which send the token endpoint URL): also the token endpoint URL or the URL of the
   *   endpoint called (and their mTLS aliases), as a string or among the values of an array
   *   (RFC 7523 §3, CIBA §7.1, RFC 9126 §2 as published). Each assertion accepted only thanks to
   *   it is reported as `audience: 'compatible'` on the result and the `onAuthenticated` event.
   * An assertion typed `client-authentication+jwt` is held to `'issuer'` (or stricter) whatever this says.
   * The URLs come from `issuer` and `endpoints` only, never from the request.
   */
  audience?: AudienceMode;
  /**
   * JWS algorithms client assertions may use. HMAC ones serve `client_secret_jwt` only,
   * asymmetric ones `private_key_jwt` only; `none` is never accepted. Default: all of
   * HS256/384/512, RS256/384/512, PS256/384/512, ES256/384/512, EdDSA and Ed25519.
   */
  signingAlgorithms?: readonly SigningAlgorithm[];
  /**
   * Fetching and caching of clients' `jwks_uri` (SSRF guard, limits, cache); see
   * {@link JwksOptions} for each field and its default.
   */
  jwks?: JwksOptions;
  /**
   * Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document, as the Model
   * Context Protocol's authorization spec recommends): set it (even to `{}`) to resolve a client
   * whose `client_id` is an https URL, when `getClient` does not know it, from the JSON document at
   * that URL. `getClient` is always asked first, so a registered client with a URL client_id
   * stays as registered. Fetched through the `jwks` fetcher (its SSRF guard and `allow` list);
   * see {@link ClientIdMetadataDocumentOptions} for each field and its default. Default: off.
   */
  clientIdMetadataDocuments?: ClientIdMetadataDocumentOptions;
  /**
   * Attestation-based client authentication (`attest_jwt_client_auth`,
   * draft-ietf-oauth-attestation-based-client-auth-10): the trusted Client Attesters and the
   * rules of the PoP and its challenges; see {@link AttestationOptions}. Setting it puts
   * `attest_jwt_client_auth` in the default `methods` (where the profile allows it); listing the
   * method without it is a `TypeError`. Default: off.
   */
  attestation?: AttestationOptions;
  /**
   * A security profile: `'fapi1-baseline'` (FAPI 1.0 Part 1), `'fapi1-advanced'` (FAPI 1.0
   * Part 2) or `'fapi2'` (FAPI 2.0 Security Profile). Its rules ({@link PROFILES}) narrow the
   * methods, algorithms, audience, clock window and key sizes. Other options may tighten them;
   * an option that would loosen one is a `TypeError` unless the rule is in `profileOverrides`.
   * Default: none.
   */
  profile?: ProfileName;
  /**
   * Rules of the profile not to enforce, by id (`'methods'`, `'algorithms'`, `'audience'`,
   * `'clock-window'`, `'confidential-clients'`, `'ec-key-size'`, `'jwks-uri-https'`). Each
   * override is reported at setup as a Node.js process warning (`CLIENT_AUTH_PROFILE_OVERRIDE`)
   * and in `authenticator.policy()`. Default: none.
   */
  profileOverrides?: readonly RuleId[];
  /**
   * Narrow the assertion algorithms of single endpoints (each list a subset of
   * `signingAlgorithms`). PAR, device authorization and CIBA follow the token endpoint unless set.
   */
  endpointSigningAlgorithms?: Partial<Record<EndpointName, readonly SigningAlgorithm[]>>;
  /**
   * Brute-force protection (RFC 6749 §2.3.1: the AS "MUST protect any endpoint utilizing it
   * against brute force attacks"). Requests that can guess a secret (a secret or an assertion
   * naming an unknown client or one registered with `client_secret_basic`, `client_secret_post` or
   * `client_secret_jwt`) reserve an attempt after the client lookup and before the secret is
   * verified; wrong credentials count as failures, and a key that reached `maxFailures` is
   * refused without its credential being checked: `invalid_client` `ERR_TOO_MANY_FAILURES` with
   * `Retry-After`, 401 with the Basic challenge for Basic credentials (RFC 6749 §5.2), 429
   * otherwise (RFC 6585 §4). A key has at most `maxFailures` verifications in flight: choose it
   * above a client's peak concurrency. A limiter that cannot answer or record refuses the request
   * (503). Default none; `memoryFailureLimiter()` for one process, `redisFailureLimiter()` of
   * `@client-auth/redis` for several.
   */
  failureLimiter?: FailureLimiter;
  /**
   * What `failureLimiter` counts against (see {@link FailureLimiterKey}): `'client-address'`
   * (default: the client_id and the peer address, so that an attacker can only lock itself out),
   * `'client'` (the client_id alone: a global bound per client, which anyone who knows the
   * client_id can trip), or a function of `{ clientId, address, request }`. Behind a reverse
   * proxy every request has the proxy's address, which makes `'client-address'` act as
   * `'client'`: pass a function that reads the client address your proxy sets.
   */
  failureLimiterKey?: FailureLimiterKey;
}

/**
 * Methods this version of the library can verify: every IANA method it knows, in metadata order.
 * The default of `methods`, less what the profile refuses, less `tls_client_auth` when nothing
 * is configured to validate its chains (`trustAnchors`, `certificates.chainValidated`), and less
 * `attest_jwt_client_auth` when no `attestation` option names its attesters.
 *
 * @example
 * ```ts
 * createClientAuthenticator({ issuer, getClient, methods: IMPLEMENTED_METHODS.filter((m) => m !== 'none') })
 * ```
 * @see https://www.iana.org/assignments/oauth-parameters/oauth-parameters.xhtml#token-endpoint-auth-method
 */
export const IMPLEMENTED_METHODS: readonly AuthMethod[] = AUTH_METHODS;

/** The option names of {@link ClientAuthenticatorOptions}: any other key is a `TypeError` at setup. */
export const AUTHENTICATOR_OPTION_NAMES = optionNames<ClientAuthenticatorOptions>({
  issuer: true,
  telemetry: true,
  clientIdMetadataDocuments: true,
  attestation: true,
  getClient: true,
  endpoints: true,
  methods: true,
  endpointMethods: true,
  allowInsecureTransport: true,
  trustedProxies: true,
  basic: true,
  secrets: true,
  onAuthenticated: true,
  onFailure: true,
  now: true,
  replayStore: true,
  clockTolerance: true,
  maxAssertionLifetime: true,
  audience: true,
  signingAlgorithms: true,
  jwks: true,
  profile: true,
  profileOverrides: true,
  endpointSigningAlgorithms: true,
  failureLimiter: true,
  failureLimiterKey: true,
  certificates: true,
  trustAnchors: true,
  minimumKeySizes: true,
  mtlsEndpointAliases: true,
  tlsClientCertificateBoundAccessTokens: true,
});

/** The option names of `basic`. */
export const BASIC_OPTION_NAMES = optionNames<NonNullable<ClientAuthenticatorOptions['basic']>>({
  acceptUnencoded: true,
});

/** The option names of `secrets`. */
export const SECRETS_OPTION_NAMES = optionNames<NonNullable<ClientAuthenticatorOptions['secrets']>>({
  verifyHash: true,
  maxConcurrentHashes: true,
  maxQueuedHashes: true,
  unknownClientCost: true,
});
