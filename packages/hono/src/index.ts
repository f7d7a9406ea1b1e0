/**
 * `@client-auth/hono`: Hono 4 middleware around `@client-auth/core`, for `@hono/node-server` (the
 * TLS peer certificate comes from `c.env.incoming.socket`). It translates the request in and the
 * result or error out; every rule lives in the core.
 */
// Kept in the published declarations (preserve): they name node:* types, and TypeScript 6 and
// later no longer add @types/node to a program by default (`types: []`).
/// <reference types="node" preserve="true" />
import type { IncomingMessage } from 'node:http';
import type {
  ClientAuthenticator,
  ClientAuthRequest,
  ClientAuthResult,
  ClientMetadata,
  EndpointName,
  PresentedCertificate,
} from '@client-auth/core';
import { errorResponse, isOAuthError } from '@client-auth/core';
import { checkFunction, normalizeAdapterOptions, parseFormBody } from '@client-auth/core/adapter';
import {
  bodyTimedOut,
  bodyTooLarge,
  nodeHeaders,
  queryParameters,
  readBody as readNodeBody,
  socketCertificate,
} from '@client-auth/core/node';
import type { Context, MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';

declare module 'hono' {
  interface ContextVariableMap {
    /** The authenticated client, set by `clientAuthentication()` (unless `options.variable` renames it). */
    client: ClientAuthResult;
  }
}

/** The bindings `@hono/node-server` passes as `c.env` (`HttpBindings`); absent under `app.request()`. */
export interface NodeBindings {
  incoming?: IncomingMessage;
}

/** The Hono environment this middleware declares: `c.get(variable)` is the result. */
export type ClientAuthEnv<Variable extends string = 'client', Client extends ClientMetadata = ClientMetadata> = {
  Bindings: NodeBindings;
  Variables: { [K in Variable]: ClientAuthResult<Client> };
};

/** Options of {@link clientAuthentication}. */
export interface ClientAuthenticationOptions<Variable extends string = 'client'> {
  /** The endpoint this route serves: decides allowed methods and accepted assertion audiences. */
  endpoint: EndpointName;
  /** Context variable that receives the result (`c.get(variable)`). Default `'client'`. */
  variable?: Variable;
  /**
   * `'respond'` (default): answer errors with the RFC 6749 §5.2 JSON response.
   * `'throw'`: throw an `HTTPException` whose `getResponse()` is that response and whose `cause`
   * is the `OAuthError`, for `app.onError`.
   */
  errors?: 'respond' | 'throw';
  /** Largest form body read, in octets. Default 65536. */
  bodyLimit?: number;
  /**
   * Milliseconds to wait for the whole form body. Past it: 408 `invalid_request`
   * (`ERR_BODY_TIMEOUT`) with `Connection: close` (RFC 9110 §15.5.9). Default 10000.
   */
  bodyTimeout?: number;
  /**
   * Where the TLS peer certificate comes from. Default: `c.env.incoming.socket` (`@hono/node-server`).
   * Set it on other runtimes, or under `app.request()`, where there is no socket.
   */
  getCertificate?: (c: Context) => PresentedCertificate | undefined;
}

function incomingOf(c: Context): IncomingMessage | undefined {
  const env = c.env as NodeBindings | undefined;
  const incoming = env?.incoming;
  return incoming !== undefined && typeof incoming === 'object' && Array.isArray(incoming.rawHeaders)
    ? incoming
    : undefined;
}

/**
 * Request headers with lower-case names. The Fetch `Headers` merge a repeated header with ", ", so
 * a repeated `Authorization` is taken from the Node request's raw headers when there is one.
 */
function requestHeaders(c: Context, incoming: IncomingMessage | undefined): ClientAuthRequest['headers'] {
  const headers: ClientAuthRequest['headers'] = {};
  c.req.raw.headers.forEach((value, name) => {
    headers[name] = value;
  });
  if (incoming !== undefined) {
    const authorization = nodeHeaders(incoming).authorization;
    if (Array.isArray(authorization)) headers.authorization = authorization;
  }
  return headers;
}

/** True when something already read the body through Hono (its body cache holds it). */
function hasCachedBody(c: Context): boolean {
  for (const _key in c.req.bodyCache) return true;
  return false;
}

/**
 * True when the body can be read straight from Node's request: `c.req.raw` is still
 * @hono/node-server's lightweight request for this very `incoming` (it holds it), no undici
 * `Request` has been made from it yet (that would own a stream of the body), and nothing has read
 * or cached the body. Anything else (another runtime, a middleware that replaced or read the
 * body) takes the standard path through `c.req`.
 */
function untouchedNodeBody(c: Context, incoming: IncomingMessage): boolean {
  if (incoming.readableDidRead || 'rawBody' in incoming || hasCachedBody(c)) return false;
  const raw = c.req.raw as unknown as Record<symbol, unknown>;
  let holdsIncoming = false;
  for (const symbol of Object.getOwnPropertySymbols(raw)) {
    const value = raw[symbol];
    if (value === incoming) holdsIncoming = true;
    else if (value instanceof Request) return false;
  }
  return holdsIncoming;
}

/**
 * Read the body from Node's request (what Express and Koa do) instead of through an undici
 * `Request` and a web stream, which cost @hono/node-server about two thirds of a small request's
 * CPU time (bench/README.md). Hono still gets the octets: in `c.req.bodyCache` for `c.req.text()`,
 * `arrayBuffer()`, `json()`, `parseBody()`, and as `incoming.rawBody`, from which @hono/node-server
 * builds `c.req.raw`'s body if it is asked for later.
 */
async function readFromNode(
  c: Context,
  incoming: IncomingMessage,
  limit: number,
  timeout: number,
): Promise<Uint8Array> {
  const octets = await readNodeBody(incoming, limit, timeout);
  const body = Buffer.isBuffer(octets) ? octets : Buffer.from(octets.buffer, octets.byteOffset, octets.length);
  (incoming as unknown as { rawBody: unknown }).rawBody = body;
  const copy = body.buffer.slice(body.byteOffset, body.byteOffset + body.length) as ArrayBuffer;
  // At run time Hono keeps promises in its body cache (its type says otherwise).
  (c.req.bodyCache as Record<string, unknown>).arrayBuffer = Promise.resolve(copy);
  return body;
}

/**
 * `read`, or 408 `ERR_BODY_TIMEOUT` once `timeout` ms have passed (then `onTimeout` runs, to stop
 * reading). The same deadline as the core's `readBody` on the Node path.
 */
function withDeadline<T>(read: Promise<T>, timeout: number, onTimeout: () => void): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(bodyTimedOut(timeout));
    }, timeout);
  });
  return Promise.race([read, expired]).finally(() => clearTimeout(timer));
}

/**
 * The body octets, capped and within the deadline. The bytes (not `c.req.text()`, which replaces
 * invalid UTF-8 with U+FFFD) go to the core's form parser, which keeps every repeated key (the
 * default `parseBody()` keeps only the last). Read through Hono's body cache, so the route can
 * still read the body.
 */
function readWebBody(c: Context, limit: number, timeout: number): Promise<Uint8Array> {
  const raw = c.req.raw;
  if (!hasCachedBody(c) && raw.body === null) return Promise.resolve(new Uint8Array(0));
  const stop = new AbortController();
  const read = readWebBodyUntil(c, limit, stop.signal);
  // Swallow the read's own failure once the deadline answered (it is cancelled then).
  read.catch(() => {});
  return withDeadline(read, timeout, () => stop.abort());
}

async function readWebBodyUntil(c: Context, limit: number, signal: AbortSignal): Promise<Uint8Array> {
  const raw = c.req.raw;
  if (!hasCachedBody(c)) {
    if (raw.body === null) return new Uint8Array(0);
    const length = raw.headers.get('content-length');
    if (length !== null && Number(length) > limit) throw bodyTooLarge(limit);
    if (length === null || raw.headers.has('transfer-encoding')) {
      // No declared length: read with the cap, then hand Hono a request holding the octets read,
      // as its own bodyLimit() middleware does.
      const reader = raw.body.getReader();
      signal.addEventListener('abort', () => void reader.cancel().catch(() => {}), { once: true });
      const chunks: Uint8Array[] = [];
      let size = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.length;
        if (size > limit) {
          await reader.cancel();
          throw bodyTooLarge(limit);
        }
        chunks.push(value);
      }
      const body = Buffer.concat(chunks, size);
      c.req.raw = new Request(raw, { body });
      return body;
    }
  }
  const body = new Uint8Array(await c.req.arrayBuffer());
  if (body.length > limit) throw bodyTooLarge(limit);
  return body;
}

/**
 * Create the middleware that authenticates the client of a route. `c.get('client')` is then the
 * result, typed through `ContextVariableMap` (and the `Variables` of the returned handler).
 *
 * @example
 * ```ts
 * import { Hono } from 'hono'
 * import { serve } from '@hono/node-server'
 * import { createClientAuthenticator } from '@client-auth/core'
 * import { clientAuthentication } from '@client-auth/hono'
 *
 * const auth = createClientAuthenticator({ issuer, getClient })
 * const app = new Hono()
 * app.post('/token', clientAuthentication(auth, { endpoint: 'token' }), (c) =>
 *   c.json({ client_id: c.get('client').clientId }),
 * )
 * serve({ fetch: app.fetch, port: 3000 })
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3
 */
export function clientAuthentication<
  Client extends ClientMetadata = ClientMetadata,
  Variable extends string = 'client',
>(
  authenticator: ClientAuthenticator<Client>,
  options: ClientAuthenticationOptions<Variable>,
): MiddlewareHandler<ClientAuthEnv<Variable, Client>> {
  const normalized = normalizeAdapterOptions(authenticator, options, ['variable', options?.variable], [
    'throw',
  ] as const);
  const variable = normalized.name as Variable;
  const { endpoint, errors, bodyLimit, bodyTimeout } = normalized;
  const getCertificate = checkFunction(options.getCertificate, 'options.getCertificate');

  return async function clientAuthenticationMiddleware(c, next) {
    let result: ClientAuthResult<Client>;
    try {
      const incoming = incomingOf(c);
      const socket = incoming?.socket;
      let headers: ClientAuthRequest['headers'];
      let body: ClientAuthRequest['body'];
      if (incoming !== undefined && untouchedNodeBody(c, incoming)) {
        // Straight from Node while @hono/node-server's request is untouched (no undici Headers either).
        headers = nodeHeaders(incoming);
        body = parseFormBody(incoming.headers['content-type'], await readFromNode(c, incoming, bodyLimit, bodyTimeout));
      } else {
        headers = requestHeaders(c, incoming);
        body = parseFormBody(c.req.header('content-type'), await readWebBody(c, bodyLimit, bodyTimeout));
      }
      const request: ClientAuthRequest = {
        headers,
        body,
        query: queryParameters(c.req.url),
        secure:
          socket !== undefined
            ? (socket as { encrypted?: boolean }).encrypted === true
            : c.req.url.startsWith('https:'),
      };
      const certificate = getCertificate !== undefined ? getCertificate(c) : socket && socketCertificate(socket);
      if (certificate !== undefined) request.certificate = certificate;
      if (socket?.remoteAddress !== undefined) request.peerAddress = socket.remoteAddress;
      result = await authenticator.authenticate(request, { endpoint });
    } catch (error) {
      if (!isOAuthError(error)) throw error;
      const { status, headers, body } = errorResponse(error);
      const res = new Response(body, { status, headers });
      if (errors === 'throw') throw new HTTPException(status as 400, { res, cause: error });
      return res;
    }
    c.set(variable, result as ClientAuthEnv<Variable, Client>['Variables'][Variable]);
    await next();
  };
}

export type { ClientAuthResult } from '@client-auth/core';
