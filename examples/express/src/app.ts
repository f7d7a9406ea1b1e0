/**
 * The Express example: one literal route per endpoint of DESIGN §5, each behind
 * `clientAuthentication()` for its endpoint, and the two public documents. The adapter parses the
 * form body (`req.body`) and sets `req.client`; what an endpoint answers is framework-free
 * (`answers`, from @client-auth/example-kit), and each route writes that answer.
 */

import type { ExampleResponse, ExampleServer } from '@client-auth/example-kit';
import { clientAuthentication } from '@client-auth/express';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';

/** Write an endpoint's answer. Node's writeHead: the headers are final (res.set() would re-check each one). */
function send(res: Response, answer: ExampleResponse): void {
  res.writeHead(answer.status, answer.headers).end(answer.body);
}

export function createApp({ authenticator: auth, answers }: ExampleServer): Express {
  const app = express();
  app.disable('x-powered-by');

  app.post('/token', clientAuthentication(auth, { endpoint: 'token' }), async (req, res) => {
    send(res, await answers.token(req.client, req.body));
  });
  app.post('/introspect', clientAuthentication(auth, { endpoint: 'introspection' }), async (req, res) => {
    send(res, await answers.introspect(req.client, req.body));
  });
  app.post('/revoke', clientAuthentication(auth, { endpoint: 'revocation' }), async (req, res) => {
    send(res, await answers.revoke(req.client, req.body));
  });
  app.post('/par', clientAuthentication(auth, { endpoint: 'pushed_authorization_request' }), (_req, res) => {
    send(res, answers.pushedAuthorizationRequest());
  });
  app.post('/device_authorization', clientAuthentication(auth, { endpoint: 'device_authorization' }), (_req, res) => {
    send(res, answers.deviceAuthorization());
  });
  app.post('/bc-authorize', clientAuthentication(auth, { endpoint: 'backchannel_authentication' }), (_req, res) => {
    send(res, answers.backchannelAuthentication());
  });
  // draft-ietf-oauth-attestation-based-client-auth-10 §6.1: the challenge endpoint (ATTESTATION_ISSUERS).
  app.post('/challenge', (_req, res) => {
    send(res, answers.attestationChallenge());
  });
  app.get('/.well-known/oauth-authorization-server', (_req, res) => {
    send(res, answers.metadata());
  });
  app.get('/jwks', (_req, res) => {
    send(res, answers.jwks());
  });

  // Anything unexpected (Express 5 passes a rejected handler here too): a bare 500, never a stack trace.
  app.use((_error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    res.status(500).json({ error: 'server_error', error_description: 'internal error' });
  });
  return app;
}
