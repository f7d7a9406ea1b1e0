import type { AddressInfo } from 'node:net';
import { createClientAuthenticator, isOAuthError } from '@client-auth/core';
import express4 from 'express4';
import express5 from 'express5';
import { afterEach, describe, expect, it } from 'vitest';
import { json } from '../../../test/helpers/http.js';
import { clientAuthentication } from '../src/index.js';

const clients = new Map([
  ['pub', { client_id: 'pub', token_endpoint_auth_method: 'none' }],
  ['conf', { client_id: 'conf', client_secret: 'conf-secret', token_endpoint_auth_method: 'client_secret_post' }],
]);
const auth = createClientAuthenticator({
  issuer: 'http://localhost',
  getClient: (id) => clients.get(id),
  allowInsecureTransport: true,
});
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

type AnyExpress = typeof express5;
const servers: { close(): void }[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

async function listen(app: ReturnType<AnyExpress>): Promise<string> {
  const server = app.listen(0);
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe.each([
  ['Express 4', express4 as unknown as AnyExpress],
  ['Express 5', express5],
])('%s', (_name, express) => {
  it.each([
    ['without a body parser', false],
    ['after express.urlencoded()', true],
  ])('authenticates %s and leaves the form in req.body', async (_title, parser) => {
    const app = express();
    if (parser) app.use(express.urlencoded({ extended: false }));
    app.post('/token', clientAuthentication(auth, { endpoint: 'token' }), (req, res) => {
      res.json({ client: req.client?.clientId, method: req.client?.method, grant: req.body.grant_type });
    });
    const url = await listen(app);
    const ok = await fetch(`${url}/token`, {
      method: 'POST',
      headers: FORM,
      body: 'client_id=conf&client_secret=conf-secret&grant_type=client_credentials',
    });
    expect(await json(ok)).toEqual({ client: 'conf', method: 'client_secret_post', grant: 'client_credentials' });
    // RFC 6749 §3.2: a repeated parameter is refused even when the parser merged it into an array.
    const repeated = await fetch(`${url}/token`, {
      method: 'POST',
      headers: FORM,
      body: 'client_id=pub&client_id=pub',
    });
    expect(repeated.status).toBe(400);
    expect((await json(repeated)).error).toBe('invalid_request');
  });

  it('refuses a qs-style nested parameter from the extended parser', async () => {
    const app = express();
    app.use(express.urlencoded({ extended: true }));
    app.post('/token', clientAuthentication(auth, { endpoint: 'token' }), (_req, res) => res.json({}));
    const url = await listen(app);
    const response = await fetch(`${url}/token`, { method: 'POST', headers: FORM, body: 'client_id[a]=pub' });
    expect(response.status).toBe(400);
  });

  it('refuses a JSON body already parsed by express.json()', async () => {
    const app = express();
    app.use(express.json());
    app.post('/token', clientAuthentication(auth, { endpoint: 'token' }), (_req, res) => res.json({}));
    const url = await listen(app);
    const response = await fetch(`${url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"client_id":"pub"}',
    });
    expect(response.status).toBe(400);
    expect((await json(response)).error).toBe('invalid_request');
  });

  it('sets another property when asked, leaving req.client alone', async () => {
    const app = express();
    app.post('/token', clientAuthentication(auth, { endpoint: 'token', property: 'oauthClient' }), (req, res) => {
      const own = (req as unknown as { oauthClient: { clientId: string } }).oauthClient;
      res.json({ client: own.clientId, legacy: req.client === undefined ? 'untouched' : 'other' });
    });
    const url = await listen(app);
    const response = await fetch(`${url}/token`, { method: 'POST', headers: FORM, body: 'client_id=pub' });
    expect((await json(response)).client).toBe('pub');
  });

  it("passes the OAuthError to next(err) with errors: 'throw' (the adapters' one name for the hand-off)", async () => {
    const app = express();
    app.post('/token', clientAuthentication(auth, { endpoint: 'token', errors: 'throw' }), (_req, res) => res.json({}));
    app.use((error: unknown, _req: unknown, res: { status(n: number): { json(b: unknown): void } }, _next: unknown) => {
      res.status(418).json({ seen: isOAuthError(error) ? error.code : 'other' });
    });
    const url = await listen(app);
    const response = await fetch(`${url}/token`, { method: 'POST', headers: FORM, body: 'client_id=nobody' });
    expect(response.status).toBe(418);
    expect(await json(response)).toEqual({ seen: 'ERR_CLIENT_NOT_FOUND' });
  });
});

describe('clientAuthentication() options are checked at once', () => {
  it.each([
    ['no authenticator', undefined, { endpoint: 'token' }],
    ['an unknown endpoint', auth, { endpoint: 'authorize' }],
    ['an empty property', auth, { endpoint: 'token', property: '' }],
    ["an unknown errors mode (the old 'next' spelling)", auth, { endpoint: 'token', errors: 'next' }],
    ['a negative body limit', auth, { endpoint: 'token', bodyLimit: -1 }],
  ])('throws TypeError for %s', (_title, authenticator, options) => {
    expect(() => clientAuthentication(authenticator as typeof auth, options as { endpoint: 'token' })).toThrow(
      TypeError,
    );
  });
});
