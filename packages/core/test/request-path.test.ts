/**
 * The shape of the request path (issue 14): parse before verify, one lookup per credential, the
 * challenge set when the refusal is made, and caches that belong to one authenticator.
 */
import { describe, expect, it } from 'vitest';
import {
  type ClientAuthRequest,
  type ClientMetadata,
  createClientAuthenticator,
  errorResponse,
  InvalidClient,
  isOAuthError,
  JWT_BEARER_ASSERTION_TYPE,
  type OAuthError,
} from '../src/index.js';
import { createSecretCosts } from '../src/secrets/unknown_client.js';

const ISSUER = 'https://as.example.com';
const token = { endpoint: 'token' } as const;
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

function req(parts: Partial<ClientAuthRequest>): ClientAuthRequest {
  return { headers: {}, body: {}, secure: true, ...parts };
}

function counting(clients: ClientMetadata[]) {
  const byId = new Map(clients.map((client) => [client.client_id, client]));
  const lookups: string[] = [];
  const auth = createClientAuthenticator({
    issuer: ISSUER,
    basic: { acceptUnencoded: true },
    getClient: (id) => {
      lookups.push(id);
      return byId.get(id);
    },
  });
  return { auth, lookups };
}

async function refused(promise: Promise<unknown>): Promise<OAuthError> {
  try {
    await promise;
  } catch (error) {
    if (isOAuthError(error)) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('the request path (RFC 6749 §2.3)', () => {
  it('tries the raw reading of a Basic pair naming the same client_id as a second candidate secret, with one lookup (RFC 6749 §2.3.1, basic.acceptUnencoded)', async () => {
    const { auth, lookups } = counting([{ client_id: 'curl', client_secret: 'a+b' }]);
    // `curl -u curl:a+b` does not form-encode: decoded, the secret reads "a b"; raw, "a+b".
    const result = await auth.authenticate(req({ headers: { authorization: `Basic ${b64('curl:a+b')}` } }), token);
    expect(result.clientId).toBe('curl');
    expect(lookups).toEqual(['curl']);
  });

  it('parses the assertion envelope before the client lookup: a client_assertion that is not one compact JWS is refused without a lookup (RFC 7523 §2.2)', async () => {
    const { auth, lookups } = counting([
      { client_id: 'jwt', token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [] } },
    ]);
    const body = {
      client_id: ['jwt'],
      client_assertion: ['not-a-jws'],
      client_assertion_type: [JWT_BEARER_ASSERTION_TYPE],
    };
    const error = await refused(auth.authenticate(req({ body }), token));
    expect(error).toMatchObject({ error: 'invalid_client', code: 'ERR_ASSERTION_MALFORMED' });
    expect(lookups).toEqual([]);
  });

  it('refuses a client_assertion_type other than jwt-bearer before the lookup, compared exactly (RFC 7523 §2.2)', async () => {
    const { auth, lookups } = counting([]);
    const body = {
      client_id: ['x'],
      client_assertion: ['a.b.c'],
      client_assertion_type: [`${JWT_BEARER_ASSERTION_TYPE} `],
    };
    const error = await refused(auth.authenticate(req({ body }), token));
    expect(error).toMatchObject({ error: 'invalid_client', code: 'ERR_ASSERTION_TYPE_UNSUPPORTED' });
    expect(lookups).toEqual([]);
  });
});

describe('the 401 challenge (RFC 9110 §15.5.2, RFC 7617 §2)', () => {
  it('is set on the refusal when it is made: the error thrown by a verifier is never changed afterwards', async () => {
    const { auth } = counting([{ client_id: 'c', client_secret: 's' }]);
    const error = await refused(auth.authenticate(req({ headers: { authorization: `Basic ${b64('c:x')}` } }), token));
    expect(error.challenge).toBe(`Basic realm="${ISSUER}"`);
    expect(Object.getOwnPropertyDescriptor(error, 'challenge')?.value).toBe(`Basic realm="${ISSUER}"`);
    const made = new InvalidClient('ERR_SECRET_MISMATCH', { challenge: 'Basic realm="x"' });
    expect(made.challenge).toBe('Basic realm="x"');
  });

  it('errorResponse(error, { realm }) answers a 401 that carries no challenge with Basic realm (RFC 7617 §2: realm is required)', () => {
    const response = errorResponse(new InvalidClient('ERR_SECRET_MISMATCH'), { realm: 'https://as.example.com' });
    expect(response.headers['www-authenticate']).toBe('Basic realm="https://as.example.com"');
    expect(errorResponse(new InvalidClient('ERR_SECRET_MISMATCH')).headers['www-authenticate']).toBe('Basic');
  });
});

describe('state belongs to one authenticator (STYLE habit 1)', () => {
  it('keeps registered secrets encoded per authenticator, never in a process-wide map', () => {
    const one = createSecretCosts(undefined, 2, 32, 'auto');
    const two = createSecretCosts(undefined, 2, 32, 'auto');
    one.encoded.get('a registered secret');
    expect(one.encoded.has('a registered secret')).toBe(true);
    expect(two.encoded.has('a registered secret')).toBe(false);
    expect(two.encoded.size).toBe(0);
  });
});

describe('the hooks see the request beside their event (for operator logs: peer address, request id)', () => {
  it('hands onFailure and onAuthenticated the request authenticate() was given, and the events stay credential-free', async () => {
    const seen: { kind: string; event: object; request: ClientAuthRequest }[] = [];
    const auth = createClientAuthenticator({
      issuer: ISSUER,
      getClient: (id) =>
        id === 'c'
          ? { client_id: 'c', client_secret: 's3cret-s3cret', token_endpoint_auth_method: 'client_secret_post' }
          : undefined,
      onFailure: (event, request) => seen.push({ kind: 'failure', event, request }),
      onAuthenticated: (event, request) => seen.push({ kind: 'success', event, request }),
    });
    const wrong = req({ body: { client_id: ['c'], client_secret: ['wrong'] }, peerAddress: '192.0.2.7' });
    const right = req({ body: { client_id: ['c'], client_secret: ['s3cret-s3cret'] }, peerAddress: '192.0.2.8' });
    const malformed = req({ body: { client_id: ['c', 'c'] }, peerAddress: '192.0.2.9' });
    await expect(auth.authenticate(wrong, token)).rejects.toMatchObject({ code: 'ERR_SECRET_MISMATCH' });
    await auth.authenticate(right, token);
    await expect(auth.authenticate(malformed, token)).rejects.toMatchObject({ error: 'invalid_request' });
    expect(seen.map(({ kind }) => kind)).toEqual(['failure', 'success', 'failure']);
    expect(seen[0]?.request).toBe(wrong);
    expect(seen[1]?.request).toBe(right);
    expect(seen[2]?.request).toBe(malformed);
    for (const { event } of seen) expect(JSON.stringify(event)).not.toMatch(/s3cret|wrong/);
  });
});
