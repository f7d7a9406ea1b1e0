/**
 * The `clientIdMetadataDocuments` option of the authenticator: which https URL client_ids are
 * resolved from their client ID metadata documents, and the bounds of fetching and caching them,
 * documented field by field and normalised once at setup (bad values throw `TypeError`). The
 * fetch itself goes through the `jwks` fetcher: its SSRF guard, `allow` list, `allowHost`,
 * `lookup` and `fetch` govern documents too. Sections cited as "CIMD §N" are those of
 * draft-ietf-oauth-client-id-metadata-document-02.
 */
import type { SigningAlgorithm } from '../algorithms.js';
import { checkFunction, fail as failOption, numberAtLeast, positiveInteger } from '../option_checks.js';
import { checkOptionNames, optionNames } from '../option_names.js';
import type { AuthMethod } from '../types.js';

/**
 * Options of Client ID Metadata Documents (the `clientIdMetadataDocuments` option of the
 * authenticator; set it, even to `{}`, to enable them): a client whose `client_id` is an https
 * URL unknown to `getClient` is described by the JSON document at that URL. Documents are fetched
 * through the `jwks` fetcher (its SSRF guard and `allow` list apply), validated like a registration
 * (RFC 7591), cached within freshness bounds, and never cached when they fail.
 *
 * @example
 * ```ts
 * createClientAuthenticator({
 *   issuer,
 *   getClient: (id) => registered.get(id), // registered clients come first
 *   clientIdMetadataDocuments: { allowOrigins: ['https://app.example.com'], maxDocuments: 5000 },
 * })
 * ```
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-oauth-client-id-metadata-document-02
 */
export interface ClientIdMetadataDocumentOptions {
  /**
   * Origins (`https://host` or `https://host:port`) whose documents are accepted; a client_id on
   * any other origin is refused before a fetch (`ERR_CLIENT_ID_URL_NOT_ALLOWED`). CIMD §8 lets
   * the server keep its own trust policy for client_id domains. Default: every origin (the SSRF
   * guard still decides which addresses a fetch may reach).
   */
  allowOrigins?: readonly string[];
  /**
   * Decide on each client identifier URL (after the CIMD §3 rules and `allowOrigins`): return
   * `true` to fetch it, anything else refuses it (`ERR_CLIENT_ID_URL_NOT_ALLOWED`). Called on a
   * cache miss only. A throw becomes a 500 `server_error`. Default: none.
   */
  allowUrl?: (url: URL) => boolean;
  /**
   * Methods a document may register as its `token_endpoint_auth_method`, a subset of the enabled
   * `methods`. Never a shared-secret method (CIMD §4: `client_secret_basic`, `client_secret_post`
   * and `client_secret_jwt` MUST NOT be used). Default: `private_key_jwt` and `none`, those of them
   * enabled.
   */
  methods?: readonly AuthMethod[];
  /** Largest document, in octets. Default 5120 (CIMD §8.7 recommends 5 kilobytes). */
  maxBytes?: number;
  /** Milliseconds a document fetch may take, connection to last octet. Default 5000. */
  timeout?: number;
  /** Shortest freshness of a cached document, whatever `Cache-Control` says (seconds). Default 60. */
  minFreshness?: number;
  /** Longest freshness of a cached document, whatever `Cache-Control` says (seconds). Default 86400. */
  maxFreshness?: number;
  /** Freshness when the response has no `Cache-Control: max-age` (seconds, then clamped). Default 600. */
  defaultFreshness?: number;
  /**
   * Most documents cached at once. A document that authenticated a request is only ever evicted
   * to make room for another that did (docs/LIMITS.md). Default 1000.
   */
  maxDocuments?: number;
  /** Most document fetches in flight at once; beyond it, 503 `ERR_CLIENT_METADATA_DOCUMENT_BUSY`. Default 8. */
  maxConcurrentFetches?: number;
  /** Most document fetches in flight at once to one host name; beyond it, the same 503. Default 2. */
  maxConcurrentFetchesPerHost?: number;
}

/** The normalised `clientIdMetadataDocuments` options. */
export interface NormalizedClientIdMetadataDocumentOptions {
  allowOrigins: ReadonlySet<string> | undefined;
  allowUrl: ((url: URL) => boolean) | undefined;
  methods: ReadonlySet<AuthMethod>;
  maxBytes: number;
  timeout: number;
  minFreshness: number;
  maxFreshness: number;
  defaultFreshness: number;
  maxDocuments: number;
  maxConcurrentFetches: number;
  maxConcurrentFetchesPerHost: number;
}

/** What the authenticator's configuration decides for documents: its enabled methods and algorithms. */
export interface DocumentPolicy {
  methods: ReadonlySet<AuthMethod>;
  signingAlgorithms: ReadonlySet<SigningAlgorithm>;
  minEcBits: number;
}

/** CIMD §4: methods "based around a shared symmetric secret" MUST NOT be used by a document. */
export const SHARED_SECRET_METHODS: ReadonlySet<string> = new Set<AuthMethod>([
  'client_secret_basic',
  'client_secret_post',
  'client_secret_jwt',
]);

const DEFAULT_METHODS: readonly AuthMethod[] = ['private_key_jwt', 'none'];

/** The option names of {@link ClientIdMetadataDocumentOptions}: any other key is a `TypeError` at setup. */
const OPTION_NAMES = optionNames<ClientIdMetadataDocumentOptions>({
  allowOrigins: true,
  allowUrl: true,
  methods: true,
  maxBytes: true,
  timeout: true,
  minFreshness: true,
  maxFreshness: true,
  defaultFreshness: true,
  maxDocuments: true,
  maxConcurrentFetches: true,
  maxConcurrentFetchesPerHost: true,
});

function fail(message: string): never {
  return failOption(`clientIdMetadataDocuments.${message}`);
}

function origins(value: unknown): ReadonlySet<string> | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0) fail('allowOrigins must be a non-empty array of https origins');
  const set = new Set<string>();
  for (const entry of value) {
    let url: URL | undefined;
    try {
      url = typeof entry === 'string' ? new URL(entry) : undefined;
    } catch {
      url = undefined;
    }
    // An origin is scheme, host and port only, written as the URL's origin serialises (no path).
    if (url === undefined || url.protocol !== 'https:' || url.origin !== entry) {
      fail(`allowOrigins: ${JSON.stringify(entry)} is not an https origin such as "https://client.example"`);
    }
    set.add(url.origin);
  }
  return set;
}

function documentMethods(value: unknown, policy: DocumentPolicy): ReadonlySet<AuthMethod> {
  if (value === undefined) {
    const methods = DEFAULT_METHODS.filter((method) => policy.methods.has(method));
    if (methods.length === 0)
      fail('methods: neither private_key_jwt nor none is enabled; list the methods documents may use');
    return new Set(methods);
  }
  if (!Array.isArray(value) || value.length === 0) fail('methods must be a non-empty array of method names');
  for (const method of value) {
    if (SHARED_SECRET_METHODS.has(method)) {
      fail(`methods: ${method} is a shared-secret method, which a client ID metadata document MUST NOT use (CIMD §4)`);
    }
    if (!policy.methods.has(method)) fail(`methods: ${JSON.stringify(method)} is not among the enabled methods`);
  }
  return new Set(value as AuthMethod[]);
}

/** Validate the `clientIdMetadataDocuments` options. Throws `TypeError` on the first problem. */
export function normalizeClientIdMetadataDocumentOptions(
  options: ClientIdMetadataDocumentOptions,
  policy: DocumentPolicy,
): NormalizedClientIdMetadataDocumentOptions {
  if (options === null || typeof options !== 'object') fail('must be an object');
  checkOptionNames(options, OPTION_NAMES, 'clientIdMetadataDocuments');
  const minFreshness = numberAtLeast(options.minFreshness, 'clientIdMetadataDocuments.minFreshness', 60, 0);
  const maxFreshness = numberAtLeast(options.maxFreshness, 'clientIdMetadataDocuments.maxFreshness', 86_400, 0);
  if (maxFreshness < minFreshness) fail('maxFreshness must not be below minFreshness');
  const maxConcurrentFetches = positiveInteger(
    options.maxConcurrentFetches,
    'clientIdMetadataDocuments.maxConcurrentFetches',
    8,
  );
  const maxConcurrentFetchesPerHost = positiveInteger(
    options.maxConcurrentFetchesPerHost,
    'clientIdMetadataDocuments.maxConcurrentFetchesPerHost',
    2,
  );
  if (maxConcurrentFetchesPerHost > maxConcurrentFetches) {
    fail('maxConcurrentFetchesPerHost must not exceed maxConcurrentFetches');
  }
  return {
    allowOrigins: origins(options.allowOrigins),
    allowUrl: checkFunction(options.allowUrl, 'clientIdMetadataDocuments.allowUrl'),
    methods: documentMethods(options.methods, policy),
    maxBytes: positiveInteger(options.maxBytes, 'clientIdMetadataDocuments.maxBytes', 5 * 1024),
    timeout: positiveInteger(options.timeout, 'clientIdMetadataDocuments.timeout', 5_000),
    minFreshness,
    maxFreshness,
    defaultFreshness: numberAtLeast(options.defaultFreshness, 'clientIdMetadataDocuments.defaultFreshness', 600, 0),
    maxDocuments: positiveInteger(options.maxDocuments, 'clientIdMetadataDocuments.maxDocuments', 1_000),
    maxConcurrentFetches,
    maxConcurrentFetchesPerHost,
  };
}
