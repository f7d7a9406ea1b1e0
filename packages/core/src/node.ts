/**
 * `@client-auth/core/node`: build the neutral {@link ClientAuthRequest} from a Node.js
 * `IncomingMessage`. Express, Koa and Hono on `@hono/node-server` all sit on one, so this is the
 * part of every adapter that would otherwise be written three times.
 */
// Kept in the published declarations (preserve): they name node:* types, and TypeScript 6 and
// later no longer add @types/node to a program by default (`types: []`).
/// <reference types="node" preserve="true" />
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { InvalidRequest } from './errors.js';
import {
  DEFAULT_BODY_LIMIT,
  DEFAULT_BODY_TIMEOUT,
  emptyParameters,
  formFromParsedBody,
  parseForm,
  parseFormBody,
} from './form.js';
import type { ClientAuthRequest, FormParameters, PresentedCertificate } from './types.js';

/** How the adapter found the body. */
export type NodeBody =
  /** No parser ran: read the stream (with the cap). */
  | { kind: 'stream' }
  /** A parser kept the raw text (Koa `rawBody`): parse it ourselves, seeing every duplicate. */
  | { kind: 'raw'; raw: string | Uint8Array }
  /** A parser ran and left only its object (arrays for repeated keys). */
  | { kind: 'parsed'; parsed: unknown };

export interface NodeRequestOptions {
  /** The request URL as received (Express: `req.originalUrl`), for the query string. */
  url?: string;
  body: NodeBody;
  /** Cap on a body read from the stream, in octets. Default 64 KiB. */
  bodyLimit?: number;
  /** Milliseconds to wait for the whole body read from the stream. Default 10 000. */
  bodyTimeout?: number;
  /**
   * The framework's own verdict on TLS, where the application told it which proxies to trust
   * (Express `req.secure` under `app.set('trust proxy', …)`, Koa `ctx.secure` under
   * `app.proxy = true`); without such a setting both equal the socket's. `true` counts as TLS
   * whatever the socket; anything else leaves the socket's verdict. Default: the socket's.
   */
  secure?: boolean;
}

/**
 * Request headers with lower-case names, as Node parsed them; a repeated `Authorization` (of which
 * Node keeps only the first) becomes an array of every value so that the core can refuse it. Node's
 * own object is used as it is when there is nothing to add (no copy per request).
 */
export function nodeHeaders(req: IncomingMessage): Record<string, string | string[] | undefined> {
  const raw = req.rawHeaders;
  let authorization: string[] | undefined;
  let first: string | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    // 'authorization'.length: the case-folding copy is made for candidates only.
    if (name.length !== 13 || name.toLowerCase() !== 'authorization') continue;
    const value = raw[i + 1] as string;
    if (first === undefined) first = value;
    else if (authorization === undefined) authorization = [first, value];
    else authorization.push(value);
  }
  if (authorization === undefined) return req.headers;
  return { ...req.headers, authorization };
}

/** The query parameters of a request URL, every value kept. Malformed escapes are refused. */
export function queryParameters(url: string | undefined): FormParameters {
  if (url === undefined) return emptyParameters();
  const question = url.indexOf('?');
  if (question === -1) return emptyParameters();
  const hash = url.indexOf('#', question);
  return parseForm(url.slice(question + 1, hash === -1 ? undefined : hash));
}

/** The peer certificate of a TLS connection, if the client sent one. */
export function socketCertificate(socket: IncomingMessage['socket']): PresentedCertificate | undefined {
  const tls = socket as Partial<TLSSocket>;
  if (tls.encrypted !== true || typeof tls.getPeerX509Certificate !== 'function') return undefined;
  const certificate = tls.getPeerX509Certificate();
  if (certificate === undefined) return undefined;
  const presented: PresentedCertificate = {
    der: new Uint8Array(certificate.raw),
    chainValidated: tls.authorized === true,
    source: 'socket',
  };
  // The intermediates the client sent, for validation against configured trust anchors.
  const chain: Uint8Array[] = [];
  let current = certificate;
  for (let issuer = current.issuerCertificate; issuer !== undefined && chain.length < 8; ) {
    if (issuer.raw.equals(current.raw)) break;
    chain.push(new Uint8Array(issuer.raw));
    current = issuer;
    issuer = current.issuerCertificate;
  }
  if (chain.length > 0) presented.chain = chain;
  return presented;
}

/** 413 `invalid_request`: the body is over the adapter's cap (every adapter answers with this one). */
export function bodyTooLarge(limit: number): InvalidRequest {
  return new InvalidRequest('ERR_BODY_TOO_LARGE', `the request body exceeds ${limit} octets`, { status: 413 });
}

/**
 * 408 `invalid_request`: the body did not arrive in time. RFC 9110 §15.5.9: the server "did not
 * receive a complete request message within the time that it was prepared to wait"; the rest of
 * the body may still be in transit, so the response carries `Connection: close` (errorResponse).
 */
export function bodyTimedOut(timeout: number): InvalidRequest {
  return new InvalidRequest('ERR_BODY_TIMEOUT', `the request body did not arrive within ${timeout} ms`, {
    status: 408,
  });
}

/**
 * Read a request body from its stream, refusing more than `limit` octets (413 `invalid_request`)
 * and a body not complete within `timeout` milliseconds (408 `invalid_request`): a client that
 * sends its headers and then dribbles its body, or never sends it, holds the request no longer.
 */
export function readBody(
  req: IncomingMessage,
  limit: number = DEFAULT_BODY_LIMIT,
  timeout: number = DEFAULT_BODY_TIMEOUT,
): Promise<Uint8Array> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(bodyTooLarge(limit));
  // Already consumed by someone else: nothing left to read (the adapter passes parsed bodies instead).
  if (req.readableEnded) return Promise.resolve(new Uint8Array(0));
  return new Promise((resolve, reject) => {
    // Listening to the events directly is cheaper than a `for await` over the request (Node's
    // stream async iterator cost ~5 % of a whole Express request). The listeners stay until the
    // request is gone (removing them cost more than leaving them; `settled` makes them inert), and
    // they are passed inline: a named closure costs a property definition per request when the
    // sources run through tsx (bench/README.md).
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    // The deadline covers the whole body, not the gaps between its chunks: an idle timeout would
    // be reset by every octet of a body dribbled one octet at a time.
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      reject(bodyTimedOut(timeout));
    }, timeout);
    req.on('data', (chunk: Buffer | string) => {
      if (settled) return;
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += buffer.length;
      if (size > limit) {
        settled = true;
        clearTimeout(timer);
        // Stop collecting and let the rest drain, so that the 413 can still be answered.
        req.resume();
        reject(bodyTooLarge(limit));
        return;
      }
      chunks.push(buffer);
    });
    req.on('end', () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
    });
    // No 'error' listener: Node emits an IncomingMessage's error only to listeners, and every
    // error destroys the request, which emits 'close' (one listener fewer per request).
    req.on('close', () => {
      if (settled) return;
      // Closed before `end`: the client went away in the middle of its body.
      settled = true;
      clearTimeout(timer);
      reject(Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
    });
  });
}

/**
 * Build the neutral request view from a Node.js request.
 *
 * @example
 * ```ts
 * const request = await fromNodeRequest(req, { url: req.originalUrl, body: { kind: 'stream' } })
 * const { client } = await auth.authenticate(request, { endpoint: 'token' })
 * ```
 */
export function fromNodeRequest(req: IncomingMessage, options: NodeRequestOptions): Promise<ClientAuthRequest> {
  const contentType = req.headers['content-type'];
  const source = options.body;
  if (source.kind === 'stream') {
    return readBody(req, options.bodyLimit, options.bodyTimeout).then((octets) =>
      neutralRequest(req, options, parseFormBody(contentType, octets)),
    );
  }
  try {
    const body =
      source.kind === 'raw' ? parseFormBody(contentType, source.raw) : formFromParsedBody(contentType, source.parsed);
    return Promise.resolve(neutralRequest(req, options, body));
  } catch (error) {
    return Promise.reject(error);
  }
}

function neutralRequest(req: IncomingMessage, options: NodeRequestOptions, body: FormParameters): ClientAuthRequest {
  const socket = req.socket;
  const request: ClientAuthRequest = {
    headers: nodeHeaders(req),
    body,
    query: queryParameters(options.url ?? req.url),
    secure: options.secure === true || (socket as Partial<TLSSocket>).encrypted === true,
  };
  const certificate = socketCertificate(socket);
  if (certificate !== undefined) request.certificate = certificate;
  if (socket.remoteAddress !== undefined) request.peerAddress = socket.remoteAddress;
  return request;
}
