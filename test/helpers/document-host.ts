/**
 * A client's web host for Client ID Metadata Documents tests: a real HTTPS server on loopback (a
 * certificate of the per-run test PKI), listening dual-stack on `::` so that `localhost`, `[::1]`
 * and every `127.0.0.x` reach it. It serves what each path is given (a document, a JWK Set, a
 * redirect, a body that never ends), counts the requests per path, and can hold every response
 * to measure how many fetches are in flight at once, overall and per host name.
 *
 * @example
 * ```ts
 * const host = new DocumentHost(pki.server)
 * await host.start()
 * const clientId = host.url('/client.json')
 * host.json('/client.json', { client_id: clientId, token_endpoint_auth_method: 'none' })
 * ```
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export class DocumentHost {
  /** Requests seen, per path (query included). */
  readonly hits = new Map<string, number>();
  /** Requests being answered now, and the most at once: overall and per host name. */
  inFlight = 0;
  peak = 0;
  readonly inFlightByHost = new Map<string, number>();
  readonly peakByHost = new Map<string, number>();
  port = 0;
  readonly #routes = new Map<string, Handler>();
  #held: (() => void)[] | undefined;
  readonly #server: Server;

  constructor(certificate: { certPem: string; keyPem: string }) {
    this.#server = createServer({ cert: certificate.certPem, key: certificate.keyPem }, (req, res) =>
      this.#serve(req, res),
    );
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen({ port: 0, host: '::', ipv6Only: false }, resolve));
    this.port = (this.#server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.release();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** `https://<host>:<port><path>`. */
  url(path: string, host = 'localhost'): string {
    return `https://${host}:${this.port}${path}`;
  }

  /** Requests seen for `path`. */
  count(path: string): number {
    return this.hits.get(path) ?? 0;
  }

  /** Requests seen for every path. */
  total(): number {
    return [...this.hits.values()].reduce((sum, n) => sum + n, 0);
  }

  /** Answer `path` with `handler`. */
  route(path: string, handler: Handler): void {
    this.#routes.set(path, handler);
  }

  /** Answer `path` with JSON (`application/json` unless `headers` say otherwise). */
  json(path: string, body: unknown, headers: Record<string, string> = {}, status = 200): void {
    const text = JSON.stringify(body);
    this.route(path, (_req, res) => {
      res
        .writeHead(status, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(text),
          ...headers,
        })
        .end(text);
    });
  }

  /** Hold every response from now on until {@link release}. */
  hold(): void {
    this.#held ??= [];
  }

  /** Answer every held request, and stop holding. */
  release(): void {
    const held = this.#held ?? [];
    this.#held = undefined;
    for (const answer of held) answer();
  }

  #serve(req: IncomingMessage, res: ServerResponse): void {
    const path = req.url ?? '/';
    const host = new URL(`https://${req.headers.host ?? 'unknown'}`).hostname;
    this.hits.set(path, this.count(path) + 1);
    this.inFlight += 1;
    this.peak = Math.max(this.peak, this.inFlight);
    const onHost = (this.inFlightByHost.get(host) ?? 0) + 1;
    this.inFlightByHost.set(host, onHost);
    this.peakByHost.set(host, Math.max(this.peakByHost.get(host) ?? 0, onHost));
    res.on('close', () => {
      this.inFlight -= 1;
      this.inFlightByHost.set(host, (this.inFlightByHost.get(host) ?? 1) - 1);
    });
    const answer = () => {
      const handler = this.#routes.get(path);
      if (handler === undefined) res.writeHead(404, { 'content-type': 'application/json' }).end('{}');
      else handler(req, res);
    };
    if (this.#held !== undefined) this.#held.push(answer);
    else answer();
  }
}

/** A document for `clientId` (RFC 7591 names), `private_key_jwt` by default. */
export function clientDocument(clientId: string, members: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    client_id: clientId,
    client_name: 'Example MCP client',
    token_endpoint_auth_method: 'private_key_jwt',
    ...members,
  };
}
