/**
 * The Koa example: one literal `@koa/router` route per endpoint of DESIGN §5, each behind
 * `clientAuthentication()` for its endpoint, and the two public documents. The adapter parses the
 * form body (`ctx.request.body`) and sets `ctx.state.client`; what an endpoint answers is
 * framework-free (`answers`, from @client-auth/example-kit), and each route writes that answer.
 */

import type { ExampleResponse, ExampleServer, FormBody } from '@client-auth/example-kit';
import { clientAuthentication } from '@client-auth/koa';
import Router from '@koa/router';
import Koa, { type Context } from 'koa';

/** The form body the adapter parsed (no body parser here: Koa's request declares no `body`). */
function form(ctx: Context): FormBody {
  return (ctx.request as { body?: FormBody }).body ?? {};
}

/** Write an endpoint's answer. */
function send(ctx: Context, answer: ExampleResponse): void {
  ctx.status = answer.status;
  ctx.set(answer.headers);
  ctx.body = answer.body;
}

export function createApp({ authenticator: auth, answers }: ExampleServer): Koa {
  const app = new Koa();
  // Anything unexpected: a bare 500, never a stack trace.
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch {
      ctx.status = 500;
      ctx.body = { error: 'server_error', error_description: 'internal error' };
    }
  });

  const router = new Router();
  router.post('/token', clientAuthentication(auth, { endpoint: 'token' }), async (ctx) => {
    send(ctx, await answers.token(ctx.state.client, form(ctx)));
  });
  router.post('/introspect', clientAuthentication(auth, { endpoint: 'introspection' }), async (ctx) => {
    send(ctx, await answers.introspect(ctx.state.client, form(ctx)));
  });
  router.post('/revoke', clientAuthentication(auth, { endpoint: 'revocation' }), async (ctx) => {
    send(ctx, await answers.revoke(ctx.state.client, form(ctx)));
  });
  router.post('/par', clientAuthentication(auth, { endpoint: 'pushed_authorization_request' }), (ctx) => {
    send(ctx, answers.pushedAuthorizationRequest());
  });
  router.post('/device_authorization', clientAuthentication(auth, { endpoint: 'device_authorization' }), (ctx) => {
    send(ctx, answers.deviceAuthorization());
  });
  router.post('/bc-authorize', clientAuthentication(auth, { endpoint: 'backchannel_authentication' }), (ctx) => {
    send(ctx, answers.backchannelAuthentication());
  });
  // draft-ietf-oauth-attestation-based-client-auth-10 §6.1: the challenge endpoint (ATTESTATION_ISSUERS).
  router.post('/challenge', (ctx) => {
    send(ctx, answers.attestationChallenge());
  });
  router.get('/.well-known/oauth-authorization-server', (ctx) => {
    send(ctx, answers.metadata());
  });
  router.get('/jwks', (ctx) => {
    send(ctx, answers.jwks());
  });

  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
