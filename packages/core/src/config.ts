/**
 * Options of {@link createClientAuthenticator}, documented field by field, and their normalisation
 * into an internal, frozen {@link Config}. Bad options throw `TypeError` here, once, at setup; the
 * caller's object is never mutated.
 */
import { SIGNING_ALGORITHMS, type SigningAlgorithm } from './algorithms.js';
import { createJwksCache, type JwksCache, type JwksOptions } from './keys.js';
import { memoryReplayStore, type ReplayStore } from './replay.js';
import type { VerifyHash } from './secrets.js';
import { AUTH_METHODS, type AuthMethod, type ClientMetadata, ENDPOINT_NAMES, type EndpointName } from './types.js';

/** What `onAuthenticated` receives. Never carries a secret, an assertion or a certificate. */
export interface AuthenticatedEvent {
  clientId: string;
  method: AuthMethod;
  endpoint: EndpointName;
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

/** Options of {@link createClientAuthenticator}. */
export interface ClientAuthenticatorOptions<Client extends ClientMetadata = ClientMetadata> {
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
  /** Secret verification. */
  secrets?: {
    /** Verify a stored hash that is not a built-in scrypt string (argon2, bcrypt, …). */
    verifyHash?: VerifyHash;
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
   * - `'compatible'` (default): the issuer, the token endpoint URL or the URL of the endpoint
   *   called, as a string or in an array (RFC 7523 §3, FAPI 1, CIBA, RFC 9126 as published);
   * - `'issuer'`: the issuer as sole value, a string or a one-element array (rfc7523bis §4);
   * - `'issuer-string'`: the issuer as a plain string (FAPI 2.0 Security Profile §5.3.2.1).
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
}

/** Accepted audiences of client assertions; see {@link ClientAuthenticatorOptions.audience}. */
export type AudienceMode = 'compatible' | 'issuer' | 'issuer-string';

/** Methods this version of the library can verify. */
export const IMPLEMENTED_METHODS: readonly AuthMethod[] = [
  'client_secret_basic',
  'client_secret_post',
  'client_secret_jwt',
  'private_key_jwt',
  'none',
];

/** The normalised, frozen configuration every module reads. */
export interface Config {
  issuer: string;
  getClient: (clientId: string) => ClientMetadata | undefined | null | Promise<ClientMetadata | undefined | null>;
  endpoints: Readonly<Partial<Record<EndpointName, string>>>;
  methods: ReadonlySet<AuthMethod>;
  endpointMethods: Readonly<Record<EndpointName, ReadonlySet<AuthMethod>>>;
  allowInsecureTransport: boolean;
  acceptUnencodedBasic: boolean;
  verifyHash: VerifyHash | undefined;
  onAuthenticated: ((event: AuthenticatedEvent) => void) | undefined;
  onFailure: ((event: FailureEvent) => void) | undefined;
  now: () => number;
  replayStore: ReplayStore;
  clockTolerance: number;
  maxAssertionLifetime: number;
  audience: AudienceMode;
  signingAlgorithms: ReadonlySet<SigningAlgorithm>;
  jwksCache: JwksCache;
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
    if (!IMPLEMENTED_METHODS.includes(method)) fail(`${name}: method ${method} is not implemented`);
  }
  return [...value];
}

function checkHook<T>(value: T | undefined, name: string): T | undefined {
  if (value !== undefined && typeof value !== 'function') fail(`${name} must be a function`);
  return value;
}

/** Validate and normalise options. Throws `TypeError` on the first problem. */
export function normalizeOptions(options: ClientAuthenticatorOptions<ClientMetadata>): Config {
  if (options === null || typeof options !== 'object') fail('options must be an object');
  const issuer = checkUrl(options.issuer, 'issuer', true);
  if (typeof options.getClient !== 'function') fail('getClient must be a function');

  const endpoints: Partial<Record<EndpointName, string>> = {};
  if (options.endpoints !== undefined) {
    if (options.endpoints === null || typeof options.endpoints !== 'object') fail('endpoints must be an object');
    for (const [name, url] of Object.entries(options.endpoints)) {
      if (!ENDPOINT_NAMES.includes(name as EndpointName)) fail(`endpoints: unknown endpoint ${JSON.stringify(name)}`);
      if (url !== undefined) endpoints[name as EndpointName] = checkUrl(url, `endpoints.${name}`, true);
    }
  }

  const methods = new Set(
    options.methods === undefined ? IMPLEMENTED_METHODS : checkMethods(options.methods, 'methods'),
  );
  const endpointMethods = {} as Record<EndpointName, ReadonlySet<AuthMethod>>;
  for (const endpoint of ENDPOINT_NAMES) {
    const narrowed = options.endpointMethods?.[endpoint];
    if (narrowed === undefined) {
      endpointMethods[endpoint] = methods;
      continue;
    }
    const list = checkMethods(narrowed, `endpointMethods.${endpoint}`);
    for (const method of list) {
      if (!methods.has(method)) fail(`endpointMethods.${endpoint}: ${method} is not among the enabled methods`);
    }
    endpointMethods[endpoint] = new Set(list);
  }
  if (options.endpointMethods !== undefined) {
    for (const name of Object.keys(options.endpointMethods)) {
      if (!ENDPOINT_NAMES.includes(name as EndpointName))
        fail(`endpointMethods: unknown endpoint ${JSON.stringify(name)}`);
    }
  }

  if (options.allowInsecureTransport !== undefined && typeof options.allowInsecureTransport !== 'boolean') {
    fail('allowInsecureTransport must be a boolean');
  }
  const acceptUnencoded = options.basic?.acceptUnencoded;
  if (acceptUnencoded !== undefined && typeof acceptUnencoded !== 'boolean')
    fail('basic.acceptUnencoded must be a boolean');

  const now = checkHook(options.now, 'now') ?? Date.now;
  const assertions = normalizeAssertionOptions(options, now);

  return Object.freeze({
    issuer,
    getClient: options.getClient as Config['getClient'],
    endpoints: Object.freeze(endpoints),
    methods,
    endpointMethods: Object.freeze(endpointMethods),
    allowInsecureTransport: options.allowInsecureTransport === true,
    acceptUnencodedBasic: acceptUnencoded === true,
    verifyHash: checkHook(options.secrets?.verifyHash, 'secrets.verifyHash'),
    onAuthenticated: checkHook(options.onAuthenticated, 'onAuthenticated'),
    onFailure: checkHook(options.onFailure, 'onFailure'),
    now,
    ...assertions,
  });
}

function checkSeconds(value: unknown, name: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) fail(`${name} must be a number ≥ ${min}`);
  return value;
}

/** The client assertion options (RFC 7523, OpenID Connect Core §9). */
function normalizeAssertionOptions(options: ClientAuthenticatorOptions<ClientMetadata>, now: () => number) {
  const store = options.replayStore;
  if (store !== undefined && (store === null || typeof store !== 'object' || typeof store.consume !== 'function')) {
    fail('replayStore must have a consume(clientId, jti, expiresAt) method');
  }
  const audience = options.audience ?? 'compatible';
  if (audience !== 'compatible' && audience !== 'issuer' && audience !== 'issuer-string') {
    fail(`audience must be 'compatible', 'issuer' or 'issuer-string', got ${JSON.stringify(audience)}`);
  }
  let signingAlgorithms: ReadonlySet<SigningAlgorithm> = new Set(SIGNING_ALGORITHMS);
  if (options.signingAlgorithms !== undefined) {
    const list = options.signingAlgorithms;
    if (!Array.isArray(list) || list.length === 0) fail('signingAlgorithms must be a non-empty array');
    for (const alg of list) {
      if (!SIGNING_ALGORITHMS.includes(alg)) fail(`signingAlgorithms: unsupported algorithm ${JSON.stringify(alg)}`);
    }
    signingAlgorithms = new Set(list);
  }
  return {
    replayStore: store ?? memoryReplayStore({ now }),
    clockTolerance: checkSeconds(options.clockTolerance, 'clockTolerance', 15, 0),
    maxAssertionLifetime: checkSeconds(options.maxAssertionLifetime, 'maxAssertionLifetime', 3600, 1),
    audience,
    signingAlgorithms,
    jwksCache: createJwksCache(options.jwks, now),
  };
}
