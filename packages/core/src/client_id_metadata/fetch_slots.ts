/**
 * The bound on concurrent client ID metadata document fetches: at most so many in flight at once,
 * and at most so many to one host name. Documents that fail are not cached (CIMD §5.2: "MUST NOT
 * cache error responses", nor invalid documents), so nothing remembers a bad URL: these slots are
 * what stops a flood of unknown URLs from turning into a flood of outbound requests, against this
 * server's sockets or against one victim host. A fetch that finds no slot is refused at once
 * (503), never queued. Sections cited as "CIMD §N" are those of
 * draft-ietf-oauth-client-id-metadata-document-02.
 */
export class FetchSlots {
  readonly #max: number;
  readonly #maxPerHost: number;
  readonly #perHost = new Map<string, number>();
  #running = 0;

  constructor(max: number, maxPerHost: number) {
    this.#max = max;
    this.#maxPerHost = maxPerHost;
  }

  /** Take a slot for a fetch to `host`; false when the overall or the host's bound is reached. */
  tryAcquire(host: string): boolean {
    const onHost = this.#perHost.get(host) ?? 0;
    if (this.#running >= this.#max || onHost >= this.#maxPerHost) return false;
    this.#running += 1;
    this.#perHost.set(host, onHost + 1);
    return true;
  }

  /** Give back the slot of a finished fetch to `host`. */
  release(host: string): void {
    this.#running -= 1;
    const onHost = (this.#perHost.get(host) ?? 1) - 1;
    if (onHost === 0) this.#perHost.delete(host);
    else this.#perHost.set(host, onHost);
  }
}
