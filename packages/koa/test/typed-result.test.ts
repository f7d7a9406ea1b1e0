/**
 * The types follow the configuration: the middleware after `clientAuthentication()` on a route
 * (`@koa/router`) or an app (`app.use(...).use(...)`) sees `ctx.state[property]` typed with the
 * authenticator's `Client`. The type lines are checked by `tsc -p tsconfig.test.json` (part of
 * `pnpm test`): each `@ts-expect-error` must be an error, and the positive lines must compile. The
 * requests check that the typed value is the one at run time.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ClientAuthResult, type ClientMetadata, createClientAuthenticator } from '@client-auth/core';
import Router from '@koa/router';
import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import { json } from '../../../test/helpers/http.js';
import { clientAuthentication } from '../src/index.js';

/** A host's own client record: registered metadata plus fields of its own. */
interface TenantClient extends ClientMetadata {
  tenant: string;
  scopes: readonly string[];
}

const clients = new Map<string, TenantClient>([
  ['pub', { client_id: 'pub', token_endpoint_auth_method: 'none', tenant: 'acme', scopes: ['read'] }],
]);
const auth = createClientAuthenticator({
  issuer: 'http://localhost',
  getClient: (id) => clients.get(id),
  allowInsecureTransport: true,
});

const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

async function post(app: { listen(port: number): Server }, path: string): Promise<unknown> {
  const server = app.listen(0);
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'client_id=pub&grant_type=client_credentials',
  });
  expect(response.status).toBe(200);
  return json(response);
}

describe('ctx.state carries the authenticator Client type (RFC 6749 §2.3: the client the route authenticated)', () => {
  it('types ctx.state.client with the custom Client fields in the router middleware after it', async () => {
    const router = new Router();
    router.post('/token', clientAuthentication(auth, { endpoint: 'token' }), (ctx) => {
      const tenant: string = ctx.state.client.client.tenant;
      const scopes: readonly string[] = ctx.state.client.client.scopes;
      // @ts-expect-error the tenant is a string, not a number
      const wrong: number = ctx.state.client.client.tenant;
      // The form the middleware read, for the handler (no body parser ran).
      const form = ctx.request.body as Record<string, string>;
      ctx.body = { tenant, scopes, wrong, grant: form.grant_type };
    });
    expect(await post(new Koa().use(router.routes()), '/token')).toEqual({
      tenant: 'acme',
      scopes: ['read'],
      wrong: 'acme',
      grant: 'client_credentials',
    });
  });

  it('types a renamed property, and, with a typed router state, only it', async () => {
    const router = new Router<{ requestId?: string }>();
    router.post('/token', clientAuthentication(auth, { endpoint: 'token', property: 'oauthClient' }), (ctx) => {
      const result: ClientAuthResult<TenantClient> = ctx.state.oauthClient;
      // @ts-expect-error renamed: nothing is under `client`
      void ctx.state.client;
      ctx.body = { tenant: result.client.tenant, unset: (ctx.state as Record<string, unknown>).client === undefined };
    });
    expect(await post(new Koa().use(router.routes()), '/token')).toEqual({ tenant: 'acme', unset: true });
  });

  it('types the state through a chain of app.use()', async () => {
    const app = new Koa().use(clientAuthentication(auth, { endpoint: 'token' })).use((ctx) => {
      ctx.body = { tenant: ctx.state.client.client.tenant satisfies string };
    });
    expect(await post(app, '/token')).toEqual({ tenant: 'acme' });
  });
});
