/**
 * Koa, by hand: `/revoke` reading its own body, checking the client inline, then doing the
 * example's revocation work (the same TokenService).
 */
import type { RequestListener } from 'node:http';
import type { ClientMetadata } from '@client-auth/core';
import { TokenService } from '@client-auth/example-kit';
import Router from '@koa/router';
import Koa from 'koa3';
import { ISSUER } from '../fixtures.js';
import { BadRequest, errorOf, inlineAuth, isForm } from './checks.js';

export async function inlineKoa(clients: ClientMetadata[]): Promise<RequestListener> {
  const auth = await inlineAuth(clients);
  const tokens = await TokenService.create(ISSUER);
  const app = new Koa();
  // As the example: an error guard, then the example's routes on an @koa/router router, in its
  // order, so that routing costs both servers the same; only /revoke is measured.
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch {
      ctx.status = 500;
      ctx.body = { error: 'server_error', error_description: 'internal error' };
    }
  });
  const router = new Router();
  const other: Koa.Middleware = (ctx) => {
    ctx.status = 404;
  };
  router.post('/token', other);
  router.post('/introspect', other);
  router.post('/revoke', async (ctx) => {
    try {
      if (!isForm(ctx.get('content-type'))) throw new BadRequest('content type');
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of ctx.req) {
        size += (chunk as Buffer).length;
        if (size > 65536) throw new BadRequest('too large');
        chunks.push(chunk as Buffer);
      }
      const params = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const clientId = await auth.authenticate(ctx.get('authorization') || undefined, params);
      const token = params.get('token');
      if (token === null || token === '') throw new BadRequest('token');
      await tokens.revoke(token, clientId);
      ctx.status = 200;
      ctx.set('cache-control', 'no-store');
      ctx.body = '';
    } catch (error) {
      const response = errorOf(error);
      ctx.status = response.status;
      ctx.set(response.headers);
      ctx.body = response.body;
    }
  });
  for (const path of ['/par', '/device_authorization', '/bc-authorize']) router.post(path, other);
  for (const path of ['/.well-known/oauth-authorization-server', '/jwks']) router.get(path, other);
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app.callback();
}
