/**
 * Client ID Metadata Documents, resolved (CIMD §5): an https URL client_id that `getClient` does
 * not know is checked (CIMD §3, the deployer's allow-list), fetched through the guarded fetcher of
 * `jwks_uri` (SSRF guard, `jwks.allow`, no redirects, a timeout and a size cap), judged
 * (document.ts) and cached while fresh (document_cache.ts). One fetch per URL at a time (single
 * flight) within the fetch slots (fetch_slots.ts); a failure is never cached, so the next request
 * fetches again. Every failure is a refusal with its own stable code, its detail in the `cause`
 * for operators. One instance per authenticator: no module state. Sections cited as "CIMD §N" are
 * those of draft-ietf-oauth-client-id-metadata-document-02.
 */
import { InvalidClient, InvalidRequest, ServerError, TemporarilyUnavailable } from '../errors.js';
import { freshnessOf } from '../jwks/cache.js';
import {
  type FetchedDocument,
  type GuardedFetchOptions,
  guardedFetch,
  ResponseTooLarge,
} from '../jwks/guarded_fetch.js';
import { isGuardRefusal } from '../jwks/ssrf_guard.js';
import type { ClientMetadata } from '../types.js';
import { clientIdUrlProblem, isUrlClientId } from './client_id_url.js';
import { documentMetadata } from './document.js';
import { DocumentCache } from './document_cache.js';
import { FetchSlots } from './fetch_slots.js';
import {
  type ClientIdMetadataDocumentOptions,
  type DocumentPolicy,
  type NormalizedClientIdMetadataDocumentOptions,
  normalizeClientIdMetadataDocumentOptions,
} from './options.js';
import { ClientIdMetadataDocumentProblems, problem } from './problems.js';

/** CIMD §4: the document is JSON. */
const ACCEPT = 'application/json';

/** One problem about the client_id, as the `cause` of a refusal. */
function about(description: string, cause?: unknown): { cause: ClientIdMetadataDocumentProblems } {
  return { cause: new ClientIdMetadataDocumentProblems([problem('client_id', description)], { cause }) };
}

function isTooLarge(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 4; depth += 1) {
    if (current instanceof ResponseTooLarge) return true;
    current = current.cause;
  }
  return false;
}

/** Why a fetch failed, as the refusal to answer with. */
function fetchFailure(cause: unknown, maxBytes: number): InvalidClient {
  if (isGuardRefusal(cause)) {
    // CIMD §8.6: the document URL "does not resolve to special-use IP addresses" (RFC 6890).
    return new InvalidClient(
      'ERR_CLIENT_METADATA_DOCUMENT_REFUSED',
      about('the SSRF guard refused the address of the document URL (CIMD §8.6)', cause),
    );
  }
  if (isTooLarge(cause)) {
    return new InvalidClient(
      'ERR_CLIENT_METADATA_DOCUMENT_TOO_LARGE',
      about(`the document exceeds ${maxBytes} octets (CIMD §8.7)`, cause),
    );
  }
  return new InvalidClient(
    'ERR_CLIENT_METADATA_DOCUMENT_UNREACHABLE',
    about('the document could not be fetched in time (CIMD §5.1)', cause),
  );
}

/** The client ID metadata documents of one authenticator: its cache, fetch slots and fetches in flight. */
export class ClientIdMetadataDocuments {
  readonly options: NormalizedClientIdMetadataDocumentOptions;
  readonly #policy: DocumentPolicy;
  readonly #fetcher: GuardedFetchOptions;
  readonly #now: () => number;
  readonly #cache: DocumentCache;
  readonly #slots: FetchSlots;
  /** The fetch of each URL in flight, shared by every request for it (single flight). */
  readonly #inflight = new Map<string, Promise<ClientMetadata>>();
  /** Where each document this instance handed out came from, so that a success can prove it. */
  readonly #origins = new WeakMap<ClientMetadata, { clientId: string; freshUntil: number }>();

  constructor(
    options: NormalizedClientIdMetadataDocumentOptions,
    policy: DocumentPolicy,
    fetcher: GuardedFetchOptions,
    now: () => number,
  ) {
    this.options = options;
    this.#policy = policy;
    // The jwks_uri fetcher (its guard, allow list, resolver and fetch), with the documents' own limits.
    this.#fetcher = { ...fetcher, maxBytes: options.maxBytes, timeout: options.timeout };
    this.#now = now;
    this.#cache = new DocumentCache(options.maxDocuments, now);
    this.#slots = new FetchSlots(options.maxConcurrentFetches, options.maxConcurrentFetchesPerHost);
  }

  /** Whether `clientId` is for this resolver: a URL (see {@link isUrlClientId}). */
  accepts(clientId: string): boolean {
    return isUrlClientId(clientId);
  }

  /** Documents cached now. */
  get cached(): number {
    return this.#cache.size;
  }

  /**
   * The metadata of `clientId` from its document: at once when cached and fresh, else through a
   * fetch (joined when one is in flight). Throws or rejects with the refusal.
   */
  resolve(clientId: string): ClientMetadata | Promise<ClientMetadata> {
    const cached = this.#cache.get(clientId);
    if (cached !== undefined) return cached;
    const inflight = this.#inflight.get(clientId);
    if (inflight !== undefined) return inflight;
    const url = this.#allowedUrl(clientId);
    const host = url.hostname;
    if (!this.#slots.tryAcquire(host)) {
      throw new TemporarilyUnavailable('ERR_CLIENT_METADATA_DOCUMENT_BUSY', {
        retryAfter: 1,
        ...about('every document fetch slot (overall or for this host) is taken'),
      });
    }
    const fetching = this.#fetch(clientId, url).finally(() => {
      this.#slots.release(host);
      this.#inflight.delete(clientId);
    });
    this.#inflight.set(clientId, fetching);
    return fetching;
  }

  /**
   * A request authenticated with `client`: when it came from a document, mark that document proven
   * in the cache (docs/LIMITS.md) and return true.
   */
  proven(client: ClientMetadata): boolean {
    const origin = this.#origins.get(client);
    if (origin === undefined) return false;
    this.#cache.prove(origin.clientId, client, origin.freshUntil);
    return true;
  }

  /** The URL of `clientId` once it passed CIMD §3 and the deployer's allow-list; else the refusal. */
  #allowedUrl(clientId: string): URL {
    const reason = clientIdUrlProblem(clientId);
    if (reason !== undefined) {
      throw new InvalidRequest('ERR_CLIENT_ID_URL_MALFORMED', 'the client identifier URL is malformed', about(reason));
    }
    const url = new URL(clientId);
    const { allowOrigins, allowUrl } = this.options;
    if (allowOrigins !== undefined && !allowOrigins.has(url.origin)) {
      throw new InvalidClient('ERR_CLIENT_ID_URL_NOT_ALLOWED', about('the origin is not in allowOrigins'));
    }
    if (allowUrl !== undefined) {
      let allowed: unknown;
      try {
        allowed = allowUrl(new URL(clientId));
      } catch (cause) {
        throw new ServerError('ERR_CLIENT_LOOKUP_FAILED', { cause });
      }
      if (allowed !== true) throw new InvalidClient('ERR_CLIENT_ID_URL_NOT_ALLOWED', about('allowUrl refused the URL'));
    }
    return url;
  }

  async #fetch(clientId: string, url: URL): Promise<ClientMetadata> {
    let document: FetchedDocument;
    try {
      document = await guardedFetch(this.#fetcher, url, ACCEPT);
    } catch (cause) {
      throw fetchFailure(cause, this.options.maxBytes);
    }
    const metadata = documentMetadata(clientId, document, this.options, this.#policy);
    // CIMD §5.2: HTTP cache headers (RFC 9111 §5.2.2 max-age) within this server's bounds.
    const freshUntil = this.#now() + freshnessOf(document.cacheControl, this.options) * 1000;
    this.#cache.store(clientId, metadata, freshUntil);
    this.#origins.set(metadata, { clientId, freshUntil });
    return metadata;
  }
}

/** Create the client ID metadata documents of one authenticator (options checked here, at setup). */
export function createClientIdMetadataDocuments(
  options: ClientIdMetadataDocumentOptions,
  policy: DocumentPolicy,
  fetcher: GuardedFetchOptions,
  now: () => number,
): ClientIdMetadataDocuments {
  return new ClientIdMetadataDocuments(normalizeClientIdMetadataDocumentOptions(options, policy), policy, fetcher, now);
}
