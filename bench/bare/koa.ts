/**
 * Koa 3, bare against the adapter alone (issue 16): one middleware answering an authenticated
 * client with an empty 200, no router on either side. `bare` reads the body and checks the
 * client by hand (inline/checks.ts); `adapterAlone` puts `clientAuthentication()` before the same
 * answer.
 */
import type { RequestListener } from 'node:http';
import type { ClientMetadata } from '@client-auth/core';
import { clientAuthentication } from '@client-auth/koa';
import Koa from 'koa3';
import { BadRequest, errorOf, inlineAuth, isForm } from '../inline/checks.js';
import { benchAuthenticator, readParams } from './common.js';

function revoked(ctx: Koa.Context): void {
  ctx.status = 200;
  ctx.body = '';
}

export async function bare(clients: ClientMetadata[]): Promise<RequestListener> {
  const auth = await inlineAuth(clients);
  const app = new Koa();
  app.use(async (ctx) => {
    try {
      if (!isForm(ctx.get('content-type'))) throw new BadRequest('content type');
      await auth.authenticate(ctx.get('authorization') || undefined, await readParams(ctx.req));
      revoked(ctx);
    } catch (error) {
      const response = errorOf(error);
      ctx.status = response.status;
      ctx.set(response.headers);
      ctx.body = response.body;
    }
  });
  return app.callback();
}

export async function adapterAlone(clients: ClientMetadata[]): Promise<RequestListener> {
  const app = new Koa();
  app.use(clientAuthentication(benchAuthenticator(clients), { endpoint: 'revocation' }));
  app.use(revoked);
  return app.callback();
}
