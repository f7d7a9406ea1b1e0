/**
 * attest_jwt_client_auth in the core (draft-ietf-oauth-attestation-based-client-auth-10): the
 * rules the case table cannot show in one request (replay, single-use challenges, the store
 * down), the options checked at setup, metadata, and the result handed to the host.
 */
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { attestationHeaders, attestersOf, createWallet, type Wallet } from '../../../test/helpers/wallet.js';
import {
  type AttestationOptions,
  type ClientAuthenticatorOptions,
  type ClientAuthRequest,
  createClientAuthenticator,
  type FailureEvent,
  isOAuthError,
} from '../src/index.js';

const A = 'draft-ietf-oauth-attestation-based-client-auth-10';
const ISSUER = 'https://as.example.test';
const SECRET = 'a-challenge-secret-of-at-least-32-octets!';
let wallet: Wallet;

beforeAll(async () => {
  wallet = await createWallet('wallet');
});

const clients = new Map([
  ['wallet', { client_id: 'wallet', token_endpoint_auth_method: 'attest_jwt_client_auth' }],
  [
    'secret-client',
    { client_id: 'secret-client', client_secret: 's', token_endpoint_auth_method: 'client_secret_basic' },
  ],
]);

function authenticator(attestation: Partial<AttestationOptions> = {}, extra: Partial<ClientAuthenticatorOptions> = {}) {
  return createClientAuthenticator({
    issuer: ISSUER,
    getClient: (id) => clients.get(id),
    endpoints: { token: `${ISSUER}/token` },
    attestation: { attesters: attestersOf(wallet), ...attestation },
    ...extra,
  });
}

function requestOf(headers: [string, string][], body: Record<string, string[]> = {}): ClientAuthRequest {
  return {
    headers: Object.fromEntries(headers.map(([name, value]) => [name.toLowerCase(), value])),
    body,
    secure: true,
  };
}

async function outcome(
  promise: Promise<unknown>,
): Promise<{ status: number; error?: string; code?: string; challenge?: string }> {
  try {
    await promise;
    return { status: 200 };
  } catch (error) {
    if (!isOAuthError(error)) throw error;
    return {
      status: error.status,
      error: error.error,
      code: error.code,
      ...(error.attestationChallenge === undefined ? {} : { challenge: error.attestationChallenge }),
    };
  }
}

describe(`attest_jwt_client_auth (${A})`, () => {
  it(`returns the client, the method and the Client Instance Key, public members only (${A} §4, §9.3)`, async () => {
    const auth = authenticator();
    const result = await auth.authenticate(requestOf(await attestationHeaders(wallet, ISSUER)), { endpoint: 'token' });
    expect(result).toMatchObject({ clientId: 'wallet', method: 'attest_jwt_client_auth', endpoint: 'token' });
    const { d: _private, ...publicJwk } = (await exportJWK(wallet.instance.privateKey)) as Record<string, unknown>;
    expect(result.attestation).toEqual({ jwk: publicJwk, attester: wallet.attester.iss });
    expect(result.attestationChallenge).toBeUndefined();
  });

  it(`refuses a PoP used twice: its jti is single-use (${A} §12.1)`, async () => {
    const auth = authenticator();
    const request = requestOf(await attestationHeaders(wallet, ISSUER));
    expect(await outcome(auth.authenticate(request, { endpoint: 'token' }))).toEqual({ status: 200 });
    expect(await outcome(auth.authenticate(request, { endpoint: 'pushed_authorization_request' }))).toEqual({
      status: 401,
      error: 'invalid_client',
      code: 'ERR_ATTESTATION_POP_REPLAYED',
    });
  });

  it(`a forged PoP burns no jti: the jti is recorded only after every check (${A} §9.7)`, async () => {
    const auth = authenticator();
    const jti = 'kept-for-the-real-one';
    const forged = await attestationHeaders(wallet, ISSUER, {
      pop: { claims: { jti, aud: 'https://elsewhere.test' } },
    });
    expect((await outcome(auth.authenticate(requestOf(forged), { endpoint: 'token' }))).code).toBe(
      'ERR_ATTESTATION_POP_AUD_MISMATCH',
    );
    const real = await attestationHeaders(wallet, ISSUER, { pop: { claims: { jti } } });
    expect(await outcome(auth.authenticate(requestOf(real), { endpoint: 'token' }))).toEqual({ status: 200 });
  });

  it(`challenges: issued, accepted once, refused when reused, with a fresh one each time (${A} §6, §7.4, §12.1)`, async () => {
    const auth = authenticator({ challenges: {} });
    const challenge = auth.attestationChallenge();
    const first = await auth.authenticate(requestOf(await attestationHeaders(wallet, ISSUER, { pop: { challenge } })), {
      endpoint: 'token',
    });
    // §6.2: the success carries the challenge for the next PoP.
    expect(first.attestationChallenge).toMatch(/^[A-Za-z0-9_-]{32}\.[A-Za-z0-9_-]{43}$/);
    const reused = await outcome(
      auth.authenticate(requestOf(await attestationHeaders(wallet, ISSUER, { pop: { challenge } })), {
        endpoint: 'token',
      }),
    );
    expect(reused).toMatchObject({
      status: 400,
      error: 'use_attestation_challenge',
      code: 'ERR_ATTESTATION_CHALLENGE_REUSED',
    });
    expect(reused.challenge).not.toBe(challenge);
    // The fresh challenge of the refusal works.
    expect(
      await outcome(
        auth.authenticate(
          requestOf(await attestationHeaders(wallet, ISSUER, { pop: { challenge: reused.challenge } })),
          {
            endpoint: 'token',
          },
        ),
      ),
    ).toEqual({ status: 200 });
  });

  it(`a challenge of another key, or of another issuer with the same key, is not this server's (${A} §7.2 item 5)`, async () => {
    const auth = authenticator({ challenges: { secret: SECRET } });
    const otherKey = authenticator({ challenges: { secret: `${SECRET}-other` } }).attestationChallenge();
    const otherIssuer = createClientAuthenticator({
      issuer: 'https://other.example.test',
      getClient: () => undefined,
      attestation: { attesters: attestersOf(wallet), challenges: { secret: SECRET } },
    }).attestationChallenge();
    for (const challenge of [otherKey, otherIssuer]) {
      const result = await outcome(
        auth.authenticate(requestOf(await attestationHeaders(wallet, ISSUER, { pop: { challenge } })), {
          endpoint: 'token',
        }),
      );
      expect(result.code).toBe('ERR_ATTESTATION_CHALLENGE_INVALID');
    }
  });

  it(`a challenge expires after its lifetime, on the server's own clock (${A} §12.1)`, async () => {
    let now = Date.now();
    const auth = authenticator({ challenges: { lifetime: 30 } }, { now: () => now });
    const challenge = auth.attestationChallenge();
    now += 31_000;
    const headers = await attestationHeaders(wallet, ISSUER, {
      pop: { challenge, claims: { iat: Math.floor(now / 1000) } },
    });
    expect((await outcome(auth.authenticate(requestOf(headers), { endpoint: 'token' }))).code).toBe(
      'ERR_ATTESTATION_CHALLENGE_EXPIRED',
    );
  });

  it('fails closed with 503 when the replay store cannot record the jti', async () => {
    const auth = authenticator({}, { replayStore: { consume: () => Promise.reject(new Error('redis down')) } });
    expect(
      await outcome(auth.authenticate(requestOf(await attestationHeaders(wallet, ISSUER)), { endpoint: 'token' })),
    ).toEqual({
      status: 503,
      error: 'temporarily_unavailable',
      code: 'ERR_REPLAY_STORE_UNAVAILABLE',
    });
  });

  it(`an attestation without iss is verified with the keys of every attester that fit (${A} §4 defines no iss)`, async () => {
    const auth = authenticator();
    const headers = await attestationHeaders(wallet, ISSUER, { attestation: { claims: { iss: undefined } } });
    const result = await auth.authenticate(requestOf(headers), { endpoint: 'token' });
    expect(result.attestation?.attester).toBeUndefined();
  });

  it(`an attestation whose kid names no attester key is refused (${A} §7.1 item 4)`, async () => {
    const auth = authenticator();
    const headers = await attestationHeaders(wallet, ISSUER, { attestation: { header: { kid: 'rotated-away' } } });
    expect((await outcome(auth.authenticate(requestOf(headers), { endpoint: 'token' }))).code).toBe(
      'ERR_ATTESTATION_KEY_NOT_FOUND',
    );
  });

  it(`an attestation with a crit header is refused (RFC 7515 §4.1.11)`, async () => {
    const auth = authenticator();
    const headers = await attestationHeaders(wallet, ISSUER, { attestation: { header: { crit: ['b64'], b64: true } } });
    expect((await outcome(auth.authenticate(requestOf(headers), { endpoint: 'token' }))).code).toBe(
      'ERR_ATTESTATION_HEADER_INVALID',
    );
  });

  it(`maxAttestationAge: an older attestation, or one without iat, is use_fresh_attestation (${A} §7.1 item 6)`, async () => {
    const auth = authenticator({ maxAttestationAge: 600 });
    const now = Math.floor(Date.now() / 1000);
    for (const iat of [now - 3600, undefined]) {
      const headers = await attestationHeaders(wallet, ISSUER, { attestation: { claims: { iat } } });
      expect(await outcome(auth.authenticate(requestOf(headers), { endpoint: 'token' }))).toEqual({
        status: 400,
        error: 'use_fresh_attestation',
        code: 'ERR_ATTESTATION_TOO_OLD',
      });
    }
  });

  it(`a PoP issued beyond the clock tolerance ahead is refused (RFC 7519 §4.1.6; ${A} §7.2 item 6)`, async () => {
    const auth = authenticator();
    const headers = await attestationHeaders(wallet, ISSUER, {
      pop: { claims: { iat: Math.floor(Date.now() / 1000) + 60 } },
    });
    expect((await outcome(auth.authenticate(requestOf(headers), { endpoint: 'token' }))).code).toBe(
      'ERR_ATTESTATION_POP_NOT_YET_VALID',
    );
  });

  it(`a PoP whose alg does not fit cnf.jwk is refused (${A} §5.1 rule 3)`, async () => {
    const { privateKey } = await generateKeyPair('ES384');
    const pop = await new SignJWT({ aud: ISSUER, jti: 'x', iat: Math.floor(Date.now() / 1000) })
      .setProtectedHeader({ alg: 'ES384', typ: 'oauth-client-attestation-pop+jwt' })
      .sign(privateKey);
    const [attestation] = await attestationHeaders(wallet, ISSUER);
    const auth = authenticator();
    const request = requestOf([attestation as [string, string], ['OAuth-Client-Attestation-PoP', pop]]);
    expect((await outcome(auth.authenticate(request, { endpoint: 'token' }))).code).toBe(
      'ERR_ATTESTATION_POP_ALG_NOT_ALLOWED',
    );
  });

  it('headers joined with a comma (a repetition through the Fetch API) are refused as repeated', async () => {
    const auth = authenticator();
    const [attestation, pop] = (await attestationHeaders(wallet, ISSUER)) as [[string, string], [string, string]];
    const request = requestOf([[attestation[0], `${attestation[1]}, ${attestation[1]}`], pop]);
    expect((await outcome(auth.authenticate(request, { endpoint: 'token' }))).code).toBe(
      'ERR_ATTESTATION_HEADER_REPEATED',
    );
  });

  it('reports the refusal code to onFailure, and never the attestation', async () => {
    const events: FailureEvent[] = [];
    const auth = authenticator({}, { onFailure: (event) => events.push(event) });
    const headers = await attestationHeaders(wallet, ISSUER, { pop: { claims: { aud: 'https://elsewhere.test' } } });
    await outcome(auth.authenticate(requestOf(headers), { endpoint: 'token' }));
    expect(events.map((event) => [event.code, event.clientId])).toEqual([
      ['ERR_ATTESTATION_POP_AUD_MISMATCH', 'wallet'],
    ]);
    expect(JSON.stringify(events)).not.toContain((headers[0] as [string, string])[1].split('.')[1]);
  });

  it(`publishes the method, both algorithm lists and the challenge endpoint (${A} §8, §6.1)`, () => {
    const metadata = authenticator({
      challenges: { endpoint: `${ISSUER}/challenge` },
      popSigningAlgorithms: ['ES256'],
    }).metadata();
    expect(metadata.token_endpoint_auth_methods_supported).toContain('attest_jwt_client_auth');
    expect(metadata.client_attestation_pop_signing_alg_values_supported).toEqual(['ES256']);
    expect(metadata.client_attestation_signing_alg_values_supported).toContain('EdDSA');
    expect(metadata.client_attestation_signing_alg_values_supported).not.toContain('HS256');
    expect(metadata.challenge_endpoint).toBe(`${ISSUER}/challenge`);
    // Without the option, none of it.
    const plain = createClientAuthenticator({ issuer: ISSUER, getClient: () => undefined }).metadata();
    expect(plain.token_endpoint_auth_methods_supported).not.toContain('attest_jwt_client_auth');
    expect(plain.client_attestation_signing_alg_values_supported).toBeUndefined();
  });

  it('a FAPI profile leaves the method out of the default methods (FAPI 2.0 §5.3.2.1-6)', () => {
    const auth = authenticator({}, { profile: 'fapi2' });
    expect(auth.metadata().token_endpoint_auth_methods_supported).not.toContain('attest_jwt_client_auth');
  });
});

describe('the attestation option is checked at setup (TypeError)', () => {
  const bad: [string, () => unknown][] = [
    [
      'listing the method without attesters',
      () =>
        createClientAuthenticator({ issuer: ISSUER, getClient: () => undefined, methods: ['attest_jwt_client_auth'] }),
    ],
    ['no attester', () => authenticator({ attesters: {} })],
    [
      'an attester key with private parts',
      async () =>
        authenticator({ attesters: { x: { jwks: { keys: [await exportJWK(wallet.attester.privateKey)] } } } }),
    ],
    ['an unknown option', () => authenticator({ maxAge: 5 } as never)],
    ['an HMAC attestation algorithm', () => authenticator({ signingAlgorithms: ['HS256'] as never })],
    ['a short challenge secret', () => authenticator({ challenges: { secret: 'short' } })],
    ['a challenge endpoint that is no URL', () => authenticator({ challenges: { endpoint: 'challenge' } })],
    ['a maxPopAge of 0', () => authenticator({ maxPopAge: 0 })],
  ];
  for (const [title, make] of bad) {
    it(`refuses ${title}`, async () => {
      await expect(Promise.resolve().then(make)).rejects.toThrow(TypeError);
    });
  }

  it('attestationChallenge() without challenges is a TypeError', () => {
    expect(() => authenticator().attestationChallenge()).toThrow(TypeError);
  });
});
