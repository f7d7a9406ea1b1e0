/**
 * Hono (on @hono/node-server 1 or 2, as the row asks), by hand: `/revoke` reading its body as `c.req.text()` +
 * URLSearchParams, checking the client inline, then doing the example's revocation work (the same
 * TokenService). The example's other paths exist too. Used once examples/hono exists.
 */
import type { RequestListener } from 'node:http';
import type { ClientMetadata } from '@client-auth/core';
import { TokenService } from '@client-auth/example-kit';
import { Hono } from 'hono';
import { ISSUER } from '../fixtures.js';
import { honoRequestListener } from '../hono-listener.js';
import { BadRequest, errorOf, inlineAuth, isForm } from './checks.js';

export async function inlineHono(clients: ClientMetadata[], honoNodeServer?: 1 | 2): Promise<RequestListener> {
  const auth = await inlineAuth(clients);
  const tokens = await TokenService.create(ISSUER);
  const app = new Hono();
  const other = () => new Response(null, { status: 404 });
  app.post('/token', other);
  app.post('/introspect', other);
  app.post('/revoke', async (c) => {
    try {
      if (!isForm(c.req.header('content-type'))) throw new BadRequest('content type');
      const text = await c.req.text();
      if (text.length > 65536) throw new BadRequest('too large');
      const params = new URLSearchParams(text);
      const clientId = await auth.authenticate(c.req.header('authorization'), params);
      const token = params.get('token');
      if (token === null || token === '') throw new BadRequest('token');
      await tokens.revoke(token, clientId);
      return c.body('', 200, { 'cache-control': 'no-store' });
    } catch (error) {
      const response = errorOf(error);
      return c.body(response.body, response.status as 400 | 401, response.headers);
    }
  });
  for (const path of ['/par', '/device_authorization', '/bc-authorize']) app.post(path, other);
  for (const path of ['/.well-known/oauth-authorization-server', '/jwks']) app.get(path, other);
  return (await honoRequestListener(honoNodeServer))(app.fetch);
}
