/**
 * Express, by hand: `/revoke` reading its own body, checking the client inline, then doing the
 * example's revocation work (the same TokenService).
 */
import type { RequestListener } from 'node:http';
import type { ClientMetadata } from '@client-auth/core';
import { TokenService } from '@client-auth/example-kit';
import express from 'express5';
import { ISSUER } from '../fixtures.js';
import { BadRequest, errorOf, inlineAuth, isForm } from './checks.js';

export async function inlineExpress(clients: ClientMetadata[]): Promise<RequestListener> {
  const auth = await inlineAuth(clients);
  const tokens = await TokenService.create(ISSUER);
  const app = express();
  app.disable('x-powered-by');
  // The example's routes, in its order, so that Express's routing costs both servers the same:
  // only /revoke is measured.
  const other: express.RequestHandler = (_req, res) => {
    res.status(404).end();
  };
  app.post('/token', other);
  app.post('/introspect', other);
  app.post('/revoke', async (req, res) => {
    try {
      if (!isForm(req.headers['content-type'])) throw new BadRequest('content type');
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of req) {
        size += (chunk as Buffer).length;
        if (size > 65536) throw new BadRequest('too large');
        chunks.push(chunk as Buffer);
      }
      const params = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const clientId = await auth.authenticate(req.headers.authorization, params);
      const token = params.get('token');
      if (token === null || token === '') throw new BadRequest('token');
      await tokens.revoke(token, clientId);
      // Answered as the example answers (writeHead), so that only the client check differs.
      res.writeHead(200, { 'cache-control': 'no-store' }).end('');
    } catch (error) {
      const response = errorOf(error);
      res.status(response.status).set(response.headers).end(response.body);
    }
  });
  for (const path of ['/par', '/device_authorization', '/bc-authorize']) app.post(path, other);
  for (const path of ['/.well-known/oauth-authorization-server', '/jwks']) app.get(path, other);
  app.use((_error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(500).json({ error: 'server_error', error_description: 'internal error' });
  });
  return app as unknown as RequestListener;
}
