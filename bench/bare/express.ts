/**
 * Express 5, bare against the adapter alone (issue 16): one `POST /revoke` route on an app with
 * nothing else, answering an authenticated client with an empty 200. `bare` reads the body
 * and checks the client by hand (inline/checks.ts: Basic decode + `timingSafeEqual`, or
 * `jose.jwtVerify` + a replay `Map`); `adapterAlone` puts `clientAuthentication()` before the
 * same answer.
 */
import type { RequestListener } from 'node:http';
import type { ClientMetadata } from '@client-auth/core';
import { clientAuthentication } from '@client-auth/express';
import express from 'express5';
import { BadRequest, errorOf, inlineAuth, isForm } from '../inline/checks.js';
import { benchAuthenticator, readParams } from './common.js';

function revoked(_req: express.Request, res: express.Response): void {
  res.writeHead(200).end();
}

export async function bare(clients: ClientMetadata[]): Promise<RequestListener> {
  const auth = await inlineAuth(clients);
  const app = express();
  app.disable('x-powered-by');
  app.post('/revoke', async (req, res) => {
    try {
      if (!isForm(req.headers['content-type'])) throw new BadRequest('content type');
      await auth.authenticate(req.headers.authorization, await readParams(req));
      revoked(req, res);
    } catch (error) {
      const response = errorOf(error);
      res.writeHead(response.status, response.headers).end(response.body);
    }
  });
  return app as unknown as RequestListener;
}

export async function adapterAlone(clients: ClientMetadata[]): Promise<RequestListener> {
  const app = express();
  app.disable('x-powered-by');
  app.post('/revoke', clientAuthentication(benchAuthenticator(clients), { endpoint: 'revocation' }), revoked);
  return app as unknown as RequestListener;
}
