/**
 * @client-auth/koa on Koa 2 and 3: the adapter's own options and behaviour. The protocol rules are
 * in the shared case table (test/cases.ts), which also runs through this adapter.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClientAuthenticator, isOAuthError } from '@client-auth/core';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import type Koa from 'koa';
import Koa2 from 'koa2';
import Koa3 from 'koa3';
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

const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

async function listen(app: Koa): Promise<string> {
  const server = app.listen(0);
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function post(url: string, body: string, headers: Record<string, string> = FORM) {
  return fetch(url, { method: 'POST', headers, body });
}

describe('clientAuthentication() options', () => {
  it('are checked when the middleware is created (TypeError at setup)', () => {
    const bad: [unknown, unknown][] = [
      [undefined, { endpoint: 'token' }],
      [{}, { endpoint: 'token' }],
      [auth, undefined],
      [auth, { endpoint: 'authorize' }],
      [auth, { endpoint: 'token', property: '' }],
      [auth, { endpoint: 'token', errors: 'next' }],
      [auth, { endpoint: 'token', bodyLimit: 0 }],
      [auth, { endpoint: 'token', bodyLimit: 1.5 }],
    ];
    for (const [authenticator, options] of bad) {
      expect(() => clientAuthentication(authenticator as typeof auth, options as { endpoint: 'token' })).toThrow(
        TypeError,
      );
    }
  });

  it('returns a named middleware', () => {
    expect(clientAuthentication(auth, { endpoint: 'token' }).name).toBe('clientAuthenticationMiddleware');
  });
});

describe.each([
  ['Koa 2', Koa2 as unknown as typeof Koa],
  ['Koa 3', Koa3 as unknown as typeof Koa],
])('%s', (_name, KoaClass) => {
  it('sets ctx.state.client as @koa/router route middleware and leaves the form in ctx.request.body', async () => {
    const app = new KoaClass();
    const router = new Router();
    router.post('/token', clientAuthentication(auth, { endpoint: 'token' }), (ctx) => {
      ctx.body = { client: ctx.state.client?.clientId, form: (ctx.request as { body?: unknown }).body };
    });
    app.use(router.routes());
    const url = await listen(app);
    const response = await post(`${url}/token`, 'client_id=pub&grant_type=client_credentials&scope=a&scope=b');
    expect(response.status).toBe(200);
    expect(await json(response)).toEqual({
      client: 'pub',
      form: { client_id: 'pub', grant_type: 'client_credentials', scope: ['a', 'b'] },
    });
  });

  it('works as app middleware, and a body parser after it finds the body already read', async () => {
    const app = new KoaClass();
    app.use(clientAuthentication(auth, { endpoint: 'introspection' }));
    app.use(bodyParser());
    app.use((ctx) => {
      ctx.body = {
        client: ctx.state.client?.endpoint,
        token: (ctx.request as { body?: { token?: string } }).body?.token,
      };
    });
    const response = await post(await listen(app), 'client_id=conf&client_secret=conf-secret&token=t');
    expect(await json(response)).toEqual({ client: 'introspection', token: 't' });
  });

  it('puts the result under another ctx.state property when asked', async () => {
    const app = new KoaClass();
    app.use(clientAuthentication(auth, { endpoint: 'token', property: 'caller' }));
    app.use((ctx) => {
      ctx.body = {
        caller: (ctx.state as { caller?: { clientId: string } }).caller?.clientId,
        client: ctx.state.client,
      };
    });
    expect(await json(await post(await listen(app), 'client_id=pub'))).toEqual({ caller: 'pub' });
  });

  it('answers RFC 6749 JSON errors with no-store and a Basic challenge by default (RFC 6749 §5.2)', async () => {
    const app = new KoaClass();
    app.use(clientAuthentication(auth, { endpoint: 'token' }));
    app.use(() => {
      throw new Error('must not run');
    });
    const response = await post(await listen(app), 'client_id=conf&client_secret=wrong');
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('www-authenticate')).toBe('Basic realm="http://localhost"');
    expect(await json(response)).toEqual({
      error: 'invalid_client',
      error_description: 'client authentication failed',
    });
  });

  it("throws the OAuthError for the app's error handler when errors: 'throw'", async () => {
    const app = new KoaClass();
    const seen: string[] = [];
    app.use(async (ctx, next) => {
      try {
        await next();
      } catch (error) {
        if (!isOAuthError(error)) throw error;
        seen.push(error.code);
        ctx.status = 418;
        ctx.body = 'handled';
      }
    });
    app.use(clientAuthentication(auth, { endpoint: 'token', errors: 'throw' }));
    const response = await post(await listen(app), 'client_id=conf&client_secret=wrong');
    expect(response.status).toBe(418);
    expect(seen).toEqual(['ERR_SECRET_MISMATCH']);
  });

  it('caps a body it reads itself at bodyLimit (413 invalid_request)', async () => {
    const app = new KoaClass();
    app.use(clientAuthentication(auth, { endpoint: 'token', bodyLimit: 64 }));
    const response = await post(await listen(app), `client_id=pub&pad=${'x'.repeat(100)}`);
    expect(response.status).toBe(413);
    expect((await json(response)).error).toBe('invalid_request');
  });

  it('sees a repeated parameter through @koa/bodyparser, which keeps the raw body (RFC 6749 §3.2)', async () => {
    const app = new KoaClass();
    app.use(bodyParser());
    app.use(clientAuthentication(auth, { endpoint: 'token' }));
    const response = await post(await listen(app), 'client_id=conf&client_secret=conf-secret&client_secret=x');
    expect(response.status).toBe(400);
    expect(await json(response)).toMatchObject({ error: 'invalid_request' });
  });
});
