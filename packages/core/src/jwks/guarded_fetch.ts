/**
 * The guarded fetch of the core: a URL in, a bounded body out. Every address the host name
 * resolves to, and the address the socket is actually connected to, must pass the SSRF guard
 * (ssrf_guard.ts) before a byte is sent; the fetch has a timeout (connection to last octet) and
 * a size cap, follows no redirect, and uses a fresh connection (a pooled socket could bypass the
 * guard). Not specific to JWK Sets: client ID metadata documents will be fetched through it too
 * (DESIGN §3). No state: everything it needs comes in `options`.
 */
// Kept in the published declarations (preserve): they name node:* types, and TypeScript 6 and
// later no longer add @types/node to a program by default (`types: []`).
/// <reference types="node" preserve="true" />
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction, connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { canonicalAddress } from '../ip/address.js';
import { GuardRefused, type SsrfGuard } from './ssrf_guard.js';

/**
 * A caller's fetch function (WHATWG `fetch` shape). When given, the SSRF guard runs on the
 * addresses the host name resolves to *before* the call, and the fetch resolves the name again
 * itself: a name that answers differently the second time (DNS rebinding) escapes the guard. The
 * built-in fetcher resolves once, connects only to addresses that passed, and checks the address
 * the socket is connected to before sending a byte: prefer it unless you need a proxy.
 *
 * @example
 * ```ts
 * import { fetch, ProxyAgent } from 'undici'
 * const dispatcher = new ProxyAgent('http://egress-proxy.internal:3128')
 * createClientAuthenticator({
 *   issuer,
 *   getClient,
 *   jwks: { fetch: (url, init) => fetch(url, { ...init, dispatcher }) as unknown as Promise<Response> },
 * })
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-2
 */
export type JwksFetch = (
  url: string,
  init: { signal: AbortSignal; headers: Record<string, string>; redirect: 'manual' },
) => Promise<Response>;

/** How a guarded fetch is made; normalised once at setup. */
export interface GuardedFetchOptions {
  /** The caller's fetch, or undefined for the built-in `node:http(s)` fetcher. */
  fetch: JwksFetch | undefined;
  /** Host name resolution (`dns.lookup` shape); every address it answers must pass the guard. */
  lookup: LookupFunction;
  guard: SsrfGuard;
  /** Milliseconds a fetch may take, connection to last octet. */
  timeout: number;
  /** Largest response body, in octets. */
  maxBytes: number;
}

/** What a guarded fetch returns: the status, the freshness and media type headers, and the body (UTF-8). */
export interface FetchedDocument {
  status: number;
  cacheControl: string | undefined;
  /** The `Content-Type` header, as sent. */
  contentType: string | undefined;
  body: string;
}

/** A response body over the size cap (by its `Content-Length`, or counted while reading). */
export class ResponseTooLarge extends Error {
  constructor() {
    super('response exceeds the size cap');
    this.name = 'ResponseTooLarge';
  }
}

/** The default resolver of the guarded fetch. */
export const defaultLookup: LookupFunction = dnsLookup;

type LookupCallback = (error: Error | null, address: string | LookupAddress[], family?: number) => void;

/** What a resolver answered, as a list (a resolver may answer one address even when asked for all). */
function answerList(address: string | LookupAddress[] | undefined, family: number | undefined): LookupAddress[] {
  if (Array.isArray(address)) return address;
  if (typeof address !== 'string') return [];
  return [{ address, family: family ?? isIP(address) }];
}

/**
 * A `lookup` for `net.connect` that resolves every address of the name, refuses the fetch unless
 * each one passes the guard (happy eyeballs, `autoSelectFamily`, tries them all), and records the
 * ones that passed in `passed`: the connected socket must be on one of them.
 */
function guardedLookup(options: GuardedFetchOptions, url: URL, passed: Set<string>) {
  return (hostname: string, lookupOptions: { all?: boolean }, callback: LookupCallback): void => {
    options.lookup(hostname, { ...lookupOptions, all: true }, (error, address, family) => {
      if (error) return callback(error, '');
      const answers = answerList(address, family);
      const allowed: LookupAddress[] = [];
      for (const entry of answers) {
        const canonical = options.guard.allowedAddress(url, entry.address);
        if (canonical === undefined) return callback(new GuardRefused(entry.address), '');
        passed.add(canonical);
        allowed.push({ address: entry.address, family: isIP(entry.address) });
      }
      const first = allowed[0];
      if (first === undefined) return callback(new GuardRefused(hostname), '');
      if (lookupOptions.all === true) return callback(null, allowed);
      return callback(null, first.address, first.family);
    });
  };
}

/** The host part of a URL as a bare IP literal, or undefined for a name. */
function literalAddress(url: URL): string | undefined {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return isIP(host) === 0 ? undefined : host;
}

type ConnectionCallback = (error: Error | null, socket?: Socket) => void;

/**
 * `createConnection` for `node:http(s)`: a fresh TCP connection per fetch (a pooled socket could
 * bypass the guard) through {@link guardedLookup}; once connected, its `remoteAddress` must be one
 * that passed, or the socket is destroyed before a byte (request or TLS ClientHello) is written.
 * TLS runs on top only then, with the URL's host name for SNI and certificate checks.
 */
function guardedConnection(options: GuardedFetchOptions, url: URL, signal: AbortSignal) {
  return (_requestOptions: unknown, done: ConnectionCallback): undefined => {
    const passed = new Set<string>();
    const literal = literalAddress(url);
    if (literal !== undefined) {
      const canonical = options.guard.allowedAddress(url, literal);
      if (canonical === undefined) {
        done(new GuardRefused(literal));
        return undefined;
      }
      passed.add(canonical);
    }
    const secure = url.protocol === 'https:';
    const host = literal ?? url.hostname;
    const port = Number(url.port || (secure ? 443 : 80));
    const tcp = netConnect({ host, port, signal, lookup: guardedLookup(options, url, passed) as never });
    const onError = (error: Error) => done(error);
    tcp.once('error', onError);
    tcp.once('connect', () => {
      const remote = canonicalAddress(tcp.remoteAddress ?? '');
      if (remote === undefined || !passed.has(remote)) {
        tcp.destroy();
        done(new GuardRefused(tcp.remoteAddress ?? 'an unknown address'));
        return;
      }
      tcp.off('error', onError);
      if (!secure) {
        done(null, tcp);
        return;
      }
      const tls = tlsConnect({
        socket: tcp,
        host,
        ...(literal === undefined ? { servername: url.hostname } : {}),
        ALPNProtocols: ['http/1.1'],
      });
      tcp.on('error', (error) => tls.destroy(error));
      done(null, tls);
    });
    return undefined;
  };
}

/** Read at most `maxBytes` of a Node response. */
function readNodeBody(response: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        response.destroy(new ResponseTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    response.on('error', reject);
    response.on('aborted', () => reject(new Error('response aborted')));
  });
}

/** The built-in fetcher: `node:http(s)`, the guard applied to the address actually connected to. */
function builtInFetch(
  options: GuardedFetchOptions,
  url: URL,
  signal: AbortSignal,
  headers: Record<string, string>,
): Promise<FetchedDocument> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<FetchedDocument>((resolve, reject) => {
    const request = send(
      url,
      {
        method: 'GET',
        headers,
        signal,
        // No agent: the connection is made (and guarded) for this fetch only.
        createConnection: guardedConnection(options, url, signal) as never,
      },
      (response) => {
        const length = Number(response.headers['content-length']);
        if (Number.isFinite(length) && length > options.maxBytes) {
          response.destroy();
          reject(new ResponseTooLarge());
          return;
        }
        readNodeBody(response, options.maxBytes).then(
          (body) =>
            resolve({
              status: response.statusCode ?? 0,
              cacheControl: response.headers['cache-control'],
              contentType: response.headers['content-type'],
              body,
            }),
          reject,
        );
      },
    );
    request.on('error', reject);
    request.end();
  });
}

/** A caller-supplied fetch: guard the resolved addresses first, then read with the size cap. */
async function customFetch(
  options: GuardedFetchOptions,
  fetch: JwksFetch,
  url: URL,
  signal: AbortSignal,
  headers: Record<string, string>,
): Promise<FetchedDocument> {
  const literal = literalAddress(url);
  const addresses =
    literal !== undefined
      ? [{ address: literal, family: isIP(literal) }]
      : await new Promise<LookupAddress[]>((resolve, reject) =>
          options.lookup(url.hostname, { all: true }, (error, found, family) =>
            error ? reject(error) : resolve(answerList(found, family)),
          ),
        );
  if (addresses.length === 0) throw new GuardRefused(url.hostname);
  for (const { address } of addresses) {
    if (options.guard.allowedAddress(url, address) === undefined) throw new GuardRefused(address);
  }
  const response = await fetch(url.href, {
    signal,
    headers,
    redirect: 'manual',
  });
  const length = Number(response.headers.get('content-length'));
  if (Number.isFinite(length) && length > options.maxBytes) {
    await response.body?.cancel();
    throw new ResponseTooLarge();
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (response.body !== null) {
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > options.maxBytes) {
        await reader.cancel();
        throw new ResponseTooLarge();
      }
      chunks.push(value);
    }
  }
  return {
    status: response.status,
    cacheControl: response.headers.get('cache-control') ?? undefined,
    contentType: response.headers.get('content-type') ?? undefined,
    body: Buffer.concat(chunks).toString('utf8'),
  };
}

/**
 * Fetch `url` (GET, `accept` as the Accept header) through the SSRF guard, within the timeout and
 * the size cap. Rejects on a refusal ({@link GuardRefused}, see `isGuardRefusal`), a timeout, an
 * oversized body ({@link ResponseTooLarge}) or a network error; any HTTP status resolves (the caller judges it).
 *
 * @example
 * ```ts
 * const document = await guardedFetch(options, new URL('https://client.example/jwks'), 'application/json')
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6890#section-2.2.2
 */
export function guardedFetch(options: GuardedFetchOptions, url: URL, accept: string): Promise<FetchedDocument> {
  const signal = AbortSignal.timeout(options.timeout);
  const headers = { accept };
  return options.fetch === undefined
    ? builtInFetch(options, url, signal, headers)
    : customFetch(options, options.fetch, url, signal, headers);
}
