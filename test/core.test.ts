/**
 * The case table (test/cases.ts) against the core directly: the request view an adapter would
 * build, handed to `authenticate()`. Body parsing is the core's `parseFormBody`, as in every adapter.
 */
import { type ClientAuthenticator, errorResponse, type FailureEvent, isOAuthError, x5tS256 } from '@client-auth/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { CASES, caseToRequest, createAuthenticators, createFixture, type Fixture } from './cases.js';
import { ERROR_DESCRIPTION_CHARACTERS } from './helpers/rfc6749.js';

let fixture: Fixture;
let authenticators: Record<string, ClientAuthenticator>;
const failures: FailureEvent[] = [];

beforeAll(async () => {
  fixture = await createFixture();
  authenticators = createAuthenticators(fixture, { onFailure: (event) => failures.push(event) });
});

describe('the case table against the core', () => {
  for (const testCase of CASES) {
    if (testCase.only === 'http') continue;
    it(testCase.title, async () => {
      const request = typeof testCase.request === 'function' ? await testCase.request(fixture) : testCase.request;
      const authenticator = authenticators[testCase.profile ?? 'default'] as ClientAuthenticator;
      failures.length = 0;
      // Set once the request view is built: a body the parser refused never reaches authenticate().
      let reachedAuthenticate = false;
      let outcome: { status: number; error?: string; code?: string; clientId?: string; method?: string };
      let challenge: string | undefined;
      try {
        // Body parsing belongs to the core too (parseFormBody): its errors are outcomes like any other.
        const view = caseToRequest(request, fixture);
        reachedAuthenticate = true;
        const result = await authenticator.authenticate(view, { endpoint: testCase.endpoint ?? 'token' });
        outcome = { status: 200, clientId: result.clientId, method: result.method };
        // RFC 8705 §3.1: over mTLS the result carries the certificate's x5t#S256.
        expect(result.certificate?.thumbprint).toBe(
          view.certificate === undefined ? undefined : x5tS256(view.certificate.der),
        );
      } catch (error) {
        expect(isOAuthError(error), `not an OAuthError: ${error}`).toBe(true);
        const response = errorResponse(error);
        // RFC 6749 §5.2: error_description uses only %x20-21 / %x23-5B / %x5D-7E (no quote, no backslash).
        expect(JSON.parse(response.body).error_description).toMatch(ERROR_DESCRIPTION_CHARACTERS);
        challenge = response.headers['www-authenticate'];
        // draft-ietf-oauth-attestation-based-client-auth-10 §7.4: use_attestation_challenge "MUST be
        // accompanied by" a fresh OAuth-Client-Attestation-Challenge; nothing else carries one.
        expect(response.headers['oauth-client-attestation-challenge'] !== undefined).toBe(
          JSON.parse(response.body).error === 'use_attestation_challenge',
        );
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
      // The stable code reaches operators through onFailure: exactly one event for each refusal of
      // authenticate(), none for a body refused before it ran.
      if (outcome.status !== 200) {
        expect(failures.map((event) => event.code)).toEqual(reachedAuthenticate ? [testCase.expect.code] : []);
      }
    });
  }
});
