/**
 * Express `trust proxy` (issue 15 §1): where the application told Express which proxies to trust,
 * `req.secure` (the forwarded protocol Express read) counts as TLS for RFC 6749 §2.3.1; where it
 * did not, the header is ignored, as the framework ignores it.
 */
import type { AddressInfo } from 'node:net';
import { createClientAuthenticator } from '@client-auth/core';
import express4 from 'express4';
import express5 from 'express5';
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
const servers: { close(): void }[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

type AnyExpress = typeof express5;

async function post(app: ReturnType<AnyExpress>, headers: Record<string, string>): Promise<Response> {
  app.post('/token', clientAuthentication(auth, { endpoint: 'token' }), (req, res) => {
    res.json({ client: req.client?.clientId });
  });
  const server = app.listen(0);
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  return fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: 'client_id=conf&client_secret=conf-secret',
  });
}

describe.each([
  ['Express 4', express4 as unknown as AnyExpress],
  ['Express 5', express5],
])('%s behind a TLS-terminating proxy (RFC 6749 §2.3.1)', (_name, express) => {
  it("honours req.secure under app.set('trust proxy', 'loopback')", async () => {
    const app = express();
    app.set('trust proxy', 'loopback');
    const response = await post(app, { 'x-forwarded-proto': 'https' });
    expect(response.status).toBe(200);
    expect(await json(response)).toEqual({ client: 'conf' });
  });

  it('ignores X-Forwarded-Proto when Express was not told to trust the proxy', async () => {
    const response = await post(express(), { 'x-forwarded-proto': 'https' });
    expect(response.status).toBe(400);
    expect((await json(response)).error).toBe('invalid_request');
  });

  it("ignores it when 'trust proxy' names another address", async () => {
    const app = express();
    app.set('trust proxy', '192.0.2.1');
    expect((await post(app, { 'x-forwarded-proto': 'https' })).status).toBe(400);
  });
});
