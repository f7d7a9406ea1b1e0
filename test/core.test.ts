/**
 * The case table (test/cases.ts) against the core directly: the request view an adapter would
 * build, handed to `authenticate()`. Body parsing is the core's `parseFormBody`, as in every adapter.
 */
import { X509Certificate } from 'node:crypto';
import {
  type ClientAuthenticator,
  type ClientAuthRequest,
  createClientAuthenticator,
  errorResponse,
  type FailureEvent,
  isOAuthError,
  parseForm,
  parseFormBody,
  x5tS256,
} from '@client-auth/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { CASES, type CaseRequest, createFixture, type Fixture, PROFILE_NAMES, PROFILES } from './cases.js';

let fixture: Fixture;
let authenticators: Record<string, ClientAuthenticator>;
const failures: FailureEvent[] = [];

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

/** The neutral request view of a case, as an adapter on a plain-HTTP server builds it. */
function toRequest(request: CaseRequest): ClientAuthRequest {
  const headers: ClientAuthRequest['headers'] = {};
  for (const [name, value] of request.headers ?? []) {
    const key = name.toLowerCase();
    const previous = headers[key];
    headers[key] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
  }
  const contentType =
    request.body === undefined
      ? undefined
      : request.contentType === undefined
        ? 'application/x-www-form-urlencoded'
        : (request.contentType ?? undefined);
  if (contentType !== undefined) headers['content-type'] = contentType;
  const body =
    request.body === undefined
      ? Object.create(null)
      : parseFormBody(contentType, typeof request.body === 'string' ? Buffer.from(request.body) : request.body);
  const view: ClientAuthRequest = { headers, body, query: parseForm(request.query ?? ''), secure: false };
  if (request.tls !== undefined) {
    // What an adapter reads from a TLS socket whose server trusts fixture.tls.ca (`socket.authorized`).
    const leaf = new X509Certificate(request.tls.cert);
    const ca = new X509Certificate(fixture.tls.ca);
    const now = Date.now();
    const authorized =
      leaf.checkIssued(ca) &&
      leaf.verify(ca.publicKey) &&
      Date.parse(leaf.validFrom) <= now &&
      now <= Date.parse(leaf.validTo);
    view.secure = true;
    view.certificate = { der: new Uint8Array(leaf.raw), chainValidated: authorized, source: 'socket' };
  }
  return view;
}

describe('the case table against the core', () => {
  for (const testCase of CASES) {
    if (testCase.only === 'http') continue;
    it(testCase.title, async () => {
      const request = typeof testCase.request === 'function' ? await testCase.request(fixture) : testCase.request;
      const authenticator = authenticators[testCase.profile ?? 'default'] as ClientAuthenticator;
      failures.length = 0;
      let outcome: { status: number; error?: string; code?: string; clientId?: string; method?: string };
      let challenge: string | undefined;
      try {
        // Body parsing belongs to the core too (parseFormBody): its errors are outcomes like any other.
        const view = toRequest(request);
        const result = await authenticator.authenticate(view, { endpoint: testCase.endpoint ?? 'token' });
        outcome = { status: 200, clientId: result.clientId, method: result.method };
        // RFC 8705 §3.1: over mTLS the result carries the certificate's x5t#S256.
        expect(result.certificate?.thumbprint).toBe(
          view.certificate === undefined ? undefined : x5tS256(view.certificate.der),
        );
      } catch (error) {
        expect(isOAuthError(error), `not an OAuthError: ${error}`).toBe(true);
        const response = errorResponse(error);
        challenge = response.headers['www-authenticate'];
        expect(response.headers['cache-control']).toBe('no-store');
        outcome = {
          status: response.status,
          error: JSON.parse(response.body).error,
          code: (error as { code: string }).code,
        };
      }
      expect(outcome).toEqual(testCase.expect);
      // RFC 9110 §15.5.2: every 401 carries a challenge; after Basic it is Basic realm="<issuer>".
      if (outcome.status === 401) expect(challenge).toBe(`Basic realm="${fixture.issuer}"`);
      else expect(challenge).toBeUndefined();
      // The stable code reaches operators through onFailure whenever authenticate() refused.
      if (outcome.status !== 200 && failures.length > 0) expect(failures[0]?.code).toBe(testCase.expect.code);
    });
  }
});
