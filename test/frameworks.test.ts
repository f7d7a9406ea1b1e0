/**
 * The case table (test/cases.ts) through every framework adapter: Express 4 and 5, Koa 2 and 3
 * (as @koa/router route middleware), Hono on @hono/node-server, each a real HTTP server on
 * loopback; plus the same frameworks behind a body parser that already ran (express.urlencoded,
 * @koa/bodyparser, koa-body) and with errors handed to the app's error handler.
 */
import { X509Certificate } from 'node:crypto';
import { Readable } from 'node:stream';
import { type ClientAuthenticator, type FailureEvent, x5tS256 } from '@client-auth/core';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASES, type CaseRequest, createAuthenticators, createFixture, type Fixture } from './cases.js';
import { ERROR_DESCRIPTION_CHARACTERS } from './helpers/rfc6749.js';
import { ENDPOINT_PATHS, type RunningServer, startServer, VARIANTS } from './servers.js';

let fixture: Fixture;
let authenticators: Record<string, ClientAuthenticator>;
const failures: FailureEvent[] = [];
/** Calls of authenticate() since the test began: a body the adapter refused never reaches it. */
let authenticateCalls = 0;
const agent = new Agent({ connections: 4 });

beforeAll(async () => {
  fixture = await createFixture();
  const created = createAuthenticators(fixture, { onFailure: (event) => failures.push(event) });
  authenticators = Object.fromEntries(
    Object.entries(created).map(([name, authenticator]) => [
      name,
      {
        ...authenticator,
        authenticate: (request, options) => {
          authenticateCalls += 1;
          return authenticator.authenticate(request, options);
        },
      } satisfies ClientAuthenticator,
    ]),
  );
});
afterAll(async () => {
  await Promise.all([agent, ...tlsAgents.values()].map((made) => made.close()));
});

/** One undici Agent per client certificate, trusting the fixture CA. */
const tlsAgents = new Map<string, Agent>();
function tlsAgent(tls: { cert: string; key: string }): Agent {
  let made = tlsAgents.get(tls.cert);
  if (made === undefined) {
    made = new Agent({ connect: { ca: fixture.tls.ca, cert: tls.cert, key: tls.key } });
    tlsAgents.set(tls.cert, made);
  }
  return made;
}

async function send(server: RunningServer & { tls?: RunningServer }, path: string, req: CaseRequest) {
  const headers: string[] = [];
  for (const [name, value] of req.headers ?? []) headers.push(name, value);
  let body: Buffer | Readable | undefined;
  if (req.body !== undefined) {
    const contentType = req.contentType === undefined ? 'application/x-www-form-urlencoded' : req.contentType;
    if (contentType !== null) headers.push('content-type', contentType);
    const octets = Buffer.from(req.body);
    // Chunked: a stream has no length, so undici sends Transfer-Encoding: chunked.
    body = req.chunked
      ? Readable.from(
          (function* () {
            for (let i = 0; i < octets.length; i += 16 * 1024) yield octets.subarray(i, i + 16 * 1024);
          })(),
        )
      : octets;
  }
  // mTLS cases go to the variant's HTTPS server with the client certificate.
  const base = req.tls === undefined ? server.url : (server.tls as RunningServer).url;
  const url = `${base}${path}${req.query === undefined ? '' : `?${req.query}`}`;
  const dispatcher = req.tls === undefined ? agent : tlsAgent(req.tls);
  const response = await request(url, { method: 'POST', headers, body, dispatcher, reset: true });
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, text };
}

for (const variant of VARIANTS) {
  describe(`the case table through ${variant.name}`, () => {
    let server: RunningServer & { tls?: RunningServer };
    beforeAll(async () => {
      server = await startServer(variant, authenticators);
      // The same app over HTTPS, requesting client certificates, for the mTLS cases.
      server.tls = await startServer(variant, authenticators, { ...fixture.tls.server, ca: fixture.tls.ca });
    });
    afterAll(async () => {
      await Promise.all([server.close(), server.tls?.close()]);
    });

    for (const testCase of CASES) {
      it(testCase.title, async () => {
        const req = typeof testCase.request === 'function' ? await testCase.request(fixture) : testCase.request;
        const parsed =
          variant.parser === undefined
            ? undefined
            : testCase.whenParsed?.({ framework: variant.framework, parser: variant.parser });
        const expected = parsed ?? testCase.expect;
        const path = `/${testCase.profile ?? 'default'}/${ENDPOINT_PATHS[testCase.endpoint ?? 'token']}`;
        failures.length = 0;
        authenticateCalls = 0;
        // The server the request goes to: its HTTPS twin for mTLS cases.
        const target = req.tls === undefined ? server : (server.tls as RunningServer);
        target.lastThrownCode = undefined;
        const response = await send(server, path, req);

        expect(response.status).toBe(expected.status);
        if (expected.status === 200) {
          // draft-ietf-oauth-attestation-based-client-auth-10 §6.2: with challenges, each success
          // carries the challenge for the next PoP; nothing else carries one.
          expect(response.headers['oauth-client-attestation-challenge'] !== undefined).toBe(
            testCase.profile === 'attestation-challenge',
          );
          expect(JSON.parse(response.text)).toEqual({
            client_id: expected.clientId,
            method: expected.method,
            endpoint: testCase.endpoint ?? 'token',
            // RFC 8705 §3.1: the certificate's thumbprint reaches the result over mTLS.
            ...(req.tls === undefined ? {} : { 'x5t#S256': x5tS256(new X509Certificate(req.tls.cert).raw) }),
          });
          return;
        }
        // Never an accepted request: the route's success body is absent.
        expect(response.text).not.toMatch(/"method"/);
        if (expected.error === undefined) return;
        expect(response.headers['content-type']).toMatch(/^application\/json/);
        expect(response.headers['cache-control']).toBe('no-store');
        expect(response.headers.pragma).toBe('no-cache');
        expect(JSON.parse(response.text).error).toBe(expected.error);
        // draft-ietf-oauth-attestation-based-client-auth-10 §7.4: use_attestation_challenge comes
        // with a fresh OAuth-Client-Attestation-Challenge, which every adapter sends on.
        expect(response.headers['oauth-client-attestation-challenge'] !== undefined).toBe(
          expected.error === 'use_attestation_challenge',
        );
        // RFC 6749 §5.2: error_description uses only %x20-21 / %x23-5B / %x5D-7E (no quote, no backslash).
        expect(JSON.parse(response.text).error_description).toMatch(ERROR_DESCRIPTION_CHARACTERS);
        // RFC 9110 §15.5.2: every 401 carries a challenge; RFC 6749 §2.3.1: Basic realm="<issuer>".
        if (expected.status === 401)
          expect(response.headers['www-authenticate']).toBe(`Basic realm="${fixture.issuer}"`);
        else expect(response.headers['www-authenticate']).toBeUndefined();
        // The stable code, wherever it is observable: the app's error handler sees every one;
        // onFailure sees exactly one event for each request authenticate() refused, and none for a
        // body the adapter refused before calling it.
        if (variant.errors === 'throw') expect(target.lastThrownCode).toBe(expected.code);
        expect(authenticateCalls).toBeLessThanOrEqual(1);
        expect(failures.map((event) => event.code)).toEqual(authenticateCalls === 0 ? [] : [expected.code]);
      });
    }
  });
}
