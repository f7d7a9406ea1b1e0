/**
 * What the middleware's types promise (checked by `tsc -p tsconfig.test.json`, and compiled again
 * on its own by variables.test.ts): `c.get('client')` is typed in the handlers after the middleware,
 * from the returned handler's `Variables` (Hono's typed context variables), with the
 * authenticator's `Client` and under a renamed variable; a route without the middleware has no
 * such variable. Nothing here runs.
 */
import { type ClientMetadata, createClientAuthenticator } from '@client-auth/core';
import type { HttpBindings } from '@hono/node-server';
import { Hono } from 'hono';
import { expectTypeOf } from 'vitest';
import { type ClientAuthResult, clientAuthentication } from '../src/index.js';

/** A host's own client record: what its `getClient` returns. */
interface TenantClient extends ClientMetadata {
  tenant: string;
}

const auth = createClientAuthenticator({ issuer: 'https://as.example', getClient: () => undefined });
const tenantAuth = createClientAuthenticator<TenantClient>({
  issuer: 'https://as.example',
  getClient: () => undefined,
});

const app = new Hono();

// The result is typed in the handler after the middleware.
app.post('/token', clientAuthentication(auth, { endpoint: 'token' }), (c) => {
  expectTypeOf(c.get('client')).toEqualTypeOf<ClientAuthResult>();
  expectTypeOf(c.var.client.clientId).toEqualTypeOf<string>();
  return c.json({ client_id: c.get('client').clientId });
});

// The authenticator's Client reaches the handler.
app.post('/introspect', clientAuthentication(tenantAuth, { endpoint: 'introspection' }), (c) => {
  expectTypeOf(c.get('client')).toEqualTypeOf<ClientAuthResult<TenantClient>>();
  expectTypeOf(c.get('client').client.tenant).toEqualTypeOf<string>();
  return c.text(c.get('client').client.tenant);
});

// A renamed variable is the one typed; `client` is not set, so not typed either.
app.post('/revoke', clientAuthentication(tenantAuth, { endpoint: 'revocation', variable: 'oauthClient' }), (c) => {
  expectTypeOf(c.get('oauthClient')).toEqualTypeOf<ClientAuthResult<TenantClient>>();
  // @ts-expect-error: the middleware put the result under `oauthClient`
  c.get('client');
  return c.text(c.get('oauthClient').clientId);
});

// A route without the middleware has no `client` (a global ContextVariableMap entry typed it here).
app.post('/par', (c) => {
  // @ts-expect-error: no middleware on this route set `client`
  c.get('client');
  // @ts-expect-error: nor `c.var.client`
  c.var.client.clientId;
  return c.text('no client here');
});

// On @hono/node-server's bindings (`c.env.incoming`), both are typed side by side.
const node = new Hono<{ Bindings: HttpBindings }>();
node.post('/token', clientAuthentication(auth, { endpoint: 'token' }), (c) => {
  expectTypeOf(c.get('client')).toEqualTypeOf<ClientAuthResult>();
  return c.text(String(c.env.incoming.socket.remoteAddress));
});
