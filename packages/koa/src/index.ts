/**
 * `@client-auth/koa`: Koa 2 and 3 middleware around `@client-auth/core`. It translates the request
 * in and the result or error out; every rule lives in the core.
 */
import type { ClientAuthenticator, ClientAuthResult, ClientMetadata, EndpointName } from '@client-auth/core';
import { ATTESTATION_CHALLENGE_HEADER, errorResponse, isOAuthError } from '@client-auth/core';
import { type AdapterErrorMode, formToObject, normalizeAdapterOptions } from '@client-auth/core/adapter';
import { fromNodeRequest, type NodeBody } from '@client-auth/core/node';
import type { Context, Middleware, Next } from 'koa';

/**
 * What the middleware leaves in `ctx.state` for the middleware after it: the result under
 * `property` (default `'client'`), typed with the authenticator's `Client`.
 *
 * @example
 * ```ts
 * type TokenState = ClientAuthState<MyClient> // { client: ClientAuthResult<MyClient> }
 * ```
 */
export type ClientAuthState<Client extends ClientMetadata = ClientMetadata, Property extends string = 'client'> = {
  [Name in Property]: ClientAuthResult<Client>;
};

/**
 * What the middleware adds to the context: `ctx.request.body`, the form it read when no body
 * parser ran (a body parser's own value otherwise), for the route's handler.
 */
export interface ClientAuthContext {
  request?: { body?: unknown };
}

/**
 * The middleware `clientAuthentication()` returns: a Koa `Middleware` whose state is
 * {@link ClientAuthState}, so that `app.use()` and `@koa/router`'s `router.post(path, middleware,
 * handler)` type `ctx.state.client` in the middleware after it.
 */
export type ClientAuthenticationMiddleware<
  Client extends ClientMetadata = ClientMetadata,
  Property extends string = 'client',
> = Middleware<ClientAuthState<Client, Property>, ClientAuthContext>;

/** Options of {@link clientAuthentication}. */
export interface ClientAuthenticationOptions<Property extends string = 'client'> {
  /** The endpoint this route serves: decides allowed methods and accepted assertion audiences. */
  endpoint: EndpointName;
  /** `ctx.state` property that receives the result. Default `'client'`. */
  property?: Property;
  /**
   * `'respond'` (default): answer errors with the RFC 6749 §5.2 JSON response.
   * `'throw'`: throw the `OAuthError` for the app's error handler (serialise it with `errorResponse`).
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

/** The request fields body parsers add (`@koa/bodyparser`, `koa-body` with `includeUnparsed`). */
interface ParsedRequest {
  body?: unknown;
  rawBody?: unknown;
}

/**
 * Decide how the body reaches us. The raw text a parser kept is preferred: the parsed object of
 * `qs`-style parsers has merged repeated keys into arrays (or worse, objects), while the raw text
 * shows every duplicate. An unread stream is read here, with the cap.
 */
function bodySource(ctx: Context): NodeBody {
  const request = ctx.request as Context['request'] & ParsedRequest;
  const raw: unknown = request.rawBody;
  if (typeof raw === 'string' || raw instanceof Uint8Array) return { kind: 'raw', raw };
  if (!ctx.req.readableEnded) return { kind: 'stream' };
  return { kind: 'parsed', parsed: request.body };
}

/**
 * Create the middleware that authenticates the client of a route. Use it on an app or as route
 * middleware of `@koa/router`. The result goes to `ctx.state[property]` (default `client`), typed
 * with the authenticator's `Client` in the middleware after it on the route.
 *
 * @example
 * ```ts
 * import Koa from 'koa'
 * import Router from '@koa/router'
 * import { createClientAuthenticator } from '@client-auth/core'
 * import { clientAuthentication } from '@client-auth/koa'
 *
 * const auth = createClientAuthenticator({ issuer, getClient })
 * const router = new Router()
 * router.post('/token', clientAuthentication(auth, { endpoint: 'token' }), (ctx) => {
 *   ctx.body = { client_id: ctx.state.client.clientId }
 * })
 * new Koa().use(router.routes()).listen(3000)
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3
 */
export function clientAuthentication<
  Client extends ClientMetadata = ClientMetadata,
  Property extends string = 'client',
>(
  authenticator: ClientAuthenticator<Client>,
  options: ClientAuthenticationOptions<Property>,
  // NoInfer: `Client` and `Property` come from the arguments alone, not from the router's
  // expected middleware type, which would widen them (`Property` to `string`, losing the name).
): ClientAuthenticationMiddleware<NoInfer<Client>, NoInfer<Property>> {
  const {
    endpoint,
    name: property,
    errors,
    bodyLimit,
    bodyDeadline,
  } = normalizeAdapterOptions(authenticator, options, ['property', options?.property]);

  return async function clientAuthenticationMiddleware(ctx: Context, next: Next) {
    let result: ClientAuthResult<Client>;
    try {
      const source = bodySource(ctx);
      const request = await fromNodeRequest(ctx.req, {
        url: ctx.originalUrl,
        body: source,
        bodyLimit,
        bodyTimeout: bodyDeadline,
        secure: ctx.secure,
      });
      if (source.kind === 'stream')
        (ctx.request as Context['request'] & ParsedRequest).body = formToObject(request.body);
      result = await authenticator.authenticate(request, { endpoint });
    } catch (error) {
      if (errors === 'throw' || !isOAuthError(error)) throw error;
      const response = errorResponse(error);
      ctx.status = response.status;
      ctx.set(response.headers);
      ctx.body = response.body;
      return;
    }
    (ctx.state as Record<string, unknown>)[property] = result;
    // draft-ietf-oauth-attestation-based-client-auth-10 §6.2: the challenge for the next PoP.
    if (result.attestationChallenge !== undefined) ctx.set(ATTESTATION_CHALLENGE_HEADER, result.attestationChallenge);
    await next();
  };
}

export type { ClientAuthResult } from '@client-auth/core';
