/**
 * Options of {@link createClientAuthenticator}, documented field by field, and their normalisation
 * into an internal, frozen {@link Config}. Bad options throw `TypeError` here, once, at setup; the
 * caller's object is never mutated.
 */
import { SIGNING_ALGORITHMS, type SigningAlgorithm } from './algorithms.js';
import { createJwksCache, type JwksCache, type JwksOptions } from './keys.js';
import type { FailureLimiter, FailureLimiterKey } from './limiter.js';
import { type MtlsConfig, type MtlsOptions, normalizeMtlsOptions } from './mtls_config.js';
import {
  type AudienceMode,
  audienceAtLeast,
  PROFILE_NAMES,
  PROFILES,
  type Profile,
  type ProfileName,
  type ProfileRule,
  profileAllowsMethod,
  profileRule,
  type RuleId,
} from './policy.js';
import { memoryReplayStore, type ReplayStore } from './replay.js';
import type { VerifyHash } from './secrets/hash.js';
import { DEFAULT_MAX_CONCURRENT_HASHES, DEFAULT_MAX_QUEUED_HASHES } from './secrets/hash_budget.js';
import { createSecretCosts, type SecretCosts, type UnknownClientCost } from './secrets/unknown_client.js';
import { AUTH_METHODS, type AuthMethod, type ClientMetadata, ENDPOINT_NAMES, type EndpointName } from './types.js';

/** What `onAuthenticated` receives. Never carries a secret, an assertion or a certificate. */
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

/** What `onFailure` receives: the stable `code` tells operators the precise reason. */
export interface FailureEvent {
  code: string;
  error: string;
  status: number;
  endpoint: EndpointName;
  /** The client the request named, when it named one. */
  clientId?: string;
  /** The client's registered method, when the client was found. */
  method?: AuthMethod;
}

/**
 * Options of {@link createClientAuthenticator}. The mutual-TLS fields (`certificates`,
 * `trustAnchors`, `minimumKeySizes`, `mtlsEndpointAliases`, `tlsClientCertificateBoundAccessTokens`)
 * are documented in {@link MtlsOptions}.
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
  /** Absolute URLs of the endpoints, used for metadata and as accepted assertion audiences. */
  endpoints?: Partial<Record<EndpointName, string>>;
  /** Methods enabled at all. Default: every method this version implements. */
  methods?: readonly AuthMethod[];
  /** Narrow the methods of single endpoints (each list must be a subset of `methods`). */
  endpointMethods?: Partial<Record<EndpointName, readonly AuthMethod[]>>;
  /**
   * RFC 6749 §2.3.1: the AS "MUST require the use of TLS" for password authentication. Secret
   * methods over a connection that is not TLS are refused unless this is `true`. Set it only for
   * local development. Default false.
   */
  allowInsecureTransport?: boolean;
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
  /** Called after each successful authentication. Exceptions it throws are ignored. */
  onAuthenticated?: (event: AuthenticatedEvent) => void;
  /** Called after each refused authentication. Exceptions it throws are ignored. */
  onFailure?: (event: FailureEvent) => void;
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
  /** Fetching and caching of clients' `jwks_uri` (SSRF guard, limits, cache); see {@link JwksOptions}. */
  jwks?: JwksOptions;
  /**
   * A security profile: `'fapi1-baseline'` (FAPI 1.0 Part 1), `'fapi1-advanced'` (FAPI 1.0
   * Part 2) or `'fapi2'` (FAPI 2.0 Security Profile). Its rules ({@link PROFILES}) narrow the
   * methods, algorithms, audience, clock window and key sizes. Other options may tighten them;
   * an option that would loosen one is a `TypeError` unless the rule is in `profileOverrides`.
   */
  profile?: ProfileName;
  /**
   * Rules of the profile not to enforce, by id (`'methods'`, `'algorithms'`, `'audience'`,
   * `'clock-window'`, `'confidential-clients'`, `'ec-key-size'`, `'jwks-uri-https'`). Each
   * override is reported at setup as a Node.js process warning (`CLIENT_AUTH_PROFILE_OVERRIDE`)
   * and in `authenticator.policy()`.
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

export type { AudienceMode } from './policy.js';

/** Methods this version of the library can verify: every IANA method it knows, in metadata order. */
export const IMPLEMENTED_METHODS: readonly AuthMethod[] = AUTH_METHODS;

/** The normalised, frozen configuration every module reads. */
export interface Config extends MtlsConfig {
  issuer: string;
  getClient: (clientId: string) => ClientMetadata | undefined | null | Promise<ClientMetadata | undefined | null>;
  endpoints: Readonly<Partial<Record<EndpointName, string>>>;
  methods: ReadonlySet<AuthMethod>;
  endpointMethods: Readonly<Record<EndpointName, ReadonlySet<AuthMethod>>>;
  allowInsecureTransport: boolean;
  acceptUnencodedBasic: boolean;
  /** This authenticator's hash budget, hash verifier and unknown-client cost (mutable state, its own). */
  secretCosts: SecretCosts;
  onAuthenticated: ((event: AuthenticatedEvent) => void) | undefined;
  onFailure: ((event: FailureEvent) => void) | undefined;
  now: () => number;
  replayStore: ReplayStore;
  clockTolerance: number;
  maxAssertionLifetime: number;
  audience: AudienceMode;
  signingAlgorithms: ReadonlySet<SigningAlgorithm>;
  /** Algorithms per endpoint (each a subset of `signingAlgorithms`). */
  endpointAlgorithms: Readonly<Record<EndpointName, ReadonlySet<SigningAlgorithm>>>;
  jwksCache: JwksCache;
  failureLimiter: FailureLimiter | undefined;
  failureLimiterKey: FailureLimiterKey;
  profile: Profile | undefined;
  /** Profile rules turned off by `profileOverrides`. */
  overrides: ReadonlySet<RuleId>;
}

function fail(message: string): never {
  throw new TypeError(`client-auth: ${message}`);
}

function checkUrl(value: unknown, name: string, allowHttp: boolean): string {
  if (typeof value !== 'string' || value.length === 0) fail(`${name} must be a non-empty string`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    fail(`${name} must be an absolute URL`);
  }
  if (url.protocol !== 'https:' && !(allowHttp && url.protocol === 'http:')) fail(`${name} must be an https URL`);
  // RFC 8414 §2: the issuer has no query or fragment components.
  if (url.search !== '' || url.hash !== '') fail(`${name} must not have a query or fragment`);
  return value;
}

function checkMethods(value: unknown, name: string): AuthMethod[] {
  if (!Array.isArray(value) || value.length === 0) fail(`${name} must be a non-empty array of method names`);
  for (const method of value) {
    if (!AUTH_METHODS.includes(method)) fail(`${name}: unknown method ${JSON.stringify(method)}`);
  }
  return [...value];
}

function checkHook<T>(value: T | undefined, name: string): T | undefined {
  if (value !== undefined && typeof value !== 'function') fail(`${name} must be a function`);
  return value;
}

/** The profile and its overrides, checked; `enforced(id)` answers a rule that still applies. */
function normalizeProfile(options: ClientAuthenticatorOptions<ClientMetadata>) {
  const name = options.profile;
  if (name !== undefined && !PROFILE_NAMES.includes(name)) {
    fail(`profile must be one of ${PROFILE_NAMES.join(', ')}, got ${JSON.stringify(name)}`);
  }
  const profile = name === undefined ? undefined : PROFILES[name];
  const overrides = new Set<RuleId>();
  if (options.profileOverrides !== undefined) {
    if (!Array.isArray(options.profileOverrides)) fail('profileOverrides must be an array of rule ids');
    if (profile === undefined) fail('profileOverrides needs a profile');
    for (const id of options.profileOverrides) {
      const rule = profileRule(profile, id);
      if (rule === undefined) fail(`profileOverrides: profile ${profile.name} has no rule ${JSON.stringify(id)}`);
      if (id === 'hmac-secret-length' || id === 'rsa-key-size') {
        fail(`profileOverrides: ${id} is enforced for every client and cannot be overridden`);
      }
      overrides.add(id);
    }
  }
  function enforced<Id extends RuleId>(id: Id): Extract<ProfileRule, { id: Id }> | undefined {
    if (profile === undefined || overrides.has(id)) return undefined;
    return profileRule(profile, id);
  }
  /** The TypeError for an option that would loosen a rule. */
  function loosens(rule: ProfileRule, what: string): never {
    fail(
      `${what} is not allowed by profile ${profile?.name} (${rule.section}: ${rule.summary}); ` +
        `list '${rule.id}' in profileOverrides to loosen it deliberately`,
    );
  }
  return { profile, overrides, enforced, loosens };
}

/** Report each override at setup: loosening a profile is never silent. */
function reportOverrides(profile: Profile | undefined, overrides: ReadonlySet<RuleId>): void {
  if (profile === undefined) return;
  for (const id of overrides) {
    const rule = profileRule(profile, id) as ProfileRule;
    process.emitWarning(
      `client-auth: profile ${profile.name} rule '${id}' (${rule.section}) is overridden: ${rule.summary} — not enforced`,
      {
        code: 'CLIENT_AUTH_PROFILE_OVERRIDE',
      },
    );
  }
}

/** Endpoints whose settings follow the token endpoint unless configured (no metadata of their own). */
const FOLLOW_TOKEN: readonly EndpointName[] = [
  'pushed_authorization_request',
  'device_authorization',
  'backchannel_authentication',
];

/** Per-endpoint subsets: an endpoint's own list, else the token endpoint's (for FOLLOW_TOKEN), else all. */
function perEndpoint<T>(
  all: ReadonlySet<T>,
  given: Partial<Record<EndpointName, readonly T[]>> | undefined,
  name: string,
  check: (list: unknown, label: string) => T[],
): Record<EndpointName, ReadonlySet<T>> {
  if (given !== undefined && (given === null || typeof given !== 'object')) fail(`${name} must be an object`);
  for (const key of Object.keys(given ?? {})) {
    if (!ENDPOINT_NAMES.includes(key as EndpointName)) fail(`${name}: unknown endpoint ${JSON.stringify(key)}`);
  }
  const result = {} as Record<EndpointName, ReadonlySet<T>>;
  for (const endpoint of ['token', ...ENDPOINT_NAMES.filter((e) => e !== 'token')] as EndpointName[]) {
    const list = given?.[endpoint];
    if (list === undefined) {
      result[endpoint] = FOLLOW_TOKEN.includes(endpoint) ? result.token : all;
      continue;
    }
    const checked = check(list, `${name}.${endpoint}`);
    for (const item of checked) {
      if (!all.has(item)) fail(`${name}.${endpoint}: ${String(item)} is not among the enabled ones`);
    }
    result[endpoint] = new Set(checked);
  }
  return result;
}

function checkAlgorithms(value: unknown, name: string): SigningAlgorithm[] {
  if (!Array.isArray(value) || value.length === 0) fail(`${name} must be a non-empty array`);
  for (const alg of value) {
    if (!SIGNING_ALGORITHMS.includes(alg)) fail(`${name}: unsupported algorithm ${JSON.stringify(alg)}`);
  }
  return [...value];
}

/** Validate and normalise options. Throws `TypeError` on the first problem. */
export function normalizeOptions(options: ClientAuthenticatorOptions<ClientMetadata>): Config {
  if (options === null || typeof options !== 'object') fail('options must be an object');
  const issuer = checkUrl(options.issuer, 'issuer', true);
  if (typeof options.getClient !== 'function') fail('getClient must be a function');
  const { profile, overrides, enforced, loosens } = normalizeProfile(options);

  const endpoints: Partial<Record<EndpointName, string>> = {};
  if (options.endpoints !== undefined) {
    if (options.endpoints === null || typeof options.endpoints !== 'object') fail('endpoints must be an object');
    for (const [name, url] of Object.entries(options.endpoints)) {
      if (!ENDPOINT_NAMES.includes(name as EndpointName)) fail(`endpoints: unknown endpoint ${JSON.stringify(name)}`);
      if (url !== undefined) endpoints[name as EndpointName] = checkUrl(url, `endpoints.${name}`, true);
    }
  }

  // Methods: the profile's list (FAPI 1 Part 1 §5.2.2-4, Part 2 §5.2.2-14, FAPI 2 §5.3.2.1-6) and
  // no public clients (Part 2 §5.2.2-16, FAPI 2 §5.3.2.1-3) narrow the default; an explicit list
  // outside them is a TypeError unless overridden.
  const methodsRule = enforced('methods');
  const confidentialRule = enforced('confidential-clients');
  let methodList: AuthMethod[];
  if (options.methods === undefined) {
    methodList = IMPLEMENTED_METHODS.filter((method) => profileAllowsMethod(profile, method, overrides));
  } else {
    methodList = checkMethods(options.methods, 'methods');
    for (const method of methodList) {
      if (confidentialRule !== undefined && method === 'none') loosens(confidentialRule, 'methods: none');
      if (methodsRule !== undefined && !methodsRule.methods.includes(method))
        loosens(methodsRule, `methods: ${method}`);
    }
  }
  const methods: ReadonlySet<AuthMethod> = new Set(methodList);
  const endpointMethods = perEndpoint(methods, options.endpointMethods, 'endpointMethods', checkMethods);
  // CIBA Core §7.1: the client authenticates with its registered method; public clients have none.
  if (options.endpointMethods?.backchannel_authentication?.includes('none')) {
    fail('endpointMethods.backchannel_authentication: CIBA accepts confidential clients only, not none');
  }
  if (endpointMethods.backchannel_authentication.has('none')) {
    endpointMethods.backchannel_authentication = new Set(
      [...endpointMethods.backchannel_authentication].filter((m) => m !== 'none'),
    );
  }

  if (options.allowInsecureTransport !== undefined && typeof options.allowInsecureTransport !== 'boolean') {
    fail('allowInsecureTransport must be a boolean');
  }
  const acceptUnencoded = options.basic?.acceptUnencoded;
  if (acceptUnencoded !== undefined && typeof acceptUnencoded !== 'boolean')
    fail('basic.acceptUnencoded must be a boolean');

  // Algorithms (FAPI 1 Part 2 §8.6, FAPI 2 §5.4.1).
  const algorithmsRule = enforced('algorithms');
  let algorithmList: SigningAlgorithm[];
  if (options.signingAlgorithms === undefined) {
    algorithmList = SIGNING_ALGORITHMS.filter(
      (alg) => algorithmsRule === undefined || algorithmsRule.algorithms.includes(alg),
    );
  } else {
    algorithmList = checkAlgorithms(options.signingAlgorithms, 'signingAlgorithms');
    for (const alg of algorithmList) {
      if (algorithmsRule !== undefined && !algorithmsRule.algorithms.includes(alg)) {
        loosens(algorithmsRule, `signingAlgorithms: ${alg}`);
      }
    }
  }
  const signingAlgorithms: ReadonlySet<SigningAlgorithm> = new Set(algorithmList);
  const endpointAlgorithms = perEndpoint(
    signingAlgorithms,
    options.endpointSigningAlgorithms,
    'endpointSigningAlgorithms',
    checkAlgorithms,
  );

  // Audience (FAPI 2 §5.3.2.1-8): the profile's mode is the default and the weakest allowed.
  // Without one, rfc7523bis §4 (the issuer as sole value): 'compatible' is an explicit opt-in.
  const audienceRule = enforced('audience');
  const audience = options.audience ?? audienceRule?.audience ?? 'issuer';
  if (audience !== 'compatible' && audience !== 'issuer' && audience !== 'issuer-string') {
    fail(`audience must be 'compatible', 'issuer' or 'issuer-string', got ${JSON.stringify(audience)}`);
  }
  if (audienceRule !== undefined && !audienceAtLeast(audience, audienceRule.audience)) {
    loosens(audienceRule, `audience: '${audience}'`);
  }

  // Clock window (FAPI 2 §5.3.2.1-13): accept 10 s ahead, refuse beyond 60 s.
  const clockTolerance = checkSeconds(options.clockTolerance, 'clockTolerance', 15, 0);
  const clockRule = enforced('clock-window');
  if (clockRule !== undefined && (clockTolerance < clockRule.minTolerance || clockTolerance > clockRule.maxTolerance)) {
    loosens(
      clockRule,
      `clockTolerance: ${clockTolerance} (outside ${clockRule.minTolerance}–${clockRule.maxTolerance} s)`,
    );
  }

  // Key sizes: RSA never below 2048 (RFC 7518 §3.3); EC per profile (FAPI 1: 160, FAPI 2: 224).
  const mtls = normalizeMtlsOptions(options);
  const ecRule = enforced('ec-key-size');
  const explicitEc = options.minimumKeySizes?.ec;
  if (ecRule !== undefined && explicitEc !== undefined && explicitEc < ecRule.minBits) {
    loosens(ecRule, `minimumKeySizes.ec: ${explicitEc}`);
  }
  const minEcBits = Math.max(mtls.minimumKeySizes.ec, ecRule?.minBits ?? 0);

  // jwks_uri over TLS only (FAPI 1 Part 2 §8.9, FAPI 2 §5.4.2).
  const httpsRule = enforced('jwks-uri-https');
  if (httpsRule !== undefined && options.jwks?.allowHttp === true) loosens(httpsRule, 'jwks.allowHttp');

  const now = checkHook(options.now, 'now') ?? Date.now;
  const store = options.replayStore;
  if (store !== undefined && (store === null || typeof store !== 'object' || typeof store.consume !== 'function')) {
    fail('replayStore must have a consume(clientId, jti, expiresAt) method');
  }
  const jwksCache = createJwksCache(options.jwks, now);
  const secretCosts = normalizeSecrets(options.secrets);
  reportOverrides(profile, overrides);

  return Object.freeze({
    issuer,
    getClient: options.getClient as Config['getClient'],
    endpoints: Object.freeze(endpoints),
    methods,
    endpointMethods: Object.freeze(endpointMethods),
    allowInsecureTransport: options.allowInsecureTransport === true,
    acceptUnencodedBasic: acceptUnencoded === true,
    secretCosts,
    onAuthenticated: checkHook(options.onAuthenticated, 'onAuthenticated'),
    onFailure: checkHook(options.onFailure, 'onFailure'),
    now,
    ...mtls,
    minimumKeySizes: Object.freeze({ rsa: mtls.minimumKeySizes.rsa, ec: minEcBits }),
    replayStore: store ?? memoryReplayStore({ now }),
    clockTolerance,
    maxAssertionLifetime: checkSeconds(options.maxAssertionLifetime, 'maxAssertionLifetime', 3600, 1),
    audience,
    signingAlgorithms,
    endpointAlgorithms: Object.freeze(endpointAlgorithms),
    jwksCache,
    profile,
    overrides,
    failureLimiter: checkLimiter(options.failureLimiter),
    failureLimiterKey: checkLimiterKey(options.failureLimiterKey, options.failureLimiter),
  });
}

const UNKNOWN_CLIENT_COSTS: readonly UnknownClientCost[] = ['auto', 'plain', 'hash'];

/** `secrets`, checked, as the per-authenticator state of secret checks. */
function normalizeSecrets(secrets: ClientAuthenticatorOptions['secrets']): SecretCosts {
  if (secrets !== undefined && (secrets === null || typeof secrets !== 'object')) fail('secrets must be an object');
  const verifyHash = checkHook(secrets?.verifyHash, 'secrets.verifyHash');
  const maxConcurrent = checkInteger(
    secrets?.maxConcurrentHashes,
    'secrets.maxConcurrentHashes',
    DEFAULT_MAX_CONCURRENT_HASHES,
    1,
    1024,
  );
  const maxQueued = checkInteger(
    secrets?.maxQueuedHashes,
    'secrets.maxQueuedHashes',
    DEFAULT_MAX_QUEUED_HASHES,
    0,
    100_000,
  );
  const mode = secrets?.unknownClientCost ?? 'auto';
  if (!UNKNOWN_CLIENT_COSTS.includes(mode)) {
    fail(`secrets.unknownClientCost must be 'auto', 'plain' or 'hash', got ${JSON.stringify(mode)}`);
  }
  return createSecretCosts(verifyHash, maxConcurrent, maxQueued, mode);
}

function checkInteger(value: unknown, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || (value as number) < min || (value as number) > max) {
    fail(`${name} must be an integer from ${min} to ${max}`);
  }
  return value as number;
}

function checkLimiter(value: unknown): FailureLimiter | undefined {
  if (value === undefined) return undefined;
  const limiter = value as Partial<FailureLimiter> | null;
  if (
    limiter === null ||
    typeof limiter !== 'object' ||
    typeof limiter.attempt !== 'function' ||
    typeof limiter.failed !== 'function' ||
    typeof limiter.succeeded !== 'function'
  ) {
    fail('failureLimiter must have attempt, failed and succeeded methods');
  }
  return limiter as FailureLimiter;
}

function checkLimiterKey(value: unknown, limiter: unknown): FailureLimiterKey {
  if (value === undefined) return 'client-address';
  if (limiter === undefined) fail('failureLimiterKey needs a failureLimiter');
  if (value !== 'client' && value !== 'client-address' && typeof value !== 'function') {
    fail(`failureLimiterKey must be 'client', 'client-address' or a function, got ${JSON.stringify(value)}`);
  }
  return value as FailureLimiterKey;
}

function checkSeconds(value: unknown, name: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) fail(`${name} must be a number ≥ ${min}`);
  return value;
}
