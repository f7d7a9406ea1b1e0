/**
 * `@client-auth/hono`: Hono 4 middleware around `@client-auth/core`, for `@hono/node-server` 1 and 2
 * (the TLS connection is `c.env.incoming.socket`, its `HttpBindings`) and other runtimes (pass
 * `getCertificate`). It translates the request in and the result or error out, through public API
 * only (`c.req`, `c.env.incoming`); every rule lives in the core.
 */
// Kept in the published declarations (preserve): they name node:* types, and TypeScript 6 and
// later no longer add @types/node to a program by default (`types: []`).
/// <reference types="node" preserve="true" />
import type { IncomingMessage } from 'node:http';
import type {
  ClientAuthenticator,
  ClientAuthResult,
  ClientMetadata,
  EndpointName,
  PresentedCertificate,
} from '@client-auth/core';
import { ATTESTATION_CHALLENGE_HEADER, errorResponse, isOAuthError } from '@client-auth/core';
import {
  type BodyDeadline,
  bodyTooLarge,
  checkFunction,
  fromWebRequest,
  normalizeAdapterOptions,
  readWebBody,
  withBodyDeadline,
} from '@client-auth/core/adapter';
import type { HttpBindings } from '@hono/node-server';
import type { Context, MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';

/**
 * The bindings `@hono/node-server` passes as `c.env`; absent under `app.request()`.
 * @deprecated Use `HttpBindings` from `@hono/node-server`.
 */
export interface NodeBindings {
  incoming?: IncomingMessage;
}

/**
 * The Hono environment the middleware declares: in the handlers after it, `c.get(variable)` is the
 * result, typed with the authenticator's `Client`. Routes without the middleware see no such
 * variable (no global `ContextVariableMap` entry, which would type it everywhere and collide
 * with an application's own `client`).
 */
export type ClientAuthEnv<Variable extends string = 'client', Client extends ClientMetadata = ClientMetadata> = {
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

/** `c.env.incoming` when `@hono/node-server` serves the request (its `HttpBindings`). */
function incomingOf(c: Context): IncomingMessage | undefined {
  const incoming = (c.env as Partial<HttpBindings> | undefined)?.incoming;
  // On other runtimes `c.env` holds the application's own bindings, which may use the name.
  return typeof incoming === 'object' && incoming !== null && Array.isArray(incoming.rawHeaders) ? incoming : undefined;
}

/**
 * The body octets, capped and within the deadline, read through `c.req` so that Hono keeps them
 * for the route (`c.req.arrayBuffer()`, `text()`, `json()`, `parseBody()` afterwards). Octets, not
 * `c.req.text()` (which reads invalid UTF-8 as U+FFFD), for the core's form parser, which keeps
 * every repeated key (`parseBody()` keeps only the last).
 */
function readBody(c: Context, limit: number, timeout: BodyDeadline): Promise<Uint8Array> {
  const declared = c.req.header('content-length');
  if (declared !== undefined && !c.req.raw.headers.has('transfer-encoding')) {
    // RFC 9112 §6.2: the length is known before a single octet is read.
    if (Number(declared) > limit) return Promise.reject(bodyTooLarge(limit));
    // Hono's own cache; on @hono/node-server 2 its Request reads the octets from Node directly.
    return withBodyDeadline(c.req.arrayBuffer(), timeout).then((buffer) => {
      if (buffer.byteLength > limit) throw bodyTooLarge(limit);
      return new Uint8Array(buffer);
    });
  }
  return readCountedBody(c, limit, timeout);
}

/**
 * A body of no declared length (chunked), counted while it is read. The route then gets a request
 * holding the octets read, as from Hono's own `bodyLimit()` middleware.
 */
async function readCountedBody(c: Context, limit: number, timeout: BodyDeadline): Promise<Uint8Array> {
  const raw = c.req.raw;
  if (raw.bodyUsed) {
    // A middleware read it through c.req already: Hono answers from its cache.
    const cached = new Uint8Array(await withBodyDeadline(c.req.arrayBuffer(), timeout));
    if (cached.length > limit) throw bodyTooLarge(limit);
    return cached;
  }
  if (raw.body === null) return new Uint8Array(0);
  const body = await readWebBody(raw, limit, timeout);
  c.req.raw = new Request(raw.url, { method: raw.method, headers: raw.headers, body, signal: raw.signal });
  return body;
}

/**
 * Create the middleware that authenticates the client of a route. In the handlers after it,
 * `c.get('client')` (or the name given as `variable`) is the result, typed through the returned
 * middleware's `Variables`.
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
  const normalized = normalizeAdapterOptions(
    authenticator,
    options,
    ['variable', options?.variable],
    ['getCertificate'],
  );
  const variable = normalized.name as Variable;
  const { endpoint, errors, bodyLimit, bodyDeadline } = normalized;
  const getCertificate = checkFunction(options.getCertificate, 'options.getCertificate');

  return async function clientAuthenticationMiddleware(c, next) {
    let result: ClientAuthResult<Client>;
    try {
      const body = await readBody(c, bodyLimit, bodyDeadline);
      const incoming = incomingOf(c);
      const request = await fromWebRequest(c.req.raw, {
        body: { kind: 'raw', raw: body },
        socket: incoming?.socket,
        rawHeaders: incoming?.rawHeaders,
        certificate: getCertificate === undefined ? undefined : (getCertificate(c) ?? null),
      });
      result = await authenticator.authenticate(request, { endpoint });
    } catch (error) {
      if (!isOAuthError(error)) throw error;
      const { status, headers, body } = errorResponse(error);
      const res = new Response(body, { status, headers });
      if (errors === 'throw') throw new HTTPException(status as 400, { res, cause: error });
      return res;
    }
    c.set(variable, result as ClientAuthEnv<Variable, Client>['Variables'][Variable]);
    // draft-ietf-oauth-attestation-based-client-auth-10 §6.2: the challenge for the next PoP.
    if (result.attestationChallenge !== undefined) c.header(ATTESTATION_CHALLENGE_HEADER, result.attestationChallenge);
    await next();
  };
}

export type { ClientAuthResult } from '@client-auth/core';
