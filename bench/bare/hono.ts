/**
 * Hono 4 on @hono/node-server (1 or 2, as the row asks), bare against the adapter alone (issue
 * 16): one `POST /revoke` route answering an authenticated client with an empty 200. `bare`
 * reads the body as `c.req.text()` + URLSearchParams and checks the client by hand
 * (inline/checks.ts); `adapterAlone` puts `clientAuthentication()` before the same answer.
 */
import type { RequestListener } from 'node:http';
import type { ClientMetadata } from '@client-auth/core';
import { clientAuthentication } from '@client-auth/hono';
import { type Context, Hono } from 'hono';
import { honoRequestListener } from '../hono-listener.js';
import { BadRequest, errorOf, inlineAuth, isForm } from '../inline/checks.js';
import { benchAuthenticator } from './common.js';

/** `c.body('')`: @hono/node-server answers a string body from its fast path (bench/README.md). */
function revoked(c: Context): Response {
  return c.body('', 200);
}

export async function bare(clients: ClientMetadata[], honoNodeServer?: 1 | 2): Promise<RequestListener> {
  const auth = await inlineAuth(clients);
  const app = new Hono();
  app.post('/revoke', async (c) => {
    try {
      if (!isForm(c.req.header('content-type'))) throw new BadRequest('content type');
      const text = await c.req.text();
      if (text.length > 65_536) throw new BadRequest('too large');
      await auth.authenticate(c.req.header('authorization'), new URLSearchParams(text));
      return revoked(c);
    } catch (error) {
      const response = errorOf(error);
      return c.body(response.body, response.status as 400 | 401, response.headers);
    }
  });
  return (await honoRequestListener(honoNodeServer))(app.fetch);
}

export async function adapterAlone(clients: ClientMetadata[], honoNodeServer?: 1 | 2): Promise<RequestListener> {
  const app = new Hono();
  app.post('/revoke', clientAuthentication(benchAuthenticator(clients), { endpoint: 'revocation' }), revoked);
  return (await honoRequestListener(honoNodeServer))(app.fetch);
}
