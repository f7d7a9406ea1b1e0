/**
 * The types follow the configuration: the handlers after `clientAuthentication()` on a route see
 * `res.locals[property]` typed with the authenticator's `Client`. The type lines are checked by
 * `tsc -p tsconfig.test.json` (part of `pnpm test`): each `@ts-expect-error` must be an error, and
 * the positive lines must compile. The requests check that the typed value is the one at run time.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ClientAuthResult, type ClientMetadata, createClientAuthenticator } from '@client-auth/core';
import express, { type RequestHandler } from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { json } from '../../../test/helpers/http.js';
import { type ClientAuthenticationHandler, type ClientAuthLocals, clientAuthentication } from '../src/index.js';

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
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

async function post(app: express.Express, path: string): Promise<unknown> {
  const server = app.listen(0);
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
  const response = await fetch(url, { method: 'POST', headers: FORM, body: 'client_id=pub' });
  expect(response.status).toBe(200);
  return json(response);
}

describe('res.locals carries the authenticator Client type (RFC 6749 §2.3: the client the route authenticated)', () => {
  it('types res.locals.client with the custom Client fields, and it is req.client at run time', async () => {
    const app = express();
    app.post('/token', clientAuthentication(auth, { endpoint: 'token' }), (req, res) => {
      const tenant: string = res.locals.client.client.tenant;
      const scopes: readonly string[] = res.locals.client.client.scopes;
      // @ts-expect-error the tenant is a string, not a number
      const wrong: number = res.locals.client.client.tenant;
      // @ts-expect-error the result is under `client`, not another name
      void res.locals.oauthClient;
      res.json({ tenant, scopes, wrong, same: res.locals.client === req.client });
    });
    expect(await post(app, '/token')).toEqual({ tenant: 'acme', scopes: ['read'], wrong: 'acme', same: true });
  });

  it('types a renamed property, and only it', async () => {
    const app = express();
    const router = express.Router();
    router.post('/token', clientAuthentication(auth, { endpoint: 'token', property: 'oauthClient' }), (req, res) => {
      const tenant: string = res.locals.oauthClient.client.tenant;
      // @ts-expect-error renamed: nothing is under `client`
      void res.locals.client;
      const own = (req as unknown as Record<string, unknown>).oauthClient;
      // Node's legacy `client` alias of the socket is left alone.
      res.json({ tenant, same: own === res.locals.oauthClient, legacy: (req.client as unknown) === req.socket });
    });
    app.use(router);
    expect(await post(app, '/token')).toEqual({ tenant: 'acme', same: true, legacy: true });
  });

  it('keeps the typing next to other middleware on the route (a body parser, a plain RequestHandler)', async () => {
    const app = express();
    const plain: RequestHandler = (_req, _res, next) => next();
    app.post(
      '/token',
      express.urlencoded({ extended: false }),
      plain,
      clientAuthentication(auth, { endpoint: 'token' }),
      plain,
      (req, res) => {
        const locals: ClientAuthLocals<TenantClient> = res.locals;
        const result: ClientAuthResult<TenantClient> = locals.client;
        res.json({ tenant: result.client.tenant, grant: req.body.client_id });
      },
    );
    expect(await post(app, '/token')).toEqual({ tenant: 'acme', grant: 'pub' });
  });

  it('names the locals type for handlers written apart from the route', async () => {
    const app = express();
    const token: ClientAuthenticationHandler<TenantClient> = (_req, res) => {
      res.json({ tenant: res.locals.client.client.tenant });
    };
    app.post('/token', clientAuthentication(auth, { endpoint: 'token' }), token);
    expect(await post(app, '/token')).toEqual({ tenant: 'acme' });
  });
});
