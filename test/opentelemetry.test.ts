/**
 * `@client-auth/core/opentelemetry` with the real OpenTelemetry SDK (issue 15 §4): one count and
 * one duration per `authenticate()` call on every path, labelled by result, endpoint, registered
 * method and `error.type` (the stable code), attributes on the active span, instrument names by
 * the semantic-convention rules, and never a secret, an assertion or a presented client_id in what
 * is exported. Also through the Express, Koa and Hono adapters over real HTTP.
 */
import { randomUUID } from 'node:crypto';
import {
  type ClientAuthenticator,
  type ClientAuthenticatorOptions,
  type ClientAuthRequest,
  type ClientMetadata,
  createClientAuthenticator,
  JWT_BEARER_ASSERTION_TYPE,
} from '@client-auth/core';
import {
  ATTR_CLIENT_ID,
  ATTR_CODE,
  ATTR_ENDPOINT,
  ATTR_ERROR_TYPE,
  ATTR_METHOD,
  ATTR_RESULT,
  INSTRUMENTATION_SCOPE,
  METRIC_AUTHENTICATION_DURATION,
  METRIC_AUTHENTICATIONS,
  openTelemetry,
} from '@client-auth/core/opentelemetry';
import { redisReplayStore } from '@client-auth/redis';
import { metrics } from '@opentelemetry/api';
import { DataPointType, type Histogram } from '@opentelemetry/sdk-metrics';
import { exportJWK, generateKeyPair } from 'jose';
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { clientAssertion } from './helpers/assertion.js';
import { run } from './helpers/example-server.js';
import { exportedTexts, type TelemetryHarness, telemetryHarness, useAsyncContext } from './helpers/telemetry.js';
import { startServer, VARIANTS } from './servers.js';

const ISSUER = 'https://as.example.test';
const SECRET = `secret-${randomUUID()}`;
const WRONG = `wrong-${randomUUID()}`;
/** A client_id an attacker makes up: text of its choosing that must not reach a span or a metric. */
const PRESENTED = `made-up-${randomUUID()}`;

const keys = await generateKeyPair('ES256', { extractable: true });
const CLIENTS: ClientMetadata[] = [
  { client_id: 'basic', client_secret: SECRET, token_endpoint_auth_method: 'client_secret_basic' },
  { client_id: 'post', client_secret: SECRET, token_endpoint_auth_method: 'client_secret_post' },
  // Reached only through the unencoded reading of a Basic user-id `x+y` (`basic.acceptUnencoded`).
  { client_id: 'x+y', client_secret: SECRET, token_endpoint_auth_method: 'client_secret_basic' },
  {
    client_id: 'pk',
    token_endpoint_auth_method: 'private_key_jwt',
    jwks: { keys: [{ ...(await exportJWK(keys.publicKey)), kty: 'EC', kid: 'k1' }] },
  },
];
const registry = new Map(CLIENTS.map((client) => [client.client_id, client]));

const basicHeader = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const basic = (id: string, secret: string): ClientAuthRequest => ({
  headers: { authorization: basicHeader(id, secret) },
  body: {},
  secure: true,
});
const post = (id: string, secret: string): ClientAuthRequest => ({
  headers: {},
  body: { client_id: [id], client_secret: [secret] },
  secure: true,
});
const assertionRequest = (assertion: string): ClientAuthRequest => ({
  headers: {},
  body: { client_assertion_type: [JWT_BEARER_ASSERTION_TYPE], client_assertion: [assertion] },
  secure: true,
});

let harness: TelemetryHarness;
let restoreContext: () => void;

beforeAll(() => {
  restoreContext = useAsyncContext();
});
afterAll(() => restoreContext());

function authenticator(
  extra: Partial<ClientAuthenticatorOptions> = {},
  telemetry: Parameters<typeof openTelemetry>[0] = {},
): ClientAuthenticator {
  harness = telemetryHarness();
  return createClientAuthenticator({
    issuer: ISSUER,
    getClient: (id) => registry.get(id),
    telemetry: openTelemetry({ meterProvider: harness.meterProvider, ...telemetry }),
    ...extra,
  });
}

/** authenticate(), settled either way: the result, or what it rejected with. */
function settle(auth: ClientAuthenticator, request: ClientAuthRequest, endpoint = 'token'): Promise<unknown> {
  return auth.authenticate(request, { endpoint: endpoint as 'token' }).then(
    (result) => result,
    (error: unknown) => error,
  );
}

/** The counter's data points as `[attributes, value]`. */
async function counts(): Promise<[Record<string, unknown>, number][]> {
  return (await harness.points<number>(METRIC_AUTHENTICATIONS)).map((point) => [point.attributes, point.value]);
}

afterEach(async () => {
  await harness?.shutdown();
});

describe('openTelemetry(): one count per authenticate() call, labelled by its outcome (issue 15 §4)', () => {
  it('counts an accepted client as result=success with its endpoint and registered method, and no error.type (semconv: not set on success; RFC 6749 §2.3.1)', async () => {
    const auth = authenticator();
    await auth.authenticate(basic('basic', SECRET), { endpoint: 'token' });
    await auth.authenticate(post('post', SECRET), { endpoint: 'revocation' });
    expect(await counts()).toEqual(
      expect.arrayContaining([
        [{ [ATTR_RESULT]: 'success', [ATTR_ENDPOINT]: 'token', [ATTR_METHOD]: 'client_secret_basic' }, 1],
        [{ [ATTR_RESULT]: 'success', [ATTR_ENDPOINT]: 'revocation', [ATTR_METHOD]: 'client_secret_post' }, 1],
      ]),
    );
    expect(await harness.total(METRIC_AUTHENTICATIONS)).toBe(2);
  });

  it('counts a wrong secret as failure with error.type = its stable code and the registered method (RFC 6749 §5.2 invalid_client)', async () => {
    const auth = authenticator();
    const refused = await settle(auth, basic('basic', WRONG));
    expect(refused).toMatchObject({ error: 'invalid_client', code: 'ERR_SECRET_MISMATCH' });
    expect(await counts()).toEqual([
      [
        {
          [ATTR_RESULT]: 'failure',
          [ATTR_ENDPOINT]: 'token',
          [ATTR_METHOD]: 'client_secret_basic',
          [ATTR_ERROR_TYPE]: 'ERR_SECRET_MISMATCH',
        },
        1,
      ],
    ]);
  });

  it('counts an unknown client_id without a method and without the presented client_id (RFC 6749 §5.2: unknown client)', async () => {
    const auth = authenticator();
    await settle(auth, post(PRESENTED, WRONG));
    expect(await counts()).toEqual([
      [{ [ATTR_RESULT]: 'failure', [ATTR_ENDPOINT]: 'token', [ATTR_ERROR_TYPE]: 'ERR_CLIENT_NOT_FOUND' }, 1],
    ]);
  });

  it('counts an invalid_request (a second mechanism, RFC 6749 §2.3) with its code', async () => {
    const auth = authenticator();
    const both: ClientAuthRequest = { ...basic('basic', SECRET), body: { client_secret: [SECRET] } };
    expect(await settle(auth, both)).toMatchObject({ error: 'invalid_request', code: 'ERR_MULTIPLE_MECHANISMS' });
    expect(await counts()).toEqual([
      [{ [ATTR_RESULT]: 'failure', [ATTR_ENDPOINT]: 'token', [ATTR_ERROR_TYPE]: 'ERR_MULTIPLE_MECHANISMS' }, 1],
    ]);
  });

  it('counts a 503 of a replay store that is down (a Redis client not connected) with its code (OpenID Connect Core §9: jti used once)', async () => {
    const down = createClient({ url: 'redis://127.0.0.1:1' });
    const auth = authenticator({ replayStore: redisReplayStore({ client: down }) });
    const jwt = await clientAssertion('pk', ISSUER, keys.privateKey, { alg: 'ES256', kid: 'k1' });
    expect(await settle(auth, assertionRequest(jwt))).toMatchObject({
      status: 503,
      code: 'ERR_REPLAY_STORE_UNAVAILABLE',
    });
    expect(await counts()).toEqual([
      [
        {
          [ATTR_RESULT]: 'failure',
          [ATTR_ENDPOINT]: 'token',
          [ATTR_METHOD]: 'private_key_jwt',
          [ATTR_ERROR_TYPE]: 'ERR_REPLAY_STORE_UNAVAILABLE',
        },
        1,
      ],
    ]);
  });

  it('counts a thrown error that is no OAuthError by its class, and rejects with that very error (STYLE.md: a bug is not invalid_client)', async () => {
    const broken = new RangeError('clock broke');
    let failing = false;
    const auth = authenticator({
      now: () => {
        if (failing) throw broken;
        return Date.now();
      },
    });
    failing = true;
    expect(await settle(auth, basic('basic', SECRET))).toBe(broken);
    expect(await counts()).toEqual([
      [{ [ATTR_RESULT]: 'failure', [ATTR_ENDPOINT]: 'token', [ATTR_ERROR_TYPE]: 'RangeError' }, 1],
    ]);
  });

  it('counts a call without a known endpoint once, without an endpoint attribute (its value is the caller’s, RFC 8414 §2 names the endpoints)', async () => {
    const auth = authenticator();
    expect(await settle(auth, basic('basic', SECRET), 'userinfo')).toBeInstanceOf(TypeError);
    expect(await counts()).toEqual([[{ [ATTR_RESULT]: 'failure', [ATTR_ERROR_TYPE]: 'TypeError' }, 1]]);
  });

  it('counts the unencoded Basic reading under another client_id as one call (RFC 6749 §2.3.1 decoding, then the raw retry)', async () => {
    const auth = authenticator({ basic: { acceptUnencoded: true } });
    // "x+y" form-decodes to "x y" (no such client), whose refusal is followed by the raw reading.
    const result = await auth.authenticate(basic('x+y', SECRET), { endpoint: 'token' });
    expect(result.clientId).toBe('x+y');
    expect(await counts()).toEqual([
      [{ [ATTR_RESULT]: 'success', [ATTR_ENDPOINT]: 'token', [ATTR_METHOD]: 'client_secret_basic' }, 1],
    ]);
  });

  it('makes exactly one count and one duration per call over a mix of every outcome', async () => {
    const down = createClient({ url: 'redis://127.0.0.1:1' });
    const auth = authenticator({ replayStore: redisReplayStore({ client: down }) });
    const jwt = await clientAssertion('pk', ISSUER, keys.privateKey, { alg: 'ES256', kid: 'k1' });
    const requests = [
      basic('basic', SECRET),
      basic('basic', WRONG),
      post(PRESENTED, SECRET),
      { headers: { authorization: 'Basic !!!' }, body: {}, secure: true },
      { headers: {}, body: {}, secure: true },
      assertionRequest(jwt),
      assertionRequest('not.a.jwt'),
      post('post', SECRET),
    ];
    for (const request of requests) await settle(auth, request);
    await settle(auth, basic('basic', SECRET), 'nowhere');
    expect(await harness.total(METRIC_AUTHENTICATIONS)).toBe(requests.length + 1);
    expect(await harness.total(METRIC_AUTHENTICATION_DURATION)).toBe(requests.length + 1);
  });
});

describe('openTelemetry(): the instruments, by the semantic-convention naming rules', () => {
  it('records each duration in seconds in a histogram with the counter’s attributes (semconv: `….duration`, unit `s`)', async () => {
    const auth = authenticator();
    await auth.authenticate(basic('basic', SECRET), { endpoint: 'token' });
    await settle(auth, basic('basic', WRONG));
    const points = await harness.points<Histogram>(METRIC_AUTHENTICATION_DURATION);
    expect(points.map((point) => [point.attributes, point.value.count])).toEqual(
      expect.arrayContaining([
        [{ [ATTR_RESULT]: 'success', [ATTR_ENDPOINT]: 'token', [ATTR_METHOD]: 'client_secret_basic' }, 1],
        [
          {
            [ATTR_RESULT]: 'failure',
            [ATTR_ENDPOINT]: 'token',
            [ATTR_METHOD]: 'client_secret_basic',
            [ATTR_ERROR_TYPE]: 'ERR_SECRET_MISMATCH',
          },
          1,
        ],
      ]),
    );
    for (const point of points) {
      expect(point.value.sum).toBeGreaterThanOrEqual(0);
      // Boundaries from 100 µs: a plain secret check is not lost in the first default bucket (5 ms).
      expect(point.value.buckets.boundaries[0]).toBe(0.0001);
    }
  });

  it('names the scope after the package and the instruments client_auth.authentications ({authentication}) and client_auth.authentication.duration (s)', async () => {
    const auth = authenticator();
    await auth.authenticate(basic('basic', SECRET), { endpoint: 'token' });
    const { version } = (await import('../packages/core/package.json', { with: { type: 'json' } })).default;
    expect(INSTRUMENTATION_SCOPE).toEqual({ name: '@client-auth/core', version });
    const described = (await harness.metrics()).map((metric) => ({
      name: metric.descriptor.name,
      unit: metric.descriptor.unit,
      type: metric.dataPointType,
    }));
    expect(described).toEqual([
      { name: 'client_auth.authentications', unit: '{authentication}', type: DataPointType.SUM },
      { name: 'client_auth.authentication.duration', unit: 's', type: DataPointType.HISTOGRAM },
    ]);
    // Semconv naming: lowercase, dot namespaces, snake_case words, no `_total`.
    for (const { name } of described) expect(name).toMatch(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/);
    for (const { name } of described) expect(name).not.toMatch(/total$/);
  });

  it('takes its meter from the global MeterProvider when given none (what the Node SDK registers)', async () => {
    harness = telemetryHarness();
    expect(metrics.setGlobalMeterProvider(harness.meterProvider)).toBe(true);
    try {
      const auth = createClientAuthenticator({
        issuer: ISSUER,
        getClient: (id) => registry.get(id),
        telemetry: openTelemetry(),
      });
      await settle(auth, basic('basic', WRONG));
      expect(await harness.total(METRIC_AUTHENTICATIONS)).toBe(1);
    } finally {
      metrics.disable();
    }
  });
});

describe('openTelemetry(): attributes on the active span', () => {
  it('sets result, endpoint, method, the code and the client_id of a client the registry returned (RFC 6749 §2.3)', async () => {
    const auth = authenticator();
    await harness.inSpan('POST /token', () => auth.authenticate(basic('basic', SECRET), { endpoint: 'token' }));
    await harness.inSpan('POST /revoke', () => settle(auth, post('post', WRONG), 'revocation'));
    const [accepted, refused] = harness.spans();
    expect(accepted?.attributes).toEqual({
      [ATTR_RESULT]: 'success',
      [ATTR_ENDPOINT]: 'token',
      [ATTR_METHOD]: 'client_secret_basic',
      [ATTR_CLIENT_ID]: 'basic',
    });
    // The code under the library's own name: error.type on an HTTP server span is the HTTP outcome's.
    expect(refused?.attributes).toEqual({
      [ATTR_RESULT]: 'failure',
      [ATTR_ENDPOINT]: 'revocation',
      [ATTR_METHOD]: 'client_secret_post',
      [ATTR_CODE]: 'ERR_SECRET_MISMATCH',
      [ATTR_CLIENT_ID]: 'post',
    });
  });

  it('leaves out the client_id a request only presented: attacker-chosen text, maybe a misplaced secret', async () => {
    const auth = authenticator();
    await harness.inSpan('POST /token', () => settle(auth, post(PRESENTED, SECRET)));
    await harness.inSpan('POST /token', () => settle(auth, basic(SECRET, PRESENTED)));
    for (const span of harness.spans()) {
      expect(span.attributes).toEqual({
        [ATTR_RESULT]: 'failure',
        [ATTR_ENDPOINT]: 'token',
        [ATTR_CODE]: 'ERR_CLIENT_NOT_FOUND',
      });
    }
  });

  it('leaves the span alone with spanAttributes: false, and still counts', async () => {
    const auth = authenticator({}, { spanAttributes: false });
    await harness.inSpan('POST /token', () => auth.authenticate(basic('basic', SECRET), { endpoint: 'token' }));
    expect(harness.spans()[0]?.attributes).toEqual({});
    expect(await harness.total(METRIC_AUTHENTICATIONS)).toBe(1);
  });

  it('exports no secret, assertion or presented client_id in any metric or span attribute (the leaks.test.ts rule)', async () => {
    const auth = authenticator();
    const jwt = await clientAssertion('pk', ISSUER, keys.privateKey, { alg: 'ES256', kid: 'k1' });
    const requests = [
      basic('basic', SECRET),
      basic('basic', WRONG),
      post(PRESENTED, SECRET),
      basic(SECRET, WRONG),
      assertionRequest(jwt),
      assertionRequest(jwt),
      assertionRequest(`${jwt}x`),
    ];
    for (const request of requests) await harness.inSpan('POST /token', () => settle(auth, request));
    const texts = (await exportedTexts(harness)).join('\n');
    for (const value of [SECRET, WRONG, PRESENTED, jwt, jwt.split('.')[2] as string, basicHeader('basic', SECRET)]) {
      expect(texts.includes(value), value.slice(0, 12)).toBe(false);
    }
  });
});

/**
 * Import `specifier` in a fresh Node process (tsx, the sources, as the examples run) whose module
 * resolution refuses every `@opentelemetry/*` package: an application without the optional peer.
 */
function importWithoutOpenTelemetry(specifier: string) {
  const hook = `export async function resolve(s, c, n) {
    if (s.startsWith('@opentelemetry/')) throw new Error('imported ' + s);
    return n(s, c);
  }`;
  const script = [
    "import { register } from 'node:module';",
    `register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hook)}));`,
    `await import(${JSON.stringify(specifier)});`,
    "console.log('loaded');",
  ].join('\n');
  return run('node_modules/.bin/tsx', ['--conditions=source', '--input-type=module', '-e', script]);
}

describe('@opentelemetry/api is an optional peer dependency', () => {
  it('is declared optional, and the root export loads without it; only the /opentelemetry subpath imports it', async () => {
    const manifest = (await import('../packages/core/package.json', { with: { type: 'json' } })).default as {
      peerDependencies?: Record<string, string>;
      peerDependenciesMeta?: Record<string, { optional?: boolean }>;
      dependencies?: Record<string, string>;
    };
    expect(manifest.peerDependencies?.['@opentelemetry/api']).toBeDefined();
    expect(manifest.peerDependenciesMeta?.['@opentelemetry/api']).toEqual({ optional: true });
    expect(manifest.dependencies?.['@opentelemetry/api']).toBeUndefined();
    for (const specifier of ['@client-auth/core', '@client-auth/core/node', '@client-auth/core/adapter']) {
      const root = await importWithoutOpenTelemetry(specifier);
      expect([root.code, root.stdout.trim()], `${specifier}: ${root.stderr}`).toEqual([0, 'loaded']);
    }
    const subpath = await importWithoutOpenTelemetry('@client-auth/core/opentelemetry');
    expect(subpath.code).not.toBe(0);
    expect(subpath.stderr).toContain('imported @opentelemetry/api');
  }, 60_000);
});

describe('the telemetry option: checked at setup, never in the way', () => {
  it('refuses a telemetry without start(), a meterProvider without getMeter() and a non-boolean spanAttributes (TypeError at setup, DESIGN.md §2)', () => {
    const base = { issuer: ISSUER, getClient: () => undefined };
    expect(() => createClientAuthenticator({ ...base, telemetry: {} as never })).toThrow(TypeError);
    expect(() => createClientAuthenticator({ ...base, telemetry: null as never })).toThrow(/telemetry/);
    expect(() => openTelemetry({ meterProvider: {} as never })).toThrow(/meterProvider/);
    expect(() => openTelemetry({ spanAttributes: 'yes' as never })).toThrow(/spanAttributes/);
    expect(() => openTelemetry(null as never)).toThrow(TypeError);
  });

  it('keeps the outcome when the telemetry throws in start() or when finishing (a failing observer changes nothing)', async () => {
    const base = { issuer: ISSUER, getClient: (id: string) => registry.get(id) };
    const throwsAtStart = createClientAuthenticator({
      ...base,
      telemetry: {
        start() {
          throw new Error('observer down');
        },
      },
    });
    const throwsAtEnd = createClientAuthenticator({
      ...base,
      telemetry: {
        start: () => () => {
          throw new Error('observer down');
        },
      },
    });
    for (const auth of [throwsAtStart, throwsAtEnd]) {
      expect((await auth.authenticate(basic('basic', SECRET), { endpoint: 'token' })).clientId).toBe('basic');
      expect(await settle(auth, basic('basic', WRONG))).toMatchObject({ code: 'ERR_SECRET_MISMATCH' });
    }
  });
});

describe.each(['Express 5', 'Koa 3', 'Hono'].map((name) => VARIANTS.find((variant) => variant.name === name)))(
  'through $name over HTTP',
  (variant) => {
    it('makes exactly one increment, with its labels, for one refused request (issue 15: "Done when")', async () => {
      const auth = authenticator({ allowInsecureTransport: true });
      const server = await startServer(variant as (typeof VARIANTS)[number], { telemetry: auth });
      try {
        const response = await fetch(`${server.url}/telemetry/token`, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            authorization: basicHeader('basic', WRONG),
          },
          body: 'grant_type=client_credentials',
        });
        expect(response.status).toBe(401);
        expect(await counts()).toEqual([
          [
            {
              [ATTR_RESULT]: 'failure',
              [ATTR_ENDPOINT]: 'token',
              [ATTR_METHOD]: 'client_secret_basic',
              [ATTR_ERROR_TYPE]: 'ERR_SECRET_MISMATCH',
            },
            1,
          ],
        ]);
        expect(await harness.total(METRIC_AUTHENTICATION_DURATION)).toBe(1);
      } finally {
        await server.close();
      }
    });
  },
);
