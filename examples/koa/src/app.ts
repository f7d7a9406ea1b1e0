/**
 * The Koa example: the shared routes on an `@koa/router` router, each behind
 * `clientAuthentication()` for its endpoint.
 */

import type { ExampleServer } from '@client-auth/example-kit';
import { clientAuthentication } from '@client-auth/koa';
import Router from '@koa/router';
import Koa from 'koa';

export function createApp(server: ExampleServer): Koa {
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
  for (const route of server.routes) {
    const middleware: Koa.Middleware[] = [];
    if (route.endpoint !== undefined) {
      middleware.push(clientAuthentication(server.authenticator, { endpoint: route.endpoint }));
    }
    middleware.push(async (ctx) => {
      const body = (ctx.request as { body?: Record<string, unknown> }).body ?? {};
      const response = await route.handle(ctx.state.client, body);
      ctx.status = response.status;
      ctx.set(response.headers);
      ctx.body = response.body;
    });
    if (route.method === 'GET') router.get(route.path, ...middleware);
    else router.post(route.path, ...middleware);
  }
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
