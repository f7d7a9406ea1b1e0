/**
 * The failure limiter's rules in the authenticator (RFC 6749 §2.3.1 brute force; DESIGN.md §3):
 * attempts are reserved before the secret is verified, so that concurrent guesses are bounded;
 * only requests that can guess a secret are counted, decided from the *registered* method; keys
 * are per client and source address by default; a blocked Basic client gets 401 with its
 * challenge (RFC 6749 §5.2), body credentials 429 (RFC 6585 §4).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { type CryptoKey, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { outcome } from '../../../test/helpers/outcome.js';
import {
  type ClientAuthenticatorOptions,
  type ClientAuthRequest,
  type ClientMetadata,
  createClientAuthenticator,
  errorResponse,
  type FailureLimiter,
  hashSecret,
  memoryFailureLimiter,
  OAuthError,
  type ReplayStore,
  verifySecretHash,
} from '../src/index.js';

const ISSUER = 'https://as.example.com';
const TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const CSJ_SECRET = randomBytes(32).toString('base64url');

let pkKey: CryptoKey;
let hashed: string;
let clients: Map<string, ClientMetadata>;

beforeAll(async () => {
  const pair = await generateKeyPair('ES256', { extractable: true });
  pkKey = pair.privateKey;
  // A real scrypt hash (cheap parameters), verified through the verifyHash hook so that the test
  // can count verifications.
  hashed = `custom:${await hashSecret('right-secret', { ln: 10 })}`;
  clients = new Map<string, ClientMetadata>(
    [
      { client_id: 'hashed', client_secrets: [{ hash: hashed }], token_endpoint_auth_method: 'client_secret_post' },
      { client_id: 'basic', client_secrets: [{ hash: hashed }], token_endpoint_auth_method: 'client_secret_basic' },
      { client_id: 'plain', client_secret: 'right-secret', token_endpoint_auth_method: 'client_secret_post' },
      { client_id: 'a+b', client_secret: 'right-secret', token_endpoint_auth_method: 'client_secret_basic' },
      { client_id: 'csj', client_secret: CSJ_SECRET, token_endpoint_auth_method: 'client_secret_jwt' },
      {
        client_id: 'pkB',
        token_endpoint_auth_method: 'private_key_jwt',
        jwks: { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' }] },
      },
      { client_id: 'public', token_endpoint_auth_method: 'none' },
    ].map((client) => [client.client_id, client as ClientMetadata]),
  );
});

/** A memory limiter that also records which calls it received. */
function recording(limiter: FailureLimiter) {
  const calls: string[] = [];
  const wrapped: FailureLimiter = {
    attempt: (key) => {
      calls.push('attempt');
      return limiter.attempt(key);
    },
    failed: (key) => {
      calls.push('failed');
      return limiter.failed(key);
    },
    succeeded: (key) => {
      calls.push('succeeded');
      return limiter.succeeded(key);
    },
  };
  return { limiter: wrapped, calls };
}

function setup(options: Partial<ClientAuthenticatorOptions> = {}) {
  const counter = { verifications: 0 };
  const auth = createClientAuthenticator({
    issuer: ISSUER,
    getClient: (id) => clients.get(id),
    secrets: {
      verifyHash: (hash, secret) => {
        counter.verifications++;
        return verifySecretHash(hash.slice('custom:'.length), secret);
      },
    },
    failureLimiter: memoryFailureLimiter({ maxFailures: 5, blockSeconds: 300 }),
    ...options,
  });
  return { auth, counter };
}

function post(clientId: string, secret: string, peerAddress?: string): ClientAuthRequest {
  const request: ClientAuthRequest = {
    headers: {},
    body: { client_id: [clientId], client_secret: [secret] },
    secure: true,
  };
  if (peerAddress !== undefined) request.peerAddress = peerAddress;
  return request;
}

function basic(userPass: string): ClientAuthRequest {
  return { headers: { authorization: `Basic ${Buffer.from(userPass).toString('base64')}` }, body: {}, secure: true };
}

function assertionRequest(assertion: string): ClientAuthRequest {
  return { headers: {}, body: { client_assertion_type: [TYPE], client_assertion: [assertion] }, secure: true };
}

async function sign(clientId: string, key: CryptoKey | Uint8Array, alg: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ jti: randomUUID() })
    .setProtectedHeader({ alg, ...(alg === 'ES256' ? { kid: 'k1' } : {}) })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(ISSUER)
    .setIssuedAt(now)
    .setExpirationTime(now + 60)
    .sign(key);
}

const code = (result: 'ok' | OAuthError) => (result === 'ok' ? 'ok' : result.code);

describe('failure limiter: attempts are reserved before the secret is verified (RFC 6749 §2.3.1)', () => {
  it('80 concurrent guesses (79 wrong, 1 right) with maxFailures 5: at most 5 secret verifications, the rest refused unchecked', async () => {
    const { auth, counter } = setup();
    const requests = [
      ...Array.from({ length: 79 }, (_, i) => post('hashed', `wrong-${i}`)),
      post('hashed', 'right-secret'),
    ];
    const results = await Promise.all(requests.map((request) => outcome(auth, request)));
    expect(counter.verifications).toBeLessThanOrEqual(5);
    const verified = results.filter((result) => code(result) !== 'ERR_TOO_MANY_FAILURES');
    expect(verified.length).toBeLessThanOrEqual(5);
    expect(results.filter((result) => result === 'ok').length).toBeLessThanOrEqual(1);
    for (const result of results) {
      if (result !== 'ok' && result.code === 'ERR_TOO_MANY_FAILURES') {
        expect(result.status).toBe(429);
        expect(errorResponse(result).headers['retry-after']).toMatch(/^[1-9]\d*$/);
      }
    }
  });

  it('a success between failures does not reset them: a guess interleaved with a client that keeps authenticating is still blocked', async () => {
    const { auth } = setup();
    for (let i = 0; i < 5; i++) {
      expect(await outcome(auth, post('plain', 'right-secret'))).toBe('ok');
      expect(code(await outcome(auth, post('plain', `wrong-${i}`)))).toBe('ERR_SECRET_MISMATCH');
    }
    expect(code(await outcome(auth, post('plain', 'right-secret')))).toBe('ERR_TOO_MANY_FAILURES');
  });

  it('a limiter that is full refuses new keys with 503 ERR_FAILURE_LIMITER_FULL (fail closed, a block is never forgotten)', async () => {
    const { auth } = setup({ failureLimiter: memoryFailureLimiter({ maxFailures: 1, maxEntries: 2 }) });
    await outcome(auth, post('made-up-1', 'x'));
    await outcome(auth, post('made-up-2', 'x'));
    const refused = await outcome(auth, post('plain', 'right-secret'));
    expect(refused).toBeInstanceOf(OAuthError);
    expect([(refused as OAuthError).status, code(refused)]).toEqual([503, 'ERR_FAILURE_LIMITER_FULL']);
    expect(errorResponse(refused).headers['retry-after']).toBe('1');
  });

  it('a 5xx after the reservation (replay store down) releases the attempt instead of counting a failure', async () => {
    let down = 6;
    const replayStore: ReplayStore = {
      consume: async () => {
        if (down-- > 0) throw new Error('store down');
        return true;
      },
    };
    const { auth } = setup({ replayStore });
    const secret = new TextEncoder().encode(CSJ_SECRET);
    for (let i = 0; i < 6; i++) {
      expect(code(await outcome(auth, assertionRequest(await sign('csj', secret, 'HS256'))))).toBe(
        'ERR_REPLAY_STORE_UNAVAILABLE',
      );
    }
    expect(await outcome(auth, assertionRequest(await sign('csj', secret, 'HS256')))).toBe('ok');
  });

  it('an exception that is not an OAuthError (a verifyHash that throws) releases the attempt: the key is not left in flight', async () => {
    let broken = 3;
    const { auth } = setup({
      failureLimiter: memoryFailureLimiter({ maxFailures: 1 }),
      secrets: {
        verifyHash: (hash, secret) => {
          if (broken-- > 0) throw new Error('hash backend bug');
          return verifySecretHash(hash.slice('custom:'.length), secret);
        },
      },
    });
    for (let i = 0; i < 3; i++) {
      await expect(auth.authenticate(post('hashed', 'right-secret'), { endpoint: 'token' })).rejects.toThrow(
        'hash backend bug',
      );
    }
    expect(await outcome(auth, post('hashed', 'right-secret'))).toBe('ok');
  });
});

describe('failure limiter: only requests that can guess a secret are counted, by the registered method (DESIGN.md §3)', () => {
  it('garbage assertions, secrets and Basic credentials naming a private_key_jwt client never block it', async () => {
    const { limiter, calls } = recording(memoryFailureLimiter({ maxFailures: 2 }));
    const { auth } = setup({ failureLimiter: limiter });
    for (let i = 0; i < 6; i++) {
      // An HS256 assertion with a made-up secret, a forged ES256 one, a secret in the body and Basic.
      await outcome(auth, assertionRequest(await sign('pkB', randomBytes(32), 'HS256')));
      const forged = await sign('pkB', pkKey, 'ES256');
      await outcome(auth, assertionRequest(`${forged.slice(0, -4)}AAAA`));
      await outcome(auth, post('pkB', `guess-${i}`));
      await outcome(auth, basic(`pkB:guess-${i}`));
    }
    expect(calls).toEqual([]);
    expect(await outcome(auth, assertionRequest(await sign('pkB', pkKey, 'ES256')))).toBe('ok');
  });

  it('a public client sending only its client_id is never counted', async () => {
    const { limiter, calls } = recording(memoryFailureLimiter({ maxFailures: 1 }));
    const { auth } = setup({ failureLimiter: limiter });
    const request: ClientAuthRequest = { headers: {}, body: { client_id: ['public'] }, secure: true };
    for (let i = 0; i < 3; i++) expect(await outcome(auth, request)).toBe('ok');
    expect(calls).toEqual([]);
  });

  it('client_secret_jwt is counted (an HMAC assertion guesses the registered secret, OIDC Core §9)', async () => {
    const { auth } = setup();
    for (let i = 0; i < 5; i++) {
      expect(code(await outcome(auth, assertionRequest(await sign('csj', randomBytes(32), 'HS256'))))).toBe(
        'ERR_ASSERTION_SIGNATURE_INVALID',
      );
    }
    const right = await sign('csj', new TextEncoder().encode(CSJ_SECRET), 'HS256');
    expect(code(await outcome(auth, assertionRequest(right)))).toBe('ERR_TOO_MANY_FAILURES');
  });

  it('unknown client_ids are counted with a secret and with an assertion, like a secret client (no enumeration through the limiter)', async () => {
    const { auth } = setup({ failureLimiter: memoryFailureLimiter({ maxFailures: 2 }) });
    for (let i = 0; i < 2; i++) expect(code(await outcome(auth, post('nobody', 'x')))).toBe('ERR_CLIENT_NOT_FOUND');
    expect(code(await outcome(auth, post('nobody', 'x')))).toBe('ERR_TOO_MANY_FAILURES');
    for (let i = 0; i < 2; i++) {
      expect(code(await outcome(auth, assertionRequest(await sign('ghost', randomBytes(32), 'HS256'))))).toBe(
        'ERR_CLIENT_NOT_FOUND',
      );
    }
    expect(code(await outcome(auth, assertionRequest(await sign('ghost', randomBytes(32), 'HS256'))))).toBe(
      'ERR_TOO_MANY_FAILURES',
    );
  });

  it('basic.acceptUnencoded: the retry under another client_id is counted against that client, and a client that needs the retry is never blocked by it', async () => {
    const { auth } = setup({
      basic: { acceptUnencoded: true },
      failureLimiter: memoryFailureLimiter({ maxFailures: 2 }),
    });
    // Unencoded `a+b:…` decodes as client "a b" (RFC 6749 Appendix B), then the retry names "a+b".
    for (let i = 0; i < 10; i++) expect(await outcome(auth, basic('a+b:right-secret'))).toBe('ok');
    expect(code(await outcome(auth, basic('a+b:guess-1')))).toBe('ERR_CLIENT_NOT_FOUND');
    expect(code(await outcome(auth, basic('a+b:guess-2')))).toBe('ERR_CLIENT_NOT_FOUND');
    const blocked = await outcome(auth, basic('a+b:right-secret'));
    expect(code(blocked)).toBe('ERR_TOO_MANY_FAILURES');
    // The form-encoded spelling names "a+b" at once: the guesses were counted against it.
    expect(code(await outcome(auth, basic('a%2Bb:right-secret')))).toBe('ERR_TOO_MANY_FAILURES');
  });
});

describe('failure limiter: keys and answers', () => {
  it("'client-address' (default): failures at one address never block the client at another", async () => {
    const { auth } = setup();
    for (let i = 0; i < 5; i++) await outcome(auth, post('plain', `wrong-${i}`, '127.0.0.2'));
    expect(code(await outcome(auth, post('plain', 'right-secret', '127.0.0.2')))).toBe('ERR_TOO_MANY_FAILURES');
    expect(await outcome(auth, post('plain', 'right-secret', '127.0.0.1'))).toBe('ok');
    expect(await outcome(auth, post('plain', 'right-secret', '::ffff:127.0.0.1'))).toBe('ok');
    // An IPv6 attacker is counted by its /56: a fresh address in it is the same key.
    for (let i = 0; i < 5; i++) await outcome(auth, post('plain', `wrong-${i}`, `2001:db8:0:1${i}::${i}`));
    expect(code(await outcome(auth, post('plain', 'right-secret', '2001:db8:0:99::1')))).toBe('ERR_TOO_MANY_FAILURES');
    expect(await outcome(auth, post('plain', 'right-secret', '2001:db8:0:100::1'))).toBe('ok');
  });

  it("'client': one bound per client_id, whatever the address", async () => {
    const { auth } = setup({ failureLimiterKey: 'client' });
    for (let i = 0; i < 5; i++) await outcome(auth, post('plain', `wrong-${i}`, '127.0.0.2'));
    expect(code(await outcome(auth, post('plain', 'right-secret', '127.0.0.1')))).toBe('ERR_TOO_MANY_FAILURES');
  });

  it('a key function decides the key; one that throws or returns no string fails closed (503)', async () => {
    const { auth } = setup({
      failureLimiterKey: ({ clientId, request }) => `${clientId} ${String(request.headers['x-real-ip'])}`,
    });
    const from = (ip: string, secret: string) => ({ ...post('plain', secret), headers: { 'x-real-ip': ip } });
    for (let i = 0; i < 5; i++) await outcome(auth, from('198.51.100.1', `wrong-${i}`));
    expect(code(await outcome(auth, from('198.51.100.1', 'right-secret')))).toBe('ERR_TOO_MANY_FAILURES');
    expect(await outcome(auth, from('198.51.100.2', 'right-secret'))).toBe('ok');

    for (const key of [
      () => {
        throw new Error('bug');
      },
      () => 42 as unknown as string,
    ]) {
      const broken = setup({ failureLimiterKey: key }).auth;
      const refused = await outcome(broken, post('plain', 'right-secret'));
      expect([(refused as OAuthError).status, code(refused)]).toEqual([503, 'ERR_FAILURE_LIMITER_UNAVAILABLE']);
    }
  });

  it('a blocked Basic client gets 401 invalid_client with WWW-Authenticate Basic and Retry-After (RFC 6749 §5.2); body credentials get 429 (RFC 6585 §4)', async () => {
    const { auth } = setup();
    for (let i = 0; i < 5; i++) await outcome(auth, basic(`basic:wrong-${i}`));
    const blocked = (await outcome(auth, basic('basic:right-secret'))) as OAuthError;
    expect([blocked.status, blocked.code]).toEqual([401, 'ERR_TOO_MANY_FAILURES']);
    const response = errorResponse(blocked);
    expect(response.headers['www-authenticate']).toBe(`Basic realm="${ISSUER}"`);
    expect(response.headers['retry-after']).toBe('300');
    expect(JSON.parse(response.body)).toEqual({
      error: 'invalid_client',
      error_description: 'client authentication failed',
    });

    for (let i = 0; i < 5; i++) await outcome(auth, post('hashed', `wrong-${i}`));
    const body = errorResponse(await outcome(auth, post('hashed', 'right-secret')));
    expect(body.status).toBe(429);
    expect(body.headers['www-authenticate']).toBeUndefined();
    expect(body.headers['retry-after']).toBe('300');
  });
});
