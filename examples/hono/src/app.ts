/**
 * The Hono example: one literal route per endpoint of DESIGN §5, each behind
 * `clientAuthentication()` for its endpoint, and the two public documents. The adapter sets
 * `c.get('client')`; what an endpoint answers is framework-free (`answers`, from
 * @client-auth/example-kit), and each route writes that answer.
 */

import { formToObject, parseForm } from '@client-auth/core/adapter';
import type { ExampleResponse, ExampleServer, FormBody } from '@client-auth/example-kit';
import { clientAuthentication } from '@client-auth/hono';
import { type Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

const utf8 = new TextDecoder();

/**
 * The form body of a route behind the adapter, which has read and validated it already. From
 * Hono's body cache under the adapter's own key (arrayBuffer): `text()` would make Hono build a new
 * Response around the cached octets on every request (~30 % of the request's CPU). Parsed with the
 * core's form parser, so that a repeated parameter stays visible (an array) and is refused.
 */
async function form(c: Context): Promise<FormBody> {
  return formToObject(parseForm(utf8.decode(await c.req.arrayBuffer())));
}

/**
 * Write an endpoint's answer. c.body() answers through @hono/node-server's fast path (a string
 * body, even empty); a Response built with a null body would be read back through a web stream
 * (bench/README.md). That path adds Content-Length to the headers object it is given: a copy, so
 * that the answers' shared headers stay as they are.
 */
function send(c: Context, answer: ExampleResponse): Response {
  return c.body(answer.body, answer.status as ContentfulStatusCode, { ...answer.headers });
}

export function createApp({ authenticator: auth, answers }: ExampleServer): Hono {
  const app = new Hono();

  app.post('/token', clientAuthentication(auth, { endpoint: 'token' }), async (c) =>
    send(c, await answers.token(c.get('client'), await form(c))),
  );
  app.post('/introspect', clientAuthentication(auth, { endpoint: 'introspection' }), async (c) =>
    send(c, await answers.introspect(c.get('client'), await form(c))),
  );
  app.post('/revoke', clientAuthentication(auth, { endpoint: 'revocation' }), async (c) =>
    send(c, await answers.revoke(c.get('client'), await form(c))),
  );
  app.post('/par', clientAuthentication(auth, { endpoint: 'pushed_authorization_request' }), (c) =>
    send(c, answers.pushedAuthorizationRequest()),
  );
  app.post('/device_authorization', clientAuthentication(auth, { endpoint: 'device_authorization' }), (c) =>
    send(c, answers.deviceAuthorization()),
  );
  app.post('/bc-authorize', clientAuthentication(auth, { endpoint: 'backchannel_authentication' }), (c) =>
    send(c, answers.backchannelAuthentication()),
  );
  // draft-ietf-oauth-attestation-based-client-auth-10 §6.1: the challenge endpoint (ATTESTATION_ISSUERS).
  app.post('/challenge', (c) => send(c, answers.attestationChallenge()));
  app.get('/.well-known/oauth-authorization-server', (c) => send(c, answers.metadata()));
  app.get('/jwks', (c) => send(c, answers.jwks()));

  // Anything unexpected: a bare 500, never a stack trace.
  app.onError((_error, c) => c.json({ error: 'server_error', error_description: 'internal error' }, 500));
  return app;
}
