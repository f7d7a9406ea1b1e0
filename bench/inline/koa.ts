/**
 * Koa, by hand: `/revoke` reading its own body, checking the client inline, then doing the
 * example's revocation work (the same TokenService). The example's other paths exist too, so
 * that routing costs both servers the same. Used once examples/koa exists.
 */
import type { RequestListener } from 'node:http';
import type { ClientMetadata } from '@client-auth/core';
import { TokenService } from '@client-auth/example-kit';
import Koa from 'koa3';
import { ISSUER } from '../fixtures.js';
import { BadRequest, errorOf, inlineAuth, isForm } from './checks.js';

const OTHER_PATHS = new Set([
  '/token',
  '/introspect',
  '/par',
  '/device_authorization',
  '/bc-authorize',
  '/.well-known/oauth-authorization-server',
  '/jwks',
]);

export async function inlineKoa(clients: ClientMetadata[]): Promise<RequestListener> {
  const auth = await inlineAuth(clients);
  const tokens = await TokenService.create(ISSUER);
  const app = new Koa();
  app.use(async (ctx, next) => {
    if (ctx.method !== 'POST' || ctx.path !== '/revoke') {
      if (OTHER_PATHS.has(ctx.path)) ctx.status = 404;
      return next();
    }
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
  return app.callback();
}
