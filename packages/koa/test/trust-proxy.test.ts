/**
 * Koa `app.proxy` (issue 15 §1): with it, `ctx.secure` (the forwarded protocol Koa read) counts as
 * TLS for RFC 6749 §2.3.1; without it, the header is ignored, as Koa ignores it.
 */

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClientAuthenticator } from '@client-auth/core';
import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import { json } from '../../../test/helpers/http.js';
import { clientAuthentication } from '../src/index.js';

const auth = createClientAuthenticator({
  issuer: 'https://as.example.com',
  getClient: (id) =>
    id === 'conf'
      ? { client_id: 'conf', client_secret: 'conf-secret', token_endpoint_auth_method: 'client_secret_post' }
      : undefined,
});
const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

async function post(proxy: boolean, headers: Record<string, string>): Promise<Response> {
  const app = new Koa();
  app.proxy = proxy;
  app.use(clientAuthentication(auth, { endpoint: 'token' }));
  app.use((ctx) => {
    ctx.body = { client: ctx.state.client?.clientId };
  });
  const server = createServer(app.callback()).listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  return fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: 'client_id=conf&client_secret=conf-secret',
  });
}

describe('Koa behind a TLS-terminating proxy (RFC 6749 §2.3.1)', () => {
  it('honours ctx.secure under app.proxy = true', async () => {
    const response = await post(true, { 'x-forwarded-proto': 'https' });
    expect(response.status).toBe(200);
    expect(await json(response)).toEqual({ client: 'conf' });
  });

  it('ignores X-Forwarded-Proto without app.proxy', async () => {
    const response = await post(false, { 'x-forwarded-proto': 'https' });
    expect(response.status).toBe(400);
    expect((await json(response)).error).toBe('invalid_request');
  });
});
