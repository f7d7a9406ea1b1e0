/**
 * `@client-auth/express`: Express 4 and 5 middleware around `@client-auth/core`. It translates the
 * request in and the result or error out; every rule lives in the core.
 */
import type { ClientAuthenticator, ClientAuthResult, ClientMetadata, EndpointName } from '@client-auth/core';
import { errorResponse, isOAuthError } from '@client-auth/core';
import { formToObject, normalizeAdapterOptions } from '@client-auth/core/adapter';
import { fromNodeRequest, type NodeBody } from '@client-auth/core/node';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

declare global {
  namespace Express {
    interface Request {
      /**
       * The authenticated client, set by `clientAuthentication()`. Replaces Node's deprecated
       * `IncomingMessage#client` alias of the socket on the routes that use the middleware.
       */
      client?: ClientAuthResult;
    }
  }
}

/** Options of {@link clientAuthentication}. */
export interface ClientAuthenticationOptions {
  /** The endpoint this route serves: decides allowed methods and accepted assertion audiences. */
  endpoint: EndpointName;
  /** Request property that receives the result. Default `'client'`. */
  property?: string;
  /**
   * `'respond'` (default): answer errors with the RFC 6749 §5.2 JSON response.
   * `'next'`: pass the `OAuthError` to `next(err)` for the app's error handler.
   */
  errors?: 'respond' | 'next';
  /** Largest form body read when no body parser ran, in octets. Default 65536. */
  bodyLimit?: number;
  /**
   * Milliseconds to wait for the whole form body this middleware reads itself (no body parser
   * ran). Past it: 408 `invalid_request` (`ERR_BODY_TIMEOUT`) with `Connection: close` (RFC 9110
   * §15.5.9). Default 10000.
   */
  bodyTimeout?: number;
}

/** Decide how the body reaches us: a body parser that ran (sets `req._body`) or the raw stream. */
function bodySource(req: Request): NodeBody {
  // body-parser 1 (Express 4) sets `_body`; body-parser 2 (Express 5) leaves the stream consumed.
  if ((req as Request & { _body?: boolean })._body === true || req.readableEnded) {
    return { kind: 'parsed', parsed: req.body };
  }
  return { kind: 'stream' };
}

/**
 * Create the middleware that authenticates the client of a route.
 *
 * @example
 * ```ts
 * import express from 'express'
 * import { createClientAuthenticator } from '@client-auth/core'
 * import { clientAuthentication } from '@client-auth/express'
 *
 * const auth = createClientAuthenticator({ issuer, getClient })
 * const app = express()
 * app.post('/token', clientAuthentication(auth, { endpoint: 'token' }), (req, res) => {
 *   res.json({ client_id: req.client?.clientId })
 * })
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3
 */
export function clientAuthentication<Client extends ClientMetadata = ClientMetadata>(
  authenticator: ClientAuthenticator<Client>,
  options: ClientAuthenticationOptions,
): RequestHandler {
  const {
    endpoint,
    name: property,
    errors,
    bodyLimit,
    bodyTimeout,
  } = normalizeAdapterOptions(authenticator, options, ['property', options?.property], ['next'] as const);

  function refuse(error: unknown, res: Response, next: NextFunction): void {
    if (errors === 'next' || !isOAuthError(error)) {
      next(error);
      return;
    }
    const response = errorResponse(error);
    res.status(response.status).set(response.headers).end(response.body);
  }

  // Not an async function: Express 5 would attach handlers to the promise it returns, per request.
  return function clientAuthenticationMiddleware(req: Request, res: Response, next: NextFunction): void {
    // Read TLS data from req.socket before `property` (by default `client`, Node's legacy socket
    // alias) is assigned.
    const source = bodySource(req);
    fromNodeRequest(req, { url: req.originalUrl, body: source, bodyLimit, bodyTimeout, secure: req.secure })
      .then((request) => {
        if (source.kind === 'stream' && req.body === undefined) req.body = formToObject(request.body);
        return authenticator.authenticate(request, { endpoint });
      })
      .then(
        (result) => {
          (req as unknown as Record<string, unknown>)[property] = result;
          next();
        },
        (error: unknown) => refuse(error, res, next),
      );
  };
}

export type { ClientAuthResult } from '@client-auth/core';
