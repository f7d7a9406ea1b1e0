/**
 * `@client-auth/express`: Express 4 and 5 middleware around `@client-auth/core`. It translates the
 * request in and the result or error out; every rule lives in the core.
 */
import type { ClientAuthenticator, ClientAuthResult, ClientMetadata, EndpointName } from '@client-auth/core';
import { ATTESTATION_CHALLENGE_HEADER, errorResponse, isOAuthError } from '@client-auth/core';
import { type AdapterErrorMode, formToObject, normalizeAdapterOptions } from '@client-auth/core/adapter';
import { fromNodeRequest, type NodeBody } from '@client-auth/core/node';
import type { NextFunction, Request, Response } from 'express';

declare global {
  namespace Express {
    interface Request {
      /**
       * The authenticated client, set by `clientAuthentication()`. Replaces Node's deprecated
       * `IncomingMessage#client` alias of the socket on the routes that use the middleware. Typed
       * here with the base metadata and as optional, for every route: Express's route types cannot
       * carry a middleware's request property to the next handler. `res.locals.client` is the same
       * result, typed per route with the authenticator's `Client` (and a renamed `property`).
       */
      client?: ClientAuthResult;
    }
  }
}

/**
 * What the middleware leaves in `res.locals` for the handlers after it on the route: the result
 * under `property` (default `'client'`), typed with the authenticator's `Client`.
 *
 * @example
 * ```ts
 * type TokenLocals = ClientAuthLocals<MyClient> // { client: ClientAuthResult<MyClient> }
 * ```
 */
export type ClientAuthLocals<Client extends ClientMetadata = ClientMetadata, Property extends string = 'client'> = {
  [Name in Property]: ClientAuthResult<Client>;
};

/**
 * The middleware `clientAuthentication()` returns: an Express `RequestHandler` whose `res.locals`
 * is typed as {@link ClientAuthLocals}, so that the next handlers of `app.post(path, middleware,
 * handler)` see `res.locals.client` typed. It keeps a plain `RequestHandler` signature too, so it
 * still fits where one is expected (`const handlers: RequestHandler[]`). Also the type of a
 * handler, written apart from the route, that runs after it.
 *
 * @example
 * ```ts
 * const token: ClientAuthenticationHandler<MyClient> = (req, res) => {
 *   res.json({ tenant: res.locals.client.client.tenant })
 * }
 * app.post('/token', clientAuthentication(auth, { endpoint: 'token' }), token)
 * ```
 */
export interface ClientAuthenticationHandler<
  Client extends ClientMetadata = ClientMetadata,
  Property extends string = 'client',
> {
  (req: Request, res: Response, next: NextFunction): void;
  // TypeScript infers a route's type parameters from the last signature: this one.
  (
    req: RequestWithLocals<ClientAuthLocals<Client, Property>>,
    res: Response<ResponseBody, ClientAuthLocals<Client, Property>>,
    next: NextFunction,
  ): void;
}

/** Express's `Request` with its own defaults but for the locals. */
type RequestWithLocals<Locals extends Record<string, unknown>> =
  Request extends Request<infer Params, infer ResBody, infer ReqBody, infer ReqQuery>
    ? Request<Params, ResBody, ReqBody, ReqQuery, Locals>
    : never;

/** Express's default response body type. */
type ResponseBody = Response extends Response<infer Body> ? Body : never;

/** Options of {@link clientAuthentication}. */
export interface ClientAuthenticationOptions<Property extends string = 'client'> {
  /** The endpoint this route serves: decides allowed methods and accepted assertion audiences. */
  endpoint: EndpointName;
  /** Request property (`req[property]`, `res.locals[property]`) that receives the result. Default `'client'`. */
  property?: Property;
  /**
   * `'respond'` (default): answer errors with the RFC 6749 §5.2 JSON response.
   * `'throw'`: hand the `OAuthError` to Express's error handling (`next(err)`, where Express also
   * routes an error a handler throws) for the app's error handler to answer.
   */
  errors?: AdapterErrorMode;
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
 * Create the middleware that authenticates the client of a route. The result goes to
 * `req[property]` and `res.locals[property]` (default `client`); `res.locals` is typed per route
 * with the authenticator's `Client`.
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
 *   res.json({ client_id: res.locals.client.clientId })
 * })
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3
 */
export function clientAuthentication<
  Client extends ClientMetadata = ClientMetadata,
  Property extends string = 'client',
>(
  authenticator: ClientAuthenticator<Client>,
  options: ClientAuthenticationOptions<Property>,
  // NoInfer: `Client` and `Property` come from the arguments alone; inferred from the route's
  // expected handler type as well, they would widen (`Property` to `string`, losing the name).
): ClientAuthenticationHandler<NoInfer<Client>, NoInfer<Property>> {
  const {
    endpoint,
    name: property,
    errors,
    bodyLimit,
    bodyDeadline,
  } = normalizeAdapterOptions(authenticator, options, ['property', options?.property]);

  function refuse(error: unknown, res: Response, next: NextFunction): void {
    if (errors === 'throw' || !isOAuthError(error)) {
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
    fromNodeRequest(req, {
      url: req.originalUrl,
      body: source,
      bodyLimit,
      bodyTimeout: bodyDeadline,
      secure: req.secure,
    })
      .then((request) => {
        if (source.kind === 'stream' && req.body === undefined) req.body = formToObject(request.body);
        return authenticator.authenticate(request, { endpoint });
      })
      .then(
        (result) => {
          (req as unknown as Record<string, unknown>)[property] = result;
          res.locals[property] = result;
          // draft-ietf-oauth-attestation-based-client-auth-10 §6.2: the challenge for the next PoP.
          if (result.attestationChallenge !== undefined) {
            res.setHeader(ATTESTATION_CHALLENGE_HEADER, result.attestationChallenge);
          }
          next();
        },
        (error: unknown) => refuse(error, res, next),
      );
  };
}

export type { ClientAuthResult } from '@client-auth/core';
