/**
 * The authenticator's options (options.ts), checked once at setup and normalised into the frozen
 * {@link Config} that every module of the request path reads. Bad options throw `TypeError` here,
 * never per request; the caller's object is never mutated. A profile's rules come from the one
 * table in policy/profiles.ts, read through policy/rules.ts, as client metadata validation reads them.
 */
import { SIGNING_ALGORITHMS, type SigningAlgorithm } from './algorithms.js';
import { type ClientIdMetadataDocuments, createClientIdMetadataDocuments } from './client_id_metadata/resolver.js';
import { createJwksCache, type JwksCache } from './jwks/cache.js';
import type { FailureLimiter, FailureLimiterKey } from './limiter.js';
import { type AttestationConfig, normalizeAttestationOptions } from './methods/attestation/options.js';
import { type MtlsConfig, normalizeMtlsOptions } from './mtls_config.js';
import { checkBoolean, checkFunction, checkList, fail, integerInRange, numberAtLeast } from './option_checks.js';
import { checkOptionNames } from './option_names.js';
import {
  AUTHENTICATOR_OPTION_NAMES,
  BASIC_OPTION_NAMES,
  type ClientAuthenticatorOptions,
  IMPLEMENTED_METHODS,
  SECRETS_OPTION_NAMES,
} from './options.js';
import {
  type AudienceMode,
  PROFILE_NAMES,
  PROFILES,
  type Profile,
  type ProfileRule,
  type RuleId,
} from './policy/profiles.js';
import { audienceAtLeast, type EnforcedRules, enforcedRules, profileRule } from './policy/rules.js';
import { trustedProxyMatcher } from './proxy/trusted_peers.js';
import { memoryReplayStore, type ReplayStore } from './replay.js';
import { DEFAULT_MAX_CONCURRENT_HASHES, DEFAULT_MAX_QUEUED_HASHES } from './secrets/hash_budget.js';
import { createSecretCosts, type SecretCosts, type UnknownClientCost } from './secrets/unknown_client.js';
import { type AuthenticationTelemetry, checkTelemetry } from './telemetry.js';
import { AUTH_METHODS, type AuthMethod, type ClientMetadata, ENDPOINT_NAMES, type EndpointName } from './types.js';

export type { AuthenticatedEvent, ClientAuthenticatorOptions, FailureEvent } from './options.js';
// The modules that read the config also name the option types it is built from.
export type { AudienceMode } from './policy/profiles.js';

/** The normalised, frozen configuration every module reads. */
export interface Config extends MtlsConfig {
  issuer: string;
  getClient: (clientId: string) => ClientMetadata | undefined | null | Promise<ClientMetadata | undefined | null>;
  endpoints: Readonly<Partial<Record<EndpointName, string>>>;
  methods: ReadonlySet<AuthMethod>;
  endpointMethods: Readonly<Record<EndpointName, ReadonlySet<AuthMethod>>>;
  allowInsecureTransport: boolean;
  /** `trustedProxies`: the peers whose forwarded protocol is believed; undefined: none. */
  forwardedProtoPeers: ((address: string | undefined) => boolean) | undefined;
  acceptUnencodedBasic: boolean;
  /** This authenticator's hash budget, hash verifier and unknown-client cost (mutable state, its own). */
  secretCosts: SecretCosts;
  onAuthenticated: ClientAuthenticatorOptions['onAuthenticated'];
  onFailure: ClientAuthenticatorOptions['onFailure'];
  /** Observes every `authenticate()` call; undefined: no telemetry work on the request path. */
  telemetry: AuthenticationTelemetry | undefined;
  now: () => number;
  replayStore: ReplayStore;
  clockTolerance: number;
  maxAssertionLifetime: number;
  audience: AudienceMode;
  signingAlgorithms: ReadonlySet<SigningAlgorithm>;
  /** Algorithms per endpoint (each a subset of `signingAlgorithms`). */
  endpointAlgorithms: Readonly<Record<EndpointName, ReadonlySet<SigningAlgorithm>>>;
  jwksCache: JwksCache;
  /** `clientIdMetadataDocuments`: https URL client_ids resolved from their documents; undefined: off. */
  clientDocuments: ClientIdMetadataDocuments | undefined;
  failureLimiter: FailureLimiter | undefined;
  failureLimiterKey: FailureLimiterKey;
  profile: Profile | undefined;
  /** Profile rules turned off by `profileOverrides`. */
  overrides: ReadonlySet<RuleId>;
  /** `attestation`: attest_jwt_client_auth's attesters, algorithms and challenges; undefined: off. */
  attestation: AttestationConfig | undefined;
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
  return checkList(value, name, AUTH_METHODS, 'unknown method', ' of method names');
}

/** The profile and its overrides, checked, and the rules of the profile that still apply. */
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
  return { profile, overrides, rules: enforcedRules(profile, overrides) };
}

/** The TypeError for an option that would loosen one or more rules of the profile. */
function loosens(rules: EnforcedRules, refusing: ProfileRule | readonly ProfileRule[], what: string): never {
  const list = Array.isArray(refusing) ? refusing : [refusing as ProfileRule];
  fail(
    `${what} is not allowed by profile ${rules.profile?.name} (${list.map((r) => `${r.section}: ${r.summary}`).join('; ')}); ` +
      `list ${list.map((r) => `'${r.id}'`).join(' and ')} in profileOverrides to loosen it deliberately`,
  );
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

/**
 * RFC 8705 §7.4: a `tls_client_auth` subject is only as good as the CAs allowed to issue it, so the
 * method needs a trust source the deployer named (mtls_config.ts `chainTrustConfigured`).
 */
function noChainTrust(option: string): never {
  fail(
    `${option}: tls_client_auth needs the CAs trusted for client certificates: trustAnchors, or ` +
      'certificates.chainValidated: true when your TLS server (its ca option) or proxy validates against them (RFC 8705 §7.4)',
  );
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
  return checkList(value, name, SIGNING_ALGORITHMS, 'unsupported algorithm');
}

/** Validate and normalise options. Throws `TypeError` on the first problem. */
export function normalizeOptions(options: ClientAuthenticatorOptions<ClientMetadata>): Config {
  if (options === null || typeof options !== 'object') fail('options must be an object');
  checkOptionNames(options, AUTHENTICATOR_OPTION_NAMES, 'createClientAuthenticator()');
  const issuer = checkUrl(options.issuer, 'issuer', true);
  if (typeof options.getClient !== 'function') fail('getClient must be a function');
  const { profile, overrides, rules } = normalizeProfile(options);

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
  // outside them is a TypeError unless overridden. tls_client_auth needs a named trust source
  // for its chains (RFC 8705 §7.4): without one it is left out of the default, and refused in a list.
  const mtls = normalizeMtlsOptions(options);
  let methodList: AuthMethod[];
  if (options.methods === undefined) {
    methodList = IMPLEMENTED_METHODS.filter(
      (method) =>
        rules.refusingMethod(method).length === 0 &&
        (method !== 'tls_client_auth' || mtls.chainTrustConfigured) &&
        (method !== 'attest_jwt_client_auth' || options.attestation !== undefined),
    );
  } else {
    methodList = checkMethods(options.methods, 'methods');
    for (const method of methodList) {
      const refusing = rules.refusingMethod(method);
      if (refusing.length > 0) loosens(rules, refusing, `methods: ${method}`);
    }
    if (methodList.includes('tls_client_auth') && !mtls.chainTrustConfigured) noChainTrust('methods');
    // draft-ietf-oauth-attestation-based-client-auth-10 §7.1 item 4: "a known and trusted Client
    // Attester": without attesters configured, no attestation could ever verify.
    if (methodList.includes('attest_jwt_client_auth') && options.attestation === undefined) {
      fail('methods: attest_jwt_client_auth needs the attestation option (its trusted attesters)');
    }
  }
  const methods: ReadonlySet<AuthMethod> = new Set(methodList);
  if (!mtls.chainTrustConfigured) {
    for (const [endpoint, list] of Object.entries(options.endpointMethods ?? {})) {
      if (Array.isArray(list) && list.includes('tls_client_auth')) noChainTrust(`endpointMethods.${endpoint}`);
    }
  }
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

  checkBoolean(options.allowInsecureTransport, 'allowInsecureTransport');
  if (options.basic !== undefined) {
    if (options.basic === null || typeof options.basic !== 'object') fail('basic must be an object');
    checkOptionNames(options.basic, BASIC_OPTION_NAMES, 'basic');
  }
  const acceptUnencoded = checkBoolean(options.basic?.acceptUnencoded, 'basic.acceptUnencoded');

  // Algorithms (FAPI 1 Part 2 §8.6, FAPI 2 §5.4.1).
  let algorithmList: SigningAlgorithm[];
  if (options.signingAlgorithms === undefined) {
    algorithmList = SIGNING_ALGORITHMS.filter((alg) => rules.refusingAlgorithm(alg) === undefined);
  } else {
    algorithmList = checkAlgorithms(options.signingAlgorithms, 'signingAlgorithms');
    for (const alg of algorithmList) {
      const refusing = rules.refusingAlgorithm(alg);
      if (refusing !== undefined) loosens(rules, refusing, `signingAlgorithms: ${alg}`);
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
  const audienceRule = rules.rule('audience');
  const audience = options.audience ?? audienceRule?.audience ?? 'issuer';
  if (audience !== 'compatible' && audience !== 'issuer' && audience !== 'issuer-string') {
    fail(`audience must be 'compatible', 'issuer' or 'issuer-string', got ${JSON.stringify(audience)}`);
  }
  if (audienceRule !== undefined && !audienceAtLeast(audience, audienceRule.audience)) {
    loosens(rules, audienceRule, `audience: '${audience}'`);
  }

  // Clock window (FAPI 2 §5.3.2.1-13): accept 10 s ahead, refuse beyond 60 s.
  const clockTolerance = numberAtLeast(options.clockTolerance, 'clockTolerance', 15, 0);
  const clockRule = rules.rule('clock-window');
  if (clockRule !== undefined && (clockTolerance < clockRule.minTolerance || clockTolerance > clockRule.maxTolerance)) {
    loosens(
      rules,
      clockRule,
      `clockTolerance: ${clockTolerance} (outside ${clockRule.minTolerance}–${clockRule.maxTolerance} s)`,
    );
  }

  // Key sizes: RSA never below 2048 (RFC 7518 §3.3); EC per profile (FAPI 1: 160, FAPI 2: 224).
  const ecRule = rules.rule('ec-key-size');
  const explicitEc = options.minimumKeySizes?.ec;
  if (ecRule !== undefined && explicitEc !== undefined && explicitEc < ecRule.minBits) {
    loosens(rules, ecRule, `minimumKeySizes.ec: ${explicitEc}`);
  }
  const minEcBits = Math.max(mtls.minimumKeySizes.ec, rules.minEcBits ?? 0);

  // jwks_uri over TLS only (FAPI 1 Part 2 §8.9, FAPI 2 §5.4.2).
  const httpsRule = rules.rule('jwks-uri-https');
  if (httpsRule !== undefined && options.jwks?.allowHttp === true) loosens(rules, httpsRule, 'jwks.allowHttp');

  const now = checkFunction(options.now, 'now') ?? Date.now;
  const store = options.replayStore;
  if (store !== undefined && (store === null || typeof store !== 'object' || typeof store.consume !== 'function')) {
    fail('replayStore must have a consume(clientId, jti, expiresAt) method');
  }
  const jwksCache = createJwksCache(options.jwks, now);
  // Documents are fetched by the jwks_uri fetcher (SSRF guard, allow list) and held to this
  // configuration's methods, algorithms and EC floor, as a registration is.
  const clientDocuments =
    options.clientIdMetadataDocuments === undefined
      ? undefined
      : createClientIdMetadataDocuments(
          options.clientIdMetadataDocuments,
          { methods, signingAlgorithms, minEcBits },
          jwksCache.options.fetcher,
          now,
        );
  const secretCosts = normalizeSecrets(options.secrets);
  const attestation = normalizeAttestationOptions(options.attestation, {
    issuer,
    signingAlgorithms,
    minimumKeySizes: { rsa: mtls.minimumKeySizes.rsa, ec: minEcBits },
    now,
  });
  reportOverrides(profile, overrides);

  return Object.freeze({
    issuer,
    getClient: options.getClient as Config['getClient'],
    endpoints: Object.freeze(endpoints),
    methods,
    endpointMethods: Object.freeze(endpointMethods),
    allowInsecureTransport: options.allowInsecureTransport === true,
    forwardedProtoPeers:
      options.trustedProxies === undefined ? undefined : trustedProxyMatcher(options.trustedProxies, 'trustedProxies'),
    acceptUnencodedBasic: acceptUnencoded === true,
    secretCosts,
    onAuthenticated: checkFunction(options.onAuthenticated, 'onAuthenticated'),
    onFailure: checkFunction(options.onFailure, 'onFailure'),
    telemetry: checkTelemetry(options.telemetry),
    now,
    ...mtls,
    minimumKeySizes: Object.freeze({ rsa: mtls.minimumKeySizes.rsa, ec: minEcBits }),
    replayStore: store ?? memoryReplayStore({ now }),
    clockTolerance,
    maxAssertionLifetime: numberAtLeast(options.maxAssertionLifetime, 'maxAssertionLifetime', 3600, 1),
    audience,
    signingAlgorithms,
    endpointAlgorithms: Object.freeze(endpointAlgorithms),
    jwksCache,
    clientDocuments,
    profile,
    overrides,
    failureLimiter: checkLimiter(options.failureLimiter),
    failureLimiterKey: checkLimiterKey(options.failureLimiterKey, options.failureLimiter),
    attestation,
  });
}

const UNKNOWN_CLIENT_COSTS: readonly UnknownClientCost[] = ['auto', 'plain', 'hash'];

/** `secrets`, checked, as the per-authenticator state of secret checks. */
function normalizeSecrets(secrets: ClientAuthenticatorOptions['secrets']): SecretCosts {
  if (secrets !== undefined) {
    if (secrets === null || typeof secrets !== 'object') fail('secrets must be an object');
    checkOptionNames(secrets, SECRETS_OPTION_NAMES, 'secrets');
  }
  const verifyHash = checkFunction(secrets?.verifyHash, 'secrets.verifyHash');
  const maxConcurrent = integerInRange(
    secrets?.maxConcurrentHashes,
    'secrets.maxConcurrentHashes',
    DEFAULT_MAX_CONCURRENT_HASHES,
    1,
    1024,
  );
  const maxQueued = integerInRange(
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
