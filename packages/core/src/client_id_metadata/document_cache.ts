/**
 * The cache of valid client ID metadata documents (CIMD §5.2: the server MAY cache, SHOULD respect
 * HTTP cache headers within its own bounds, and MUST NOT cache errors or invalid documents, which
 * never reach this cache). Bounded to `maxDocuments` entries, least recently used first, with one
 * rule against a flood of new URLs: a document that has authenticated a request ("proven") is
 * evicted only to make room for another proven document, never for one that was merely fetched.
 * One instance per authenticator. Sections cited as "CIMD §N" are those of
 * draft-ietf-oauth-client-id-metadata-document-02.
 */
import type { ClientMetadata } from '../types.js';

interface Entry {
  metadata: ClientMetadata;
  /** Until when (ms) the document is fresh. */
  freshUntil: number;
  /** Whether a request authenticated with this document. */
  proven: boolean;
}

export class DocumentCache {
  readonly #max: number;
  readonly #now: () => number;
  /** In least-recently-used order: a hit moves an entry to the end. */
  readonly #entries = new Map<string, Entry>();

  constructor(max: number, now: () => number) {
    this.#max = max;
    this.#now = now;
  }

  /** Documents cached now (fresh or not yet dropped). */
  get size(): number {
    return this.#entries.size;
  }

  /** The fresh document of `clientId`, or undefined (a stale one is dropped). */
  get(clientId: string): ClientMetadata | undefined {
    const entry = this.#entries.get(clientId);
    if (entry === undefined) return undefined;
    this.#entries.delete(clientId);
    if (this.#now() >= entry.freshUntil) return undefined;
    this.#entries.set(clientId, entry);
    return entry.metadata;
  }

  /**
   * Keep a freshly fetched, valid document. A refreshed URL keeps its proven mark; a new one is
   * kept only if an unproven or stale entry can make room (or there is room).
   */
  store(clientId: string, metadata: ClientMetadata, freshUntil: number): void {
    const proven = this.#entries.get(clientId)?.proven === true;
    this.#entries.delete(clientId);
    if (this.#entries.size >= this.#max && !this.#evict(proven)) return;
    this.#entries.set(clientId, { metadata, freshUntil, proven });
  }

  /** A request authenticated with `metadata`: mark its entry proven, keeping it if it was not admitted. */
  prove(clientId: string, metadata: ClientMetadata, freshUntil: number): void {
    const entry = this.#entries.get(clientId);
    if (entry !== undefined && entry.metadata === metadata) {
      entry.proven = true;
      return;
    }
    if (entry !== undefined || this.#now() >= freshUntil) return; // replaced meanwhile, or stale
    if (this.#entries.size >= this.#max && !this.#evict(true)) return;
    this.#entries.set(clientId, { metadata, freshUntil, proven: true });
  }

  /**
   * Drop one entry to make room: the least recently used stale or unproven one; for a proven
   * newcomer, else the least recently used of all. False when nothing may go.
   */
  #evict(forProven: boolean): boolean {
    const now = this.#now();
    let oldest: string | undefined;
    for (const [key, entry] of this.#entries) {
      if (!entry.proven || now >= entry.freshUntil) {
        this.#entries.delete(key);
        return true;
      }
      oldest ??= key;
    }
    if (!forProven || oldest === undefined) return false;
    this.#entries.delete(oldest);
    return true;
  }
}
