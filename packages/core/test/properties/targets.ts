/**
 * Fuzz targets shared by the property tests (bounded runs, default suite) and `pnpm fuzz`
 * (scripts/fuzz.ts, a million inputs). Each target is an arbitrary and a `run` that feeds one input
 * to a parser and checks the property:
 *
 * - any input yields a parse or an `OAuthError` — never another exception;
 * - round trips hold where they exist (form encode/decode, Basic encode/parse);
 * - nothing random ever authenticates.
 *
 * `run` resolves a short outcome label ('ok' or the error code) that the fuzz script counts, and
 * throws (anything but an OAuthError) when the property is broken.
 */
import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import {
  decodeFormComponent,
  encodeFormComponent,
  formFromParsedBody,
  parseForm,
  parseFormBody,
} from '../../src/adapter.js';
import { parseAssertion } from '../../src/credentials/assertion.js';
import {
  type ClientAuthRequest,
  type ClientMetadata,
  createClientAuthenticator,
  type EndpointName,
  isOAuthError,
  JWT_BEARER_ASSERTION_TYPE,
  parseCredentials,
} from '../../src/index.js';
import { MTLS_TARGETS } from './mtls-targets.js';

export interface FuzzTarget<T = unknown> {
  name: string;
  arbitrary: fc.Arbitrary<T>;
  /** Resolves the outcome label; throws when the property does not hold. */
  run: (input: T) => string | Promise<string>;
}

/** A broken property: never an OAuthError, so it cannot be mistaken for an expected refusal. */
export class PropertyViolation extends Error {
  override name = 'PropertyViolation';
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new PropertyViolation(message);
}

/** Run a parser: its result is 'ok', an OAuthError is its code, anything else is rethrown. */
async function outcome(work: () => unknown): Promise<string> {
  try {
    await work();
    return 'ok';
  } catch (error) {
    if (isOAuthError(error)) return error.code;
    throw error;
  }
}

function outcomeSync(work: () => unknown): string {
  try {
    work();
    return 'ok';
  } catch (error) {
    if (isOAuthError(error)) return error.code;
    throw error;
  }
}

function append(params: Record<string, string[]>, name: string, value: string): void {
  const values = params[name];
  if (values === undefined) params[name] = [value];
  else values.push(value);
}

// ── arbitraries ──────────────────────────────────────────────────────────────────────────────────

/** Any code point (surrogate pairs included, lone surrogates included by `ill`). */
const unicode = (maxLength = 64) => fc.string({ unit: 'binary', maxLength });
/** Strings that may also hold lone UTF-16 surrogates. */
const utf16 = (maxLength = 64) =>
  fc.oneof(
    unicode(maxLength),
    fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength }).map((units) => String.fromCharCode(...units)),
  );
/** Text biased toward the characters parsers split on. */
const syntaxy = (alphabet: string, maxLength = 64) =>
  fc.oneof(
    utf16(maxLength),
    fc.array(fc.constantFrom(...alphabet.split('')), { maxLength }).map((chars) => chars.join('')),
  );
const bytes = (maxLength = 96) => fc.uint8Array({ maxLength });
const base64url = (value: string | Uint8Array) => Buffer.from(value).toString('base64url');

// ── Basic (RFC 6749 §2.3.1, RFC 7617) ────────────────────────────────────────────────────────────

const authorizationHeaders = fc.oneof(
  utf16(80),
  syntaxy('Basic :%+=/AZaz09 \t', 80),
  fc
    .tuple(fc.constantFrom('Basic ', 'basic ', 'BASIC  ', 'Basic', 'Bearer '), syntaxy('AZaz09+/= :%', 60))
    .map(([scheme, rest]) => scheme + rest),
  bytes().map((octets) => `Basic ${Buffer.from(octets).toString('base64')}`),
  fc.tuple(utf16(24), utf16(24)).map(([id, secret]) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`),
);

const basicHeader: FuzzTarget<{ header: string | string[]; unencoded: boolean }> = {
  name: 'basic-header',
  arbitrary: fc.record({
    header: fc.oneof({ weight: 5, arbitrary: authorizationHeaders }, fc.array(authorizationHeaders, { maxLength: 2 })),
    unencoded: fc.boolean(),
  }),
  run: ({ header, unencoded }) =>
    outcomeSync(() => {
      const credential = parseCredentials(
        { headers: { authorization: header }, body: Object.create(null) },
        { acceptUnencodedBasic: unencoded },
      );
      check(credential.mechanism === 'client_secret_basic', 'a Basic header parsed into another mechanism');
    }),
};

// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find them
const CONTROL = /[\u0000-\u001f\u007f]/;

const basicRoundTrip: FuzzTarget<[string, string]> = {
  name: 'basic-roundtrip',
  arbitrary: fc
    .tuple(unicode(40), unicode(40))
    .filter(([id, secret]) => id !== '' && secret !== '' && !CONTROL.test(id + secret)),
  run: ([id, secret]) => {
    const token = Buffer.from(`${encodeFormComponent(id)}:${encodeFormComponent(secret)}`).toString('base64');
    const credential = parseCredentials({ headers: { authorization: `Basic ${token}` }, body: Object.create(null) });
    check(credential.mechanism === 'client_secret_basic', 'not parsed as Basic');
    if (credential.mechanism === 'client_secret_basic') {
      check(credential.clientId === id, 'client_id did not survive the Basic round trip');
      check(credential.secret === secret, 'the secret did not survive the Basic round trip');
    }
    return 'ok';
  },
};

// ── form bodies (RFC 6749 Appendix B) ────────────────────────────────────────────────────────────

const formText: FuzzTarget<string> = {
  name: 'form-parse',
  arbitrary: fc.oneof(utf16(120), syntaxy('a=&%+2FfC3A9x0', 120)),
  run: (text) =>
    outcomeSync(() => {
      const params = parseForm(text);
      for (const values of Object.values(params)) check(values.length > 0, 'a parameter without values');
    }),
};

const contentTypes = fc.oneof(
  fc.constantFrom(
    undefined,
    'application/x-www-form-urlencoded',
    'application/x-www-form-urlencoded; charset=UTF-8',
    'application/x-www-form-urlencoded; charset=latin1',
    'application/json',
    'APPLICATION/X-WWW-FORM-URLENCODED;charset="utf-8"',
  ),
  utf16(40),
);

const formBody: FuzzTarget<{ contentType: string | undefined; body: string | Uint8Array }> = {
  name: 'form-body',
  arbitrary: fc.record({
    contentType: contentTypes,
    body: fc.oneof(bytes(120), utf16(120), syntaxy('a=&%+2FfC3A9x0', 120)),
  }),
  run: ({ contentType, body }) => outcomeSync(() => parseFormBody(contentType, body)),
};

const parsedBody: FuzzTarget<{ contentType: string | undefined; parsed: unknown }> = {
  name: 'parsed-body',
  arbitrary: fc.record({ contentType: contentTypes, parsed: fc.anything({ maxDepth: 2 }) }),
  run: ({ contentType, parsed }) => outcomeSync(() => formFromParsedBody(contentType, parsed)),
};

const formRoundTrip: FuzzTarget<[string, string][]> = {
  name: 'form-roundtrip',
  arbitrary: fc.array(fc.tuple(utf16(24), utf16(24)), { maxLength: 6 }),
  run: (pairs) => {
    // A lone surrogate has no UTF-8 form: it travels as U+FFFD (encodeFormComponent's documented rule).
    const wellFormed = (value: string) => Buffer.from(value, 'utf8').toString('utf8');
    for (const [name, value] of pairs) {
      check(decodeFormComponent(encodeFormComponent(value)) === wellFormed(value), 'decode(encode(v)) !== v');
      check(decodeFormComponent(encodeFormComponent(name)) === wellFormed(name), 'decode(encode(n)) !== n');
    }
    const text = pairs.map(([name, value]) => `${encodeFormComponent(name)}=${encodeFormComponent(value)}`).join('&');
    const params = parseForm(text);
    const expected: Record<string, string[]> = Object.create(null);
    for (const [name, value] of pairs) append(expected, wellFormed(name), wellFormed(value));
    check(
      JSON.stringify(Object.entries(params)) === JSON.stringify(Object.entries(expected)),
      'parseForm(encode(pairs)) differs',
    );
    return 'ok';
  },
};

// ── JWT envelope (RFC 7515 §7.1, RFC 7523 §3) ────────────────────────────────────────────────────

const json = fc.jsonValue({ maxDepth: 2 });
const jsonObject = fc.dictionary(fc.string({ maxLength: 8 }), json, { maxKeys: 6 });
const segment = fc.oneof(
  syntaxy('AZaz09-_', 40),
  bytes(48).map(base64url),
  json.map((value) => base64url(JSON.stringify(value))),
  utf16(20).map(base64url),
);

/** A structurally valid JWS whose header and payload are random (or nearly valid) JSON. */
const structuredAssertion = fc
  .record({
    header: fc.oneof(
      jsonObject,
      fc.record(
        {
          alg: fc.oneof(fc.constantFrom('HS256', 'HS512', 'RS256', 'PS256', 'ES256', 'EdDSA', 'none', 'Ed25519'), json),
          typ: fc.oneof(fc.constantFrom('JWT', 'client-authentication+jwt', 'dpop+jwt'), json),
          kid: fc.oneof(fc.string({ maxLength: 8 }), json),
          crit: fc.oneof(fc.constant(['b64']), json),
          jwk: jsonObject,
        },
        { requiredKeys: ['alg'] },
      ),
    ),
    payload: fc.oneof(
      jsonObject,
      fc.record(
        {
          iss: fc.oneof(fc.constantFrom('cs-jwt', 'pk-jwt', 'nobody'), json),
          sub: fc.oneof(fc.constantFrom('cs-jwt', 'pk-jwt', 'nobody', ''), json),
          aud: fc.oneof(fc.constantFrom('https://as.example.com', ['https://as.example.com']), json),
          exp: fc.oneof(fc.integer(), json),
          iat: fc.oneof(fc.integer(), json),
          nbf: fc.oneof(fc.integer(), json),
          jti: fc.oneof(fc.string({ maxLength: 8 }), json),
        },
        { requiredKeys: [] },
      ),
    ),
    signature: fc.oneof(
      bytes(64)
        .filter((b) => b.length > 0)
        .map(base64url),
      fc.constant(''),
    ),
  })
  .map(
    ({ header, payload, signature }) =>
      `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}.${signature}`,
  );

const assertions = fc.oneof(
  utf16(80),
  syntaxy('AZaz09-_.', 120),
  fc.array(segment, { minLength: 1, maxLength: 5 }).map((parts) => parts.join('.')),
  structuredAssertion,
);

const envelope: FuzzTarget<string> = {
  name: 'assertion-envelope',
  arbitrary: assertions,
  run: (assertion) =>
    outcomeSync(() => {
      const named = parseAssertion(assertion, JWT_BEARER_ASSERTION_TYPE, undefined).clientId;
      check(typeof named === 'string' && named.length > 0, 'the assertion envelope named no client_id');
    }),
};

// The clients every authenticate() target runs against: per-run keys and secrets.
const HMAC_SECRET = `${'k'.repeat(40)}${Math.random().toString(36).slice(2)}`;
const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const publicJwk = { ...(publicKey.export({ format: 'jwk' }) as { kty: string }), kid: 'k1' };
const FUZZ_CLIENTS: ClientMetadata[] = [
  { client_id: 'cs-jwt', client_secret: HMAC_SECRET, token_endpoint_auth_method: 'client_secret_jwt' },
  { client_id: 'pk-jwt', jwks: { keys: [publicJwk] }, token_endpoint_auth_method: 'private_key_jwt' },
  { client_id: 'basic', client_secret: HMAC_SECRET },
  { client_id: 'post', client_secret: HMAC_SECRET, token_endpoint_auth_method: 'client_secret_post' },
  { client_id: 'public', token_endpoint_auth_method: 'none' },
];
const byId = new Map(FUZZ_CLIENTS.map((client) => [client.client_id, client]));
const auth = createClientAuthenticator({
  issuer: 'https://as.example.com',
  endpoints: { token: 'https://as.example.com/token' },
  getClient: (id) => byId.get(id),
});
const ENDPOINT_LIST: EndpointName[] = ['token', 'introspection', 'revocation'];

const authenticateAssertion: FuzzTarget<{
  assertion: string;
  type: string;
  clientId: string | undefined;
  endpoint: number;
}> = {
  name: 'authenticate-assertion',
  arbitrary: fc.record({
    assertion: assertions,
    type: fc.oneof({ weight: 4, arbitrary: fc.constant(JWT_BEARER_ASSERTION_TYPE) }, utf16(20)),
    clientId: fc.option(fc.constantFrom('cs-jwt', 'pk-jwt', 'basic', 'nobody'), { nil: undefined }),
    endpoint: fc.nat({ max: ENDPOINT_LIST.length - 1 }),
  }),
  run: async ({ assertion, type, clientId, endpoint }) => {
    const body: ClientAuthRequest['body'] = Object.create(null);
    body.client_assertion = [assertion];
    body.client_assertion_type = [type];
    if (clientId !== undefined) body.client_id = [clientId];
    const result = await outcome(() =>
      auth.authenticate({ headers: {}, body, secure: true }, { endpoint: ENDPOINT_LIST[endpoint] ?? 'token' }),
    );
    check(result !== 'ok', 'a random assertion authenticated');
    return result;
  },
};

const authenticateRequest: FuzzTarget<{ header: string | undefined; params: [string, string][]; secure: boolean }> = {
  name: 'authenticate-request',
  arbitrary: fc.record({
    header: fc.option(authorizationHeaders, { nil: undefined }),
    params: fc.array(
      fc.tuple(
        fc.constantFrom('client_id', 'client_secret', 'client_assertion', 'client_assertion_type', 'grant_type'),
        fc.oneof(fc.constantFrom('basic', 'post', 'public', 'cs-jwt', 'nobody', ''), utf16(20)),
      ),
      { maxLength: 4 },
    ),
    secure: fc.boolean(),
  }),
  run: async ({ header, params, secure }) => {
    const body: ClientAuthRequest['body'] = Object.create(null);
    for (const [name, value] of params) append(body, name, value);
    const headers: ClientAuthRequest['headers'] = header === undefined ? {} : { authorization: header };
    let clientId: string | undefined;
    const result = await outcome(async () => {
      clientId = (await auth.authenticate({ headers, body, secure }, { endpoint: 'token' })).clientId;
    });
    // Only the public client can get through without a secret the fuzzer does not know.
    check(result !== 'ok' || clientId === 'public', `client ${clientId} authenticated with random input`);
    return result;
  },
};

/** Every target, in the order the fuzz script reports them. */
export const TARGETS: FuzzTarget<unknown>[] = [
  basicHeader,
  basicRoundTrip,
  formText,
  formBody,
  parsedBody,
  formRoundTrip,
  envelope,
  authenticateAssertion,
  authenticateRequest,
  ...MTLS_TARGETS,
] as unknown as FuzzTarget<unknown>[];

/** The fast-check property of a target. */
export function propertyOf<T>(target: FuzzTarget<T>): fc.IAsyncProperty<[T]> {
  return fc.asyncProperty(target.arbitrary, async (input) => {
    await target.run(input);
  });
}
