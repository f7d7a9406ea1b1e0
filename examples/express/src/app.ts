/**
 * The Express example: the shared routes, each behind `clientAuthentication()` for its endpoint.
 */

import type { ExampleServer } from '@client-auth/example-kit';
import { clientAuthentication } from '@client-auth/express';
import express, { type Express } from 'express';

export function createApp(server: ExampleServer): Express {
  const app = express();
  app.disable('x-powered-by');
  for (const route of server.routes) {
    const handlers: express.RequestHandler[] = [];
    if (route.endpoint !== undefined) {
      handlers.push(clientAuthentication(server.authenticator, { endpoint: route.endpoint }));
    }
    handlers.push(async (req, res, next) => {
      try {
        const response = await route.handle(req.client, req.body ?? {});
        // Node's writeHead: the headers are already final (res.set() would re-check each one).
        res.writeHead(response.status, response.headers).end(response.body);
      } catch (error) {
        next(error);
      }
    });
    if (route.method === 'GET') app.get(route.path, ...handlers);
    else app.post(route.path, ...handlers);
  }
  // Anything unexpected: a bare 500, never a stack trace.
  app.use((_error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(500).json({ error: 'server_error', error_description: 'internal error' });
  });
  return app;
}
