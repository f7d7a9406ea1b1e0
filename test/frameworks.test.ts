/**
 * The case table (test/cases.ts) through every framework adapter: Express 4 and 5, Koa 2 and 3
 * (as @koa/router route middleware), Hono on @hono/node-server, each a real HTTP server on
 * loopback; plus the same frameworks behind a body parser that already ran (express.urlencoded,
 * @koa/bodyparser, koa-body) and with errors handed to the app's error handler.
 */
import { Readable } from 'node:stream';
import { type ClientAuthenticator, createClientAuthenticator, type FailureEvent } from '@client-auth/core';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASES, type CaseRequest, createFixture, type Fixture, PROFILE_NAMES, PROFILES } from './cases.js';
import { ENDPOINT_PATHS, type RunningServer, startServer, VARIANTS } from './servers.js';

let fixture: Fixture;
let authenticators: Record<string, ClientAuthenticator>;
const failures: FailureEvent[] = [];
const agent = new Agent({ connections: 4 });

beforeAll(async () => {
  fixture = await createFixture();
  const clients = new Map(fixture.clients.map((client) => [client.client_id, client]));
  authenticators = Object.fromEntries(
    PROFILE_NAMES.map((name) => [
      name,
      createClientAuthenticator({
        issuer: fixture.issuer,
        getClient: (id) => clients.get(id),
        onFailure: (event) => failures.push(event),
        ...PROFILES[name],
      }),
    ]),
  );
});
afterAll(() => agent.close());

async function send(server: RunningServer, path: string, req: CaseRequest) {
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
  const url = `${server.url}${path}${req.query === undefined ? '' : `?${req.query}`}`;
  const response = await request(url, { method: 'POST', headers, body, dispatcher: agent, reset: true });
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, text };
}

for (const variant of VARIANTS) {
  describe(`the case table through ${variant.name}`, () => {
    let server: RunningServer;
    beforeAll(async () => {
      server = await startServer(variant, authenticators);
    });
    afterAll(() => server.close());

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
        server.lastThrownCode = undefined;
        const response = await send(server, path, req);

        expect(response.status).toBe(expected.status);
        if (expected.status === 200) {
          expect(JSON.parse(response.text)).toEqual({
            client_id: expected.clientId,
            method: expected.method,
            endpoint: testCase.endpoint ?? 'token',
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
        // RFC 9110 §15.5.2: every 401 carries a challenge; RFC 6749 §2.3.1: Basic realm="<issuer>".
        if (expected.status === 401)
          expect(response.headers['www-authenticate']).toBe(`Basic realm="${fixture.issuer}"`);
        else expect(response.headers['www-authenticate']).toBeUndefined();
        // The stable code, wherever it is observable: the app's error handler sees every one;
        // onFailure sees those authenticate() refused.
        if (variant.errors === 'throw') expect(server.lastThrownCode).toBe(expected.code);
        else if (failures.length > 0) expect(failures[0]?.code).toBe(expected.code);
      });
    }
  });
}
