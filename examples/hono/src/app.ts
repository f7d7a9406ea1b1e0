/**
 * The Hono example: the shared routes, each behind `clientAuthentication()` for its endpoint.
 */

import { formToObject, parseForm } from '@client-auth/core/adapter';
import type { ExampleServer } from '@client-auth/example-kit';
import { clientAuthentication } from '@client-auth/hono';
import { Hono, type MiddlewareHandler } from 'hono';

const utf8 = new TextDecoder();

export function createApp(server: ExampleServer): Hono {
  const app = new Hono();
  for (const route of server.routes) {
    const handlers: MiddlewareHandler[] = [];
    if (route.endpoint !== undefined) {
      handlers.push(clientAuthentication(server.authenticator, { endpoint: route.endpoint }));
    }
    handlers.push(async (c) => {
      // The adapter already read (and validated) the body: the route reads it from Hono's cache.
      // The same key as the adapter's (arrayBuffer): asking for `text()` instead would make Hono
      // build a new Response around the cached octets on every request (~30 % of the request's CPU).
      const body = route.method === 'POST' ? formToObject(parseForm(utf8.decode(await c.req.arrayBuffer()))) : {};
      const response = await route.handle(c.get('client'), body);
      // c.body() answers through @hono/node-server's fast path (a string body, even empty); a
      // Response built with a null body would be read back through a web stream (bench/README.md).
      return c.body(response.body, response.status as 200, response.headers);
    });
    // Handlers registered one by one on the same route run in order, as one chain.
    for (const handler of handlers) app.on(route.method, route.path, handler);
  }
  // Anything unexpected: a bare 500, never a stack trace.
  app.onError((_error, c) => c.json({ error: 'server_error', error_description: 'internal error' }, 500));
  return app;
}
