/**
 * Failure reasons reach operators, credentials never do: every refusal of the case table
 * (test/cases.ts) plus a set of assertion and secret failures runs against the core with
 * `onFailure`/`onAuthenticated` hooks and OpenTelemetry (`openTelemetry()`, the real SDK, each
 * call inside an active span), and then every error message, `error_description`, serialised
 * error response, inspected error (with its causes), event, and exported metric and span
 * attribute is searched for the secrets, assertions and key material used. None may appear
 * (DESIGN.md; ERROR-CODES.md).
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import {
  type AuthenticatedEvent,
  type ClientAuthRequest,
  type ClientMetadata,
  createClientAuthenticator,
  type EndpointName,
  errorResponse,
  type FailureEvent,
  isOAuthError,
  JWT_BEARER_ASSERTION_TYPE,
  MAX_ASSERTION_LENGTH,
  memoryFailureLimiter,
} from '@client-auth/core';
import { METRIC_AUTHENTICATIONS, openTelemetry } from '@client-auth/core/opentelemetry';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASES, caseToRequest, createAuthenticators, createFixture, type Fixture } from './cases.js';
import { exportedTexts, telemetryHarness, useAsyncContext } from './helpers/telemetry.js';

const ISSUER = 'https://as.example.test';
const HMAC_SECRET = `hmac-${randomUUID()}-${randomUUID()}`;
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
const publicJwk = { ...(publicKey.export({ format: 'jwk' }) as { kty: string }), kid: 'k1' };
const privateD = (privateKey.export({ format: 'jwk' }) as { d: string }).d;

const ASSERTION_CLIENTS: ClientMetadata[] = [
  { client_id: 'cs-jwt', client_secret: HMAC_SECRET, token_endpoint_auth_method: 'client_secret_jwt' },
  { client_id: 'pk-jwt', jwks: { keys: [publicJwk] }, token_endpoint_auth_method: 'private_key_jwt' },
];

/** A PEM's material: the whole text, its base64 on one line, and each base64 line of it. */
function addPem(pem: string): void {
  addSensitive(pem);
  const lines = pem.split('\n').filter((line) => line !== '' && !line.startsWith('-----'));
  addSensitive(lines.join(''));
  for (const line of lines) if (line.length >= 32) addSensitive(line);
}

const now = () => Math.floor(Date.now() / 1000);
function claims(clientId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const base: Record<string, unknown> = {
    iss: clientId,
    sub: clientId,
    aud: ISSUER,
    jti: randomUUID(),
    iat: now(),
    exp: now() + 60,
  };
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete base[name];
    else base[name] = value;
  }
  return base;
}
const hs = (payload: Record<string, unknown>, secret = HMAC_SECRET, header: Record<string, unknown> = {}) =>
  new SignJWT(payload).setProtectedHeader({ alg: 'HS256', ...header }).sign(new TextEncoder().encode(secret));
const es = (payload: Record<string, unknown>, key = privateKey, header: Record<string, unknown> = {}) =>
  new SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid: 'k1', ...header }).sign(key);
const seg = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function assertionRequest(assertion: string, extra: Record<string, string> = {}): ClientAuthRequest {
  const body: Record<string, string[]> = Object.create(null);
  body.client_assertion = [assertion];
  body.client_assertion_type = [JWT_BEARER_ASSERTION_TYPE];
  for (const [name, value] of Object.entries(extra)) body[name] = [value];
  return { headers: {}, body, secure: true };
}

/** Assertion (and secret) failures beyond the case table, each with the code it must produce. */
async function assertionCases(): Promise<[string, ClientAuthRequest, string][]> {
  const replayed = await hs(claims('cs-jwt'));
  const valid = await es(claims('pk-jwt'));
  return [
    ['valid client_secret_jwt (first use)', assertionRequest(replayed), 'ok'],
    ['replayed client_secret_jwt', assertionRequest(replayed), 'ERR_ASSERTION_REPLAYED'],
    ['valid private_key_jwt', assertionRequest(valid), 'ok'],
    [
      'HMAC with a wrong secret',
      assertionRequest(await hs(claims('cs-jwt'), `${HMAC_SECRET}-wrong`)),
      'ERR_ASSERTION_SIGNATURE_INVALID',
    ],
    [
      'ES256 by a stranger key',
      assertionRequest(await es(claims('pk-jwt'), stranger)),
      'ERR_ASSERTION_SIGNATURE_INVALID',
    ],
    [
      'unknown kid',
      assertionRequest(await es(claims('pk-jwt'), privateKey, { kid: 'nope' })),
      'ERR_ASSERTION_KEY_NOT_FOUND',
    ],
    [
      'expired',
      assertionRequest(await hs(claims('cs-jwt', { iat: now() - 600, exp: now() - 300 }))),
      'ERR_ASSERTION_EXPIRED',
    ],
    ['exp missing', assertionRequest(await hs(claims('cs-jwt', { exp: undefined }))), 'ERR_ASSERTION_EXP_MISSING'],
    [
      'iat in the future',
      assertionRequest(await hs(claims('cs-jwt', { iat: now() + 600, exp: now() + 900 }))),
      'ERR_ASSERTION_IAT_IN_FUTURE',
    ],
    [
      'nbf in the future',
      assertionRequest(await hs(claims('cs-jwt', { nbf: now() + 600 }))),
      'ERR_ASSERTION_NOT_YET_VALID',
    ],
    [
      'lifetime too long',
      assertionRequest(await hs(claims('cs-jwt', { exp: now() + 7200 }))),
      'ERR_ASSERTION_LIFETIME_TOO_LONG',
    ],
    [
      'aud mismatch',
      assertionRequest(await hs(claims('cs-jwt', { aud: 'https://evil.example' }))),
      'ERR_ASSERTION_AUD_MISMATCH',
    ],
    ['iss mismatch', assertionRequest(await hs(claims('cs-jwt', { iss: 'pk-jwt' }))), 'ERR_ASSERTION_ISS_MISMATCH'],
    ['jti missing', assertionRequest(await hs(claims('cs-jwt', { jti: undefined }))), 'ERR_ASSERTION_JTI_MISSING'],
    [
      'typ of another token',
      assertionRequest(await hs(claims('cs-jwt'), HMAC_SECRET, { typ: 'at+jwt' })),
      'ERR_ASSERTION_TYP_INVALID',
    ],
    [
      'crit extension',
      assertionRequest(await hs(claims('cs-jwt'), HMAC_SECRET, { crit: ['b64'], b64: true })),
      'ERR_ASSERTION_CRIT_UNSUPPORTED',
    ],
    [
      'alg none',
      assertionRequest(`${seg({ alg: 'none' })}.${seg(claims('cs-jwt'))}.${seg('x')}`),
      'ERR_ASSERTION_ALG_NOT_ALLOWED',
    ],
    ['HS256 for private_key_jwt', assertionRequest(await hs(claims('pk-jwt'))), 'ERR_ASSERTION_ALG_NOT_ALLOWED'],
    [
      'header not JSON',
      assertionRequest(
        `${Buffer.from(`{"alg":"HS256",${HMAC_SECRET}`).toString('base64url')}.${seg(claims('cs-jwt'))}.c2ln`,
      ),
      'ERR_ASSERTION_HEADER_INVALID',
    ],
    [
      'payload not JSON',
      assertionRequest(
        `${seg({ alg: 'HS256' })}.${Buffer.from(`{"sub":"cs-jwt",${HMAC_SECRET}`).toString('base64url')}.c2ln`,
      ),
      'ERR_ASSERTION_MALFORMED',
    ],
    ['too large', assertionRequest(`${replayed}${'A'.repeat(MAX_ASSERTION_LENGTH)}`), 'ERR_ASSERTION_TOO_LARGE'],
    ['two JWTs', assertionRequest(`${replayed}.${replayed}`), 'ERR_ASSERTION_MALFORMED'],
    [
      'body client_id differs',
      assertionRequest(await es(claims('cs-jwt')), { client_id: 'pk-jwt' }),
      'ERR_CLIENT_ID_MISMATCH',
    ],
    [
      'wrong assertion type',
      {
        ...assertionRequest(await hs(claims('cs-jwt'))),
        body: { client_assertion: [await hs(claims('cs-jwt'))], client_assertion_type: ['urn:x'] },
      },
      'ERR_ASSERTION_TYPE_UNSUPPORTED',
    ],
    [
      'secret sent to a client_secret_jwt client',
      { headers: {}, body: { client_id: ['cs-jwt'], client_secret: [HMAC_SECRET] }, secure: true },
      'ERR_METHOD_MISMATCH',
    ],
    [
      'HMAC secret guessed for the wrong client',
      { headers: {}, body: { client_id: ['post-client'], client_secret: [HMAC_SECRET] }, secure: true },
      'ERR_SECRET_MISMATCH',
    ],
  ];
}

interface Observed {
  label: string;
  texts: string[];
}

let fixture: Fixture;
const observed: Observed[] = [];
const harness = telemetryHarness();
const restoreContext = useAsyncContext();
afterAll(async () => {
  restoreContext();
  await harness.shutdown();
});
const sensitive = new Set<string>([HMAC_SECRET, privateD]);

function addSensitive(value: string | undefined): void {
  // Short values ("x") would match unrelated text: every fixture secret is longer than this.
  if (value !== undefined && value.length >= 6) sensitive.add(value);
}

function collectFromRequest(request: ClientAuthRequest): void {
  for (const name of ['client_secret', 'client_assertion'])
    for (const value of request.body[name] ?? []) addSensitive(value);
  for (const assertion of request.body.client_assertion ?? []) {
    const parts = assertion.split('.');
    if (parts.length === 3) addSensitive(parts[2]);
  }
  // draft-ietf-oauth-attestation-based-client-auth-10 §4, §5.1: the attestation and its PoP.
  for (const name of ['oauth-client-attestation', 'oauth-client-attestation-pop']) {
    const value = request.headers[name];
    for (const jwt of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
      addSensitive(jwt);
      const parts = jwt.split('.');
      if (parts.length === 3) addSensitive(parts[2]);
    }
  }
  const authorization = request.headers.authorization;
  for (const header of Array.isArray(authorization)
    ? authorization
    : authorization === undefined
      ? []
      : [authorization]) {
    addSensitive(header);
    const token = header.replace(/^\S+\s+/, '');
    addSensitive(token);
    const decoded = Buffer.from(token, 'base64').toString('utf8');
    if (decoded.includes(':')) addSensitive(decoded.slice(decoded.indexOf(':') + 1));
  }
}

beforeAll(async () => {
  fixture = await createFixture();
  addPem(fixture.tls.server.key);
  for (const pair of Object.values(fixture.tls.clients)) {
    addPem(pair.key);
    addPem(pair.cert);
  }
  for (const client of fixture.clients) {
    addSensitive(client.client_secret);
    for (const entry of client.client_secrets ?? []) addSensitive('value' in entry ? entry.value : entry.hash);
  }
  const clients = new Map([...fixture.clients, ...ASSERTION_CLIENTS].map((client) => [client.client_id, client]));
  const failures: FailureEvent[] = [];
  const successes: AuthenticatedEvent[] = [];
  const telemetry = openTelemetry({ meterProvider: harness.meterProvider });
  const authenticators = createAuthenticators(
    { ...fixture, clients: [...fixture.clients, ...ASSERTION_CLIENTS] },
    {
      onFailure: (event) => failures.push(event),
      onAuthenticated: (event) => successes.push(event),
      failureLimiter: memoryFailureLimiter({ maxFailures: 1_000 }),
      telemetry,
    },
  );
  const assertionAuth = createClientAuthenticator({
    issuer: ISSUER,
    getClient: (id) => clients.get(id),
    onFailure: (event) => failures.push(event),
    onAuthenticated: (event) => successes.push(event),
    failureLimiter: memoryFailureLimiter({ maxFailures: 1_000 }),
    telemetry,
  });

  async function run(
    label: string,
    build: () => ClientAuthRequest | Promise<ClientAuthRequest>,
    expected?: string,
    auth = assertionAuth,
    endpoint: EndpointName = 'token',
  ) {
    failures.length = 0;
    successes.length = 0;
    let request: ClientAuthRequest;
    try {
      request = await build();
    } catch (error) {
      // The body parser refused it before authenticate(): no event, but its error is searched too.
      expect(isOAuthError(error), `${label}: ${error}`).toBe(true);
      observed.push({ label, texts: texts(error) });
      return;
    }
    collectFromRequest(request);
    const counted = await harness.total(METRIC_AUTHENTICATIONS);
    try {
      // Inside an active span, as behind an HTTP server instrumentation: its attributes are searched too.
      const result = await harness.inSpan(label, () => auth.authenticate(request, { endpoint }));
      if (expected !== undefined) expect(expected, label).toBe('ok');
      // The event carries audience: 'compatible' exactly when the result does (an assertion accepted only under it).
      const audience = result.audience === undefined ? {} : { audience: result.audience };
      expect(successes, label).toEqual([{ clientId: result.clientId, method: result.method, endpoint, ...audience }]);
      expect(failures, label).toEqual([]);
      observed.push({ label, texts: successes.map((event) => JSON.stringify(event)) });
    } catch (error) {
      expect(isOAuthError(error), `${label}: ${error}`).toBe(true);
      const oauth = error as { code: string; error: string; status: number };
      if (expected !== undefined) expect(oauth.code, label).toBe(expected);
      // Every refusal fires exactly one onFailure event carrying its code, error and status.
      expect(failures, label).toHaveLength(1);
      expect(failures[0], label).toMatchObject({
        code: oauth.code,
        error: oauth.error,
        status: oauth.status,
        endpoint,
      });
      expect(successes, label).toEqual([]);
      observed.push({ label, texts: [...texts(error), ...failures.map((event) => JSON.stringify(event))] });
    } finally {
      // Exactly one increment of the authentication counter per authenticate() call, whatever its outcome.
      expect(await harness.total(METRIC_AUTHENTICATIONS), label).toBe(counted + 1);
    }
  }

  for (const testCase of CASES) {
    if (testCase.only === 'http') continue;
    await run(
      testCase.title,
      async () =>
        caseToRequest(
          typeof testCase.request === 'function' ? await testCase.request(fixture) : testCase.request,
          fixture,
        ),
      testCase.expect.status === 200 ? 'ok' : testCase.expect.code,
      authenticators[testCase.profile ?? 'default'],
      testCase.endpoint ?? 'token',
    );
  }
  for (const [label, request, code] of await assertionCases()) await run(label, () => request, code);
  observed.push({ label: 'OpenTelemetry metrics and spans', texts: await exportedTexts(harness) });
});

function texts(error: unknown): string[] {
  const e = error as Error & { error_description?: string };
  return [
    e.message,
    String(e.error_description),
    String(e),
    JSON.stringify(e),
    JSON.stringify(errorResponse(e)),
    inspect(e, { depth: 10 }),
  ];
}

describe('no credential in any error or event (RFC 6749 §5.2 descriptions; operators get codes)', () => {
  it('ran every case of the table and the assertion/secret cases, each firing exactly one event', () => {
    expect(observed.length).toBeGreaterThanOrEqual(CASES.filter((c) => c.only !== 'http').length + 26);
    expect(harness.spans().length).toBeGreaterThanOrEqual(CASES.filter((c) => c.only !== 'http').length);
    expect(sensitive.size).toBeGreaterThan(20);
  });

  it('finds no secret, assertion, signature, Basic token or private key material in any of them', () => {
    const leaks: string[] = [];
    for (const { label, texts: haystack } of observed) {
      for (const text of haystack) {
        for (const value of sensitive)
          if (text.includes(value)) leaks.push(`${label}: ${JSON.stringify(value.slice(0, 20))}…`);
      }
    }
    expect(leaks).toEqual([]);
  });
});
