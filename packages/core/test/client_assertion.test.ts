import { createSign, generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { exportJWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ClientMetadata, createClientAuthenticator, isOAuthError, type ReplayStore } from '../src/index.js';
import {
  assertionRequest,
  authenticatorFor,
  b64,
  claims,
  ENDPOINTS,
  hmacRaw,
  ISSUER,
  type KeyPair,
  keyPair,
  NOW,
  outcome,
  SECRET,
  sign,
} from './assertion-helpers.js';

const now = NOW;

function jwtClient(secret = SECRET, extra: Partial<ClientMetadata> = {}): ClientMetadata {
  return { client_id: 'hs-client', client_secret: secret, token_endpoint_auth_method: 'client_secret_jwt', ...extra };
}

function keyClient(keys: KeyPair[], extra: Partial<ClientMetadata> = {}): ClientMetadata {
  return {
    client_id: 'pk-client',
    token_endpoint_auth_method: 'private_key_jwt',
    jwks: { keys: keys.map((key) => ({ ...key.publicJwk }) as never) },
    ...extra,
  };
}

const secretKey = new TextEncoder().encode(SECRET);

describe('private_key_jwt (RFC 7523 §2.2, §3)', () => {
  const pairs: Record<string, KeyPair> = {};
  beforeAll(async () => {
    for (const alg of ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA']) {
      pairs[alg] = await keyPair(alg);
    }
    pairs.Ed25519 = await keyPair('Ed25519');
  });

  for (const alg of [
    'RS256',
    'RS384',
    'RS512',
    'PS256',
    'PS384',
    'PS512',
    'ES256',
    'ES384',
    'ES512',
    'EdDSA',
    'Ed25519',
  ]) {
    it(`accepts an assertion signed with ${alg} by a registered key (RFC 7523 §3 item 9)`, async () => {
      const pair = pairs[alg] as KeyPair;
      const { auth } = authenticatorFor([keyClient([pair])]);
      const jwt = await sign(claims('pk-client', now), pair.privateKey, { alg, kid: pair.publicJwk.kid });
      const result = await auth.authenticate(assertionRequest(jwt), { endpoint: 'token' });
      expect(result.method).toBe('private_key_jwt');
      expect(result.clientId).toBe('pk-client');
    });
  }

  it('finds the client from sub when no client_id is sent, and accepts a matching body client_id (RFC 7521 §4.2)', async () => {
    const pair = pairs.ES256 as KeyPair;
    const { auth } = authenticatorFor([keyClient([pair])]);
    const a = await sign(claims('pk-client', now), pair.privateKey, { alg: 'ES256' });
    expect(await outcome(auth, assertionRequest(a))).toBe('ok');
    const b = await sign(claims('pk-client', now), pair.privateKey, { alg: 'ES256' });
    expect(await outcome(auth, assertionRequest(b, { client_id: 'pk-client' }))).toBe('ok');
  });

  it('refuses a body client_id other than the assertion issuer (RFC 7521 §4.2: "MUST identify the same client")', async () => {
    const pair = pairs.ES256 as KeyPair;
    const other = keyClient([pair], { client_id: 'other' });
    const { auth } = authenticatorFor([keyClient([pair]), other]);
    const jwt = await sign(claims('pk-client', now), pair.privateKey, { alg: 'ES256' });
    expect(await outcome(auth, assertionRequest(jwt, { client_id: 'other' }))).toBe('ERR_CLIENT_ID_MISMATCH');
  });

  it('tries every registered key of the right type when there is no kid (DESIGN.md §3, rotation)', async () => {
    const old = await keyPair('ES256', undefined);
    const fresh = await keyPair('ES256', undefined);
    const { auth } = authenticatorFor([keyClient([old, fresh, pairs.RS256 as KeyPair])]);
    const jwt = await sign(claims('pk-client', now), fresh.privateKey, { alg: 'ES256' });
    expect(await outcome(auth, assertionRequest(jwt))).toBe('ok');
  });

  it('resolves a duplicate kid by kty/crv/alg (FAPI 1 Part 2 §8.9, FAPI 2 §5.4.3)', async () => {
    const rsa = await keyPair('RS256', 'same');
    const ec = await keyPair('ES256', 'same');
    const p384 = await keyPair('ES384', 'same');
    const { auth } = authenticatorFor([keyClient([rsa, p384, ec])]);
    const jwt = await sign(claims('pk-client', now), ec.privateKey, { alg: 'ES256', kid: 'same' });
    expect(await outcome(auth, assertionRequest(jwt))).toBe('ok');
  });

  it('refuses an unknown kid (RFC 7515 §4.1.4)', async () => {
    const pair = pairs.ES256 as KeyPair;
    const { auth } = authenticatorFor([keyClient([pair])]);
    const jwt = await sign(claims('pk-client', now), pair.privateKey, { alg: 'ES256', kid: 'unknown' });
    expect(await outcome(auth, assertionRequest(jwt))).toBe('ERR_ASSERTION_KEY_NOT_FOUND');
  });

  it('ignores keys registered with use "enc" (RFC 7517 §4.2)', async () => {
    const pair = await keyPair('ES256');
    pair.publicJwk.use = 'enc';
    const { auth } = authenticatorFor([keyClient([pair])]);
    const jwt = await sign(claims('pk-client', now), pair.privateKey, { alg: 'ES256' });
    expect(await outcome(auth, assertionRequest(jwt))).toBe('ERR_ASSERTION_KEY_NOT_FOUND');
  });

  it('ignores a registered key whose alg differs from the header alg (RFC 7517 §4.4)', async () => {
    const pair = await keyPair('PS256');
    pair.publicJwk.alg = 'RS256';
    const { auth } = authenticatorFor([keyClient([pair])]);
    const jwt = await sign(claims('pk-client', now), pair.privateKey, { alg: 'PS256' });
    expect(await outcome(auth, assertionRequest(jwt))).toBe('ERR_ASSERTION_KEY_NOT_FOUND');
  });

  it('refuses RSA keys under 2048 bits (RFC 7518 §3.3)', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const jwk = await exportJWK(publicKey);
    const { auth } = authenticatorFor([
      { client_id: 'pk-client', token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [jwk as never] } },
    ]);
    const input = `${b64({ alg: 'RS256' })}.${b64(claims('pk-client', now))}`;
    const signature = createSign('RSA-SHA256').update(input).sign(privateKey).toString('base64url');
    expect(await outcome(auth, assertionRequest(`${input}.${signature}`))).toBe('ERR_ASSERTION_KEY_TOO_WEAK');
  });

  it('refuses a signature by a key the client did not register (RFC 7523 §3 item 9)', async () => {
    const registered = await keyPair('ES256', undefined);
    const attacker = await keyPair('ES256', undefined);
    const { auth } = authenticatorFor([keyClient([registered])]);
    const jwt = await sign(claims('pk-client', now), attacker.privateKey, { alg: 'ES256' });
    expect(await outcome(auth, assertionRequest(jwt))).toBe('ERR_ASSERTION_SIGNATURE_INVALID');
  });

  it('never takes a key from the header jwk (RFC 7515 §4.1.3; DESIGN.md §3)', async () => {
    const registered = await keyPair('ES256', undefined);
    const attacker = await keyPair('ES256', undefined);
    const { auth } = authenticatorFor([keyClient([registered])]);
    const jwt = await sign(claims('pk-client', now), attacker.privateKey, { alg: 'ES256', jwk: attacker.publicJwk });
    expect(await outcome(auth, assertionRequest(jwt))).toBe('ERR_ASSERTION_SIGNATURE_INVALID');
  });

  it('never fetches a header jku or x5u (RFC 7515 §4.1.2, §4.1.5; DESIGN.md §3)', async () => {
    let hits = 0;
    const attacker = await keyPair('ES256', 'k1');
    const server = createServer((_req, res) => {
      hits += 1;
      res.setHeader('content-type', 'application/json').end(JSON.stringify({ keys: [attacker.publicJwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
    try {
      const registered = await keyPair('ES256', 'k0');
      const { auth } = authenticatorFor([keyClient([registered])], { jwks: { allowHttp: true, allow: ['127.0.0.1'] } });
      const jwt = await sign(claims('pk-client', now), attacker.privateKey, {
        alg: 'ES256',
        kid: 'k1',
        jku: url,
        x5u: url,
      });
      expect(await outcome(auth, assertionRequest(jwt))).toBe('ERR_ASSERTION_KEY_NOT_FOUND');
      expect(hits).toBe(0);
    } finally {
      server.close();
    }
  });

  it('refuses HS256 made with the public key as secret: HMAC algorithms are not for private_key_jwt (DESIGN.md §3)', async () => {
    const pair = pairs.RS256 as KeyPair;
    const { auth } = authenticatorFor([keyClient([pair])]);
    const forged = hmacRaw(b64({ alg: 'HS256' }), b64(claims('pk-client', now)), JSON.stringify(pair.publicJwk));
    expect(await outcome(auth, assertionRequest(forged))).toBe('ERR_ASSERTION_ALG_NOT_ALLOWED');
  });

  it('holds the client to its token_endpoint_auth_signing_alg (OpenID Connect Registration §2)', async () => {
    const es = pairs.ES256 as KeyPair;
    const ps = pairs.PS256 as KeyPair;
    const { auth } = authenticatorFor([keyClient([es, ps], { token_endpoint_auth_signing_alg: 'PS256' })]);
    const bad = await sign(claims('pk-client', now), es.privateKey, { alg: 'ES256' });
    expect(await outcome(auth, assertionRequest(bad))).toBe('ERR_ASSERTION_ALG_MISMATCH');
    const good = await sign(claims('pk-client', now), ps.privateKey, { alg: 'PS256' });
    expect(await outcome(auth, assertionRequest(good))).toBe('ok');
  });

  it('treats a registered EdDSA and a header Ed25519 as one algorithm (RFC 9864)', async () => {
    const ed = pairs.Ed25519 as KeyPair;
    const { auth } = authenticatorFor([keyClient([ed], { token_endpoint_auth_signing_alg: 'EdDSA' })]);
    const jwt = await sign(claims('pk-client', now), ed.privateKey, { alg: 'Ed25519' });
    expect(await outcome(auth, assertionRequest(jwt))).toBe('ok');
  });

  it('honours the signingAlgorithms allow-list', async () => {
    const es = pairs.ES256 as KeyPair;
    const { auth } = authenticatorFor([keyClient([es])], { signingAlgorithms: ['PS256'] });
    const jwt = await sign(claims('pk-client', now), es.privateKey, { alg: 'ES256' });
    expect(await outcome(auth, assertionRequest(jwt))).toBe('ERR_ASSERTION_ALG_NOT_ALLOWED');
  });

  it('refuses a client registering both jwks and jwks_uri (RFC 7591 §2)', async () => {
    const es = pairs.ES256 as KeyPair;
    const { auth } = authenticatorFor([keyClient([es], { jwks_uri: 'https://client.example.com/jwks' })]);
    const jwt = await sign(claims('pk-client', now), es.privateKey, { alg: 'ES256' });
    expect(await outcome(auth, assertionRequest(jwt))).toBe('ERR_CLIENT_METADATA_INVALID');
  });

  it('refuses a private_key_jwt client that registered no keys (RFC 7591 §2)', async () => {
    const es = pairs.ES256 as KeyPair;
    const { auth } = authenticatorFor([{ client_id: 'pk-client', token_endpoint_auth_method: 'private_key_jwt' }]);
    const jwt = await sign(claims('pk-client', now), es.privateKey, { alg: 'ES256' });
    expect(await outcome(auth, assertionRequest(jwt))).toBe('ERR_CLIENT_METADATA_INVALID');
  });

  it('refuses an assertion sent to a client registered for a secret method (RFC 6749 §2.3)', async () => {
    const es = pairs.ES256 as KeyPair;
    const { auth } = authenticatorFor([
      { client_id: 'pk-client', client_secret: SECRET, token_endpoint_auth_method: 'client_secret_basic' },
    ]);
    const jwt = await sign(claims('pk-client', now), es.privateKey, { alg: 'ES256' });
    expect(await outcome(auth, assertionRequest(jwt))).toBe('ERR_METHOD_MISMATCH');
  });
});

describe('client_secret_jwt (OpenID Connect Core §9)', () => {
  for (const alg of ['HS256', 'HS384', 'HS512']) {
    it(`accepts ${alg} with a long enough secret (OpenID Connect Core §16.19)`, async () => {
      const { auth } = authenticatorFor([jwtClient()]);
      const jwt = await sign(claims('hs-client', now), secretKey, { alg });
      const result = await auth.authenticate(assertionRequest(jwt), { endpoint: 'token' });
      expect(result.method).toBe('client_secret_jwt');
    });
  }

  for (const [alg, octets] of [
    ['HS256', 31],
    ['HS384', 47],
    ['HS512', 63],
  ] as const) {
    it(`refuses ${alg} with a ${octets}-octet secret (OpenID Connect Core §16.19; RFC 7518 §3.2)`, async () => {
      const secret = 's'.repeat(octets);
      const { auth } = authenticatorFor([jwtClient(secret)]);
      const jwt = await sign(claims('hs-client', now), new TextEncoder().encode(secret), { alg });
      expect(await outcome(auth, assertionRequest(jwt))).toBe('ERR_ASSERTION_SECRET_TOO_SHORT');
    });
  }

  it('refuses asymmetric algorithms for client_secret_jwt (DESIGN.md §3)', async () => {
    const pair = await keyPair('ES256');
    const { auth } = authenticatorFor([jwtClient(SECRET, { jwks: { keys: [pair.publicJwk as never] } })]);
    const jwt = await sign(claims('hs-client', now), pair.privateKey, { alg: 'ES256' });
    expect(await outcome(auth, assertionRequest(jwt))).toBe('ERR_ASSERTION_ALG_NOT_ALLOWED');
  });

  it('refuses a MAC made with another secret (RFC 7523 §3 item 9)', async () => {
    const { auth } = authenticatorFor([jwtClient()]);
    const jwt = await sign(claims('hs-client', now), new TextEncoder().encode('y'.repeat(64)), { alg: 'HS256' });
    expect(await outcome(auth, assertionRequest(jwt))).toBe('ERR_ASSERTION_SIGNATURE_INVALID');
  });

  it('accepts any active secret of a rotating client, but not an expired one (RFC 7591 §3.2.1)', async () => {
    const next = 'n'.repeat(40);
    const expired = 'e'.repeat(40);
    const client = jwtClient(SECRET, {
      client_secrets: [{ value: next }, { value: expired, expires_at: now - 10 }],
    });
    const { auth } = authenticatorFor([client]);
    const a = await sign(claims('hs-client', now), new TextEncoder().encode(next), { alg: 'HS256' });
    expect(await outcome(auth, assertionRequest(a))).toBe('ok');
    const b = await sign(claims('hs-client', now), new TextEncoder().encode(expired), { alg: 'HS256' });
    expect(await outcome(auth, assertionRequest(b))).toBe('ERR_ASSERTION_SIGNATURE_INVALID');
  });

  it('refuses a client whose only secret expired (RFC 7591 §3.2.1)', async () => {
    const { auth } = authenticatorFor([jwtClient(SECRET, { client_secret_expires_at: now - 1 })]);
    const jwt = await sign(claims('hs-client', now), secretKey, { alg: 'HS256' });
    expect(await outcome(auth, assertionRequest(jwt))).toBe('ERR_SECRET_EXPIRED');
  });

  it('needs a retrievable secret: a hashed one cannot be a MAC key (DESIGN.md §3)', async () => {
    const { auth } = authenticatorFor([
      {
        client_id: 'hs-client',
        token_endpoint_auth_method: 'client_secret_jwt',
        client_secrets: [{ hash: '$scrypt$x' }],
      },
    ]);
    const jwt = await sign(claims('hs-client', now), secretKey, { alg: 'HS256' });
    expect(await outcome(auth, assertionRequest(jwt))).toBe('ERR_CLIENT_METADATA_INVALID');
  });
});

describe('assertion envelope (RFC 7523 §2.2, RFC 7515)', () => {
  const { auth } = authenticatorFor([jwtClient()]);
  const payload = () => b64(claims('hs-client', now));

  it('compares client_assertion_type exactly (RFC 7523 §2.2)', async () => {
    const jwt = await sign(claims('hs-client', now), secretKey, { alg: 'HS256' });
    const request = assertionRequest(jwt);
    request.body.client_assertion_type = ['urn:ietf:params:oauth:client-assertion-type:JWT-bearer'];
    expect(await outcome(auth, request)).toBe('ERR_ASSERTION_TYPE_UNSUPPORTED');
    request.body.client_assertion_type = ['urn:ietf:params:oauth:client-assertion-type:saml2-bearer'];
    expect(await outcome(auth, request)).toBe('ERR_ASSERTION_TYPE_UNSUPPORTED');
  });

  it('caps the size before decoding (8 KiB)', async () => {
    const big = await sign(claims('hs-client', now, { pad: 'p'.repeat(9000) }), secretKey, { alg: 'HS256' });
    expect(await outcome(auth, assertionRequest(big, { client_id: 'hs-client' }))).toBe('ERR_ASSERTION_TOO_LARGE');
    expect(await outcome(auth, assertionRequest(big))).toBe('ERR_ASSERTION_TOO_LARGE');
  });

  it('takes exactly one compact JWS (RFC 7523 §2.2: "MUST NOT contain more than one")', async () => {
    const jwt = await sign(claims('hs-client', now), secretKey, { alg: 'HS256' });
    for (const bad of [
      `${jwt} ${jwt}`,
      `${jwt}.${jwt}`,
      `${jwt},${jwt}`,
      'a.b.c.d.e',
      jwt.slice(0, jwt.lastIndexOf('.') + 1),
      `${jwt}=`,
      'not a jwt',
    ]) {
      expect(await outcome(auth, assertionRequest(bad, { client_id: 'hs-client' }))).toBe('ERR_ASSERTION_MALFORMED');
    }
  });

  it('refuses an undecodable payload when the client must be read from it', async () => {
    expect(await outcome(auth, assertionRequest(`${b64({ alg: 'HS256' })}.${b64('not json')}.c2ln`))).toBe(
      'ERR_ASSERTION_MALFORMED',
    );
    expect(await outcome(auth, assertionRequest(`${b64({ alg: 'HS256' })}.${b64('[1]')}.c2ln`))).toBe(
      'ERR_ASSERTION_MALFORMED',
    );
  });

  it('refuses a header that is not a JSON object (RFC 7515 §5.2 step 3)', async () => {
    for (const header of [b64('not json'), b64('[1]'), b64('null'), Buffer.from([0xff, 0xfe]).toString('base64url')]) {
      expect(await outcome(auth, assertionRequest(hmacRaw(header, payload(), SECRET)))).toBe(
        'ERR_ASSERTION_HEADER_INVALID',
      );
    }
  });

  it('refuses an unknown crit extension (RFC 7515 §4.1.11)', async () => {
    const jwt = hmacRaw(b64({ alg: 'HS256', crit: ['exp'], exp: 1 }), payload(), SECRET);
    expect(await outcome(auth, assertionRequest(jwt))).toBe('ERR_ASSERTION_CRIT_UNSUPPORTED');
  });

  it('refuses a malformed crit: duplicates, empty, registered names (RFC 7515 §4.1.11)', async () => {
    for (const crit of [['x', 'x'], [], ['alg'], 'x', [1]]) {
      const jwt = hmacRaw(b64({ alg: 'HS256', crit, x: 1 }), payload(), SECRET);
      expect(await outcome(auth, assertionRequest(jwt))).toBe('ERR_ASSERTION_HEADER_INVALID');
    }
  });

  it('never accepts alg none (RFC 7523 §3 item 9)', async () => {
    for (const alg of ['none', 'None', 'NONE']) {
      const jwt = `${b64({ alg })}.${payload()}.c2ln`;
      expect(await outcome(auth, assertionRequest(jwt))).toBe('ERR_ASSERTION_ALG_NOT_ALLOWED');
    }
    expect(await outcome(auth, assertionRequest(hmacRaw(b64({}), payload(), SECRET)))).toBe(
      'ERR_ASSERTION_HEADER_INVALID',
    );
  });

  for (const typ of [undefined, 'JWT', 'jwt', 'client-authentication+jwt', 'application/client-authentication+jwt']) {
    it(`accepts typ ${JSON.stringify(typ)} (rfc7523bis §4; RFC 7515 §4.1.9)`, async () => {
      const jwt = await sign(
        claims('hs-client', now),
        secretKey,
        typ === undefined ? { alg: 'HS256' } : { alg: 'HS256', typ },
      );
      expect(await outcome(auth, assertionRequest(jwt))).toBe('ok');
    });
  }

  for (const typ of ['dpop+jwt', 'at+jwt', 'oauth-authz-req+jwt', 'application/at+jwt', 'JOSE', 'secevent+jwt']) {
    it(`refuses another explicit type, ${typ} (rfc7523bis §4; RFC 8725 §3.11)`, async () => {
      const jwt = await sign(claims('hs-client', now), secretKey, { alg: 'HS256', typ });
      expect(await outcome(auth, assertionRequest(jwt))).toBe('ERR_ASSERTION_TYP_INVALID');
    });
  }
});

describe('assertion claims (RFC 7523 §3, RFC 7519 §4.1)', () => {
  async function check(extra: Record<string, unknown>, options = {}, endpoint: 'token' | 'introspection' = 'token') {
    const { auth } = authenticatorFor([jwtClient()], options);
    const jwt = await sign(claims('hs-client', now, extra as never), secretKey, { alg: 'HS256' });
    return outcome(auth, assertionRequest(jwt, { client_id: 'hs-client' }), endpoint);
  }

  it('requires iss = client_id (RFC 7523 §3 item 1)', async () => {
    expect(await check({ iss: 'someone-else' })).toBe('ERR_CLIENT_ID_MISMATCH');
    expect(await check({ iss: undefined })).toBe('ERR_ASSERTION_ISS_MISMATCH');
    expect(await check({ iss: 42 })).toBe('ERR_ASSERTION_CLAIMS_INVALID');
  });

  it('requires sub = client_id (RFC 7523 §3 item 2)', async () => {
    expect(await check({ sub: 'someone-else' })).toBe('ERR_ASSERTION_SUB_MISMATCH');
    expect(await check({ sub: undefined })).toBe('ERR_ASSERTION_SUB_MISMATCH');
  });

  it('requires exp, a number (RFC 7523 §3 item 4; RFC 7519 §2 NumericDate)', async () => {
    expect(await check({ exp: undefined })).toBe('ERR_ASSERTION_EXP_MISSING');
    expect(await check({ exp: String(now + 60) })).toBe('ERR_ASSERTION_CLAIMS_INVALID');
  });

  it('refuses an expired assertion beyond the clock tolerance, accepts within (RFC 7523 §3 item 4)', async () => {
    expect(await check({ iat: now - 100, exp: now - 16 })).toBe('ERR_ASSERTION_EXPIRED');
    expect(await check({ iat: now - 100, exp: now - 14 })).toBe('ok');
    expect(await check({ iat: now - 100, exp: now - 14 }, { clockTolerance: 5 })).toBe('ERR_ASSERTION_EXPIRED');
  });

  it('honours nbf with the tolerance (RFC 7523 §3 item 5)', async () => {
    expect(await check({ nbf: now + 10 })).toBe('ok');
    expect(await check({ nbf: now + 20 })).toBe('ERR_ASSERTION_NOT_YET_VALID');
    expect(await check({ nbf: 'soon' })).toBe('ERR_ASSERTION_CLAIMS_INVALID');
  });

  it('refuses an iat beyond the tolerance in the future (RFC 7519 §4.1.6; FAPI 2 §5.3.2.1)', async () => {
    expect(await check({ iat: now + 10, exp: now + 70 })).toBe('ok');
    expect(await check({ iat: now + 20, exp: now + 80 })).toBe('ERR_ASSERTION_IAT_IN_FUTURE');
  });

  it('caps the lifetime at exp − iat ≤ 3600 s, inclusive (DESIGN.md §3; Authlib sends iat + 3600)', async () => {
    expect(await check({ iat: now, exp: now + 3600 })).toBe('ok');
    expect(await check({ iat: now, exp: now + 3601 })).toBe('ERR_ASSERTION_LIFETIME_TOO_LONG');
    expect(await check({ iat: now, exp: now + 600 }, { maxAssertionLifetime: 300 })).toBe(
      'ERR_ASSERTION_LIFETIME_TOO_LONG',
    );
  });

  it('measures the lifetime as exp − now when iat is absent, with the tolerance (DESIGN.md §3)', async () => {
    expect(await check({ iat: undefined, exp: now + 3615 })).toBe('ok');
    expect(await check({ iat: undefined, exp: now + 3616 })).toBe('ERR_ASSERTION_LIFETIME_TOO_LONG');
  });

  it('requires jti (OpenID Connect Core §9)', async () => {
    expect(await check({ jti: undefined })).toBe('ERR_ASSERTION_JTI_MISSING');
    expect(await check({ jti: 7 })).toBe('ERR_ASSERTION_CLAIMS_INVALID');
  });
});

describe('assertion audience (RFC 7523 §3 item 3, rfc7523bis §4, FAPI 2 §5.3.2.1)', () => {
  async function aud(
    value: unknown,
    options: Record<string, unknown> = {},
    endpoint: 'token' | 'introspection' | 'pushed_authorization_request' = 'token',
    typ?: string,
  ) {
    const { auth } = authenticatorFor([jwtClient()], options);
    const header = typ === undefined ? { alg: 'HS256' } : { alg: 'HS256', typ };
    const jwt = await sign(claims('hs-client', now, { aud: value as string }), secretKey, header);
    return outcome(auth, assertionRequest(jwt), endpoint);
  }

  const COMPATIBLE = { audience: 'compatible' };

  it('by default the issuer is the sole audience: the token endpoint URL, another endpoint URL and [attacker, issuer] are refused (rfc7523bis-11 §4; CVE-2025-27370)', async () => {
    expect(await aud(ISSUER)).toBe('ok');
    expect(await aud([ISSUER])).toBe('ok');
    expect(await aud(ENDPOINTS.token)).toBe('ERR_ASSERTION_AUD_MISMATCH');
    expect(await aud(ENDPOINTS.introspection, {}, 'introspection')).toBe('ERR_ASSERTION_AUD_MISMATCH');
    expect(await aud(ENDPOINTS.pushed_authorization_request, {}, 'pushed_authorization_request')).toBe(
      'ERR_ASSERTION_AUD_MISMATCH',
    );
    expect(await aud(['https://attacker.example', ISSUER])).toBe('ERR_ASSERTION_AUD_MISMATCH');
    expect(await aud([ISSUER, ENDPOINTS.token])).toBe('ERR_ASSERTION_AUD_MISMATCH');
    const { auth } = authenticatorFor([jwtClient()]);
    expect(auth.policy().audience).toBe('issuer');
  });

  it('compatible (opt-in): accepts the issuer, the token endpoint and the endpoint called, string or array (RFC 7523 §3; CIBA §7.1; RFC 9126 §2)', async () => {
    expect(await aud(ISSUER, COMPATIBLE)).toBe('ok');
    expect(await aud(ENDPOINTS.token, COMPATIBLE)).toBe('ok');
    expect(await aud([ENDPOINTS.token, 'https://elsewhere.example'], COMPATIBLE)).toBe('ok');
    expect(await aud(['https://attacker.example', ISSUER], COMPATIBLE)).toBe('ok');
    expect(await aud(ENDPOINTS.introspection, COMPATIBLE, 'introspection')).toBe('ok');
    expect(await aud(ENDPOINTS.token, COMPATIBLE, 'pushed_authorization_request')).toBe('ok');
  });

  it('compatible: refuses another endpoint, a foreign server and a missing aud (RFC 7523 §3 item 3)', async () => {
    expect(await aud(ENDPOINTS.introspection, COMPATIBLE, 'token')).toBe('ERR_ASSERTION_AUD_MISMATCH');
    expect(await aud('https://as.example.com.evil.example', COMPATIBLE)).toBe('ERR_ASSERTION_AUD_MISMATCH');
    expect(await aud(`${ISSUER}/`, COMPATIBLE)).toBe('ERR_ASSERTION_AUD_MISMATCH');
    expect(await aud(undefined, COMPATIBLE)).toBe('ERR_ASSERTION_AUD_MISMATCH');
    expect(await aud([], COMPATIBLE)).toBe('ERR_ASSERTION_CLAIMS_INVALID');
    expect(await aud(7, COMPATIBLE)).toBe('ERR_ASSERTION_CLAIMS_INVALID');
    expect(await aud([ISSUER, 7], COMPATIBLE)).toBe('ERR_ASSERTION_CLAIMS_INVALID');
  });

  it('compatible: reports an assertion accepted only thanks to it, on the result and the onAuthenticated event (rfc7523bis §6)', async () => {
    const events: unknown[] = [];
    const { auth } = authenticatorFor([jwtClient()], {
      audience: 'compatible',
      onAuthenticated: (event) => events.push(event),
    });
    const signed = (value: string | string[]) =>
      sign(claims('hs-client', now, { aud: value }), secretKey, { alg: 'HS256' });
    const strict = await auth.authenticate(assertionRequest(await signed(ISSUER)), { endpoint: 'token' });
    const array = await auth.authenticate(assertionRequest(await signed([ISSUER])), { endpoint: 'token' });
    const token = await auth.authenticate(assertionRequest(await signed(ENDPOINTS.token as string)), {
      endpoint: 'token',
    });
    const injected = await auth.authenticate(assertionRequest(await signed(['https://attacker.example', ISSUER])), {
      endpoint: 'token',
    });
    expect([strict.audience, array.audience, token.audience, injected.audience]).toEqual([
      undefined,
      undefined,
      'compatible',
      'compatible',
    ]);
    expect(events).toEqual([
      { clientId: 'hs-client', method: 'client_secret_jwt', endpoint: 'token' },
      { clientId: 'hs-client', method: 'client_secret_jwt', endpoint: 'token' },
      { clientId: 'hs-client', method: 'client_secret_jwt', endpoint: 'token', audience: 'compatible' },
      { clientId: 'hs-client', method: 'client_secret_jwt', endpoint: 'token', audience: 'compatible' },
    ]);
  });

  it('compares aud with configured URLs only, never the request Host (DESIGN.md §3)', async () => {
    const { auth } = authenticatorFor([jwtClient()]);
    const jwt = await sign(claims('hs-client', now, { aud: 'https://attacker.example/token' }), secretKey, {
      alg: 'HS256',
    });
    const request = assertionRequest(jwt);
    request.headers = { host: 'attacker.example', 'x-forwarded-host': 'attacker.example' };
    expect(await outcome(auth, request)).toBe('ERR_ASSERTION_AUD_MISMATCH');
  });

  it('issuer: the issuer as sole value, string or one-element array (rfc7523bis §4, Document History -03)', async () => {
    expect(await aud(ISSUER, { audience: 'issuer' })).toBe('ok');
    expect(await aud([ISSUER], { audience: 'issuer' })).toBe('ok');
    expect(await aud([ISSUER, ENDPOINTS.token], { audience: 'issuer' })).toBe('ERR_ASSERTION_AUD_MISMATCH');
    expect(await aud(ENDPOINTS.token, { audience: 'issuer' })).toBe('ERR_ASSERTION_AUD_MISMATCH');
  });

  it('issuer-string: the issuer as a plain string only (FAPI 2.0 §5.3.2.1)', async () => {
    expect(await aud(ISSUER, { audience: 'issuer-string' })).toBe('ok');
    expect(await aud([ISSUER], { audience: 'issuer-string' })).toBe('ERR_ASSERTION_AUD_MISMATCH');
  });

  it('holds an assertion typed client-authentication+jwt to the issuer (rfc7523bis §4)', async () => {
    expect(await aud(ENDPOINTS.token, COMPATIBLE, 'token', 'client-authentication+jwt')).toBe(
      'ERR_ASSERTION_AUD_MISMATCH',
    );
    expect(await aud([ISSUER], COMPATIBLE, 'token', 'client-authentication+jwt')).toBe('ok');
    expect(await aud([ISSUER], { audience: 'issuer-string' }, 'token', 'client-authentication+jwt')).toBe(
      'ERR_ASSERTION_AUD_MISMATCH',
    );
  });
});

describe('jti replay (OpenID Connect Core §9; RFC 7523 §3 item 7)', () => {
  it('accepts a jti once per client', async () => {
    const { auth } = authenticatorFor([jwtClient()]);
    const jwt = await sign(claims('hs-client', now), secretKey, { alg: 'HS256' });
    expect(await outcome(auth, assertionRequest(jwt))).toBe('ok');
    expect(await outcome(auth, assertionRequest(jwt))).toBe('ERR_ASSERTION_REPLAYED');
  });

  it('keys the jti by client: two clients may use the same jti', async () => {
    const other = jwtClient(SECRET, { client_id: 'hs-other' });
    const { auth } = authenticatorFor([jwtClient(), other]);
    const jti = randomUUID();
    const a = await sign(claims('hs-client', now, { jti }), secretKey, { alg: 'HS256' });
    const b = await sign(claims('hs-other', now, { jti }), secretKey, { alg: 'HS256' });
    expect(await outcome(auth, assertionRequest(a))).toBe('ok');
    expect(await outcome(auth, assertionRequest(b))).toBe('ok');
  });

  it('records the jti only after signature and claims verify: a forgery cannot burn it', async () => {
    const { auth } = authenticatorFor([jwtClient()]);
    const jti = randomUUID();
    const forged = await sign(claims('hs-client', now, { jti }), new TextEncoder().encode('f'.repeat(64)), {
      alg: 'HS256',
    });
    expect(await outcome(auth, assertionRequest(forged))).toBe('ERR_ASSERTION_SIGNATURE_INVALID');
    const wrongAudience = await sign(claims('hs-client', now, { jti, aud: 'https://other.example' }), secretKey, {
      alg: 'HS256',
    });
    expect(await outcome(auth, assertionRequest(wrongAudience))).toBe('ERR_ASSERTION_AUD_MISMATCH');
    const genuine = await sign(claims('hs-client', now, { jti }), secretKey, { alg: 'HS256' });
    expect(await outcome(auth, assertionRequest(genuine))).toBe('ok');
  });

  it('answers 503 temporarily_unavailable when the store fails, never accepting (fail closed)', async () => {
    const failing: ReplayStore = { consume: () => Promise.reject(new Error('store down')) };
    const { auth } = authenticatorFor([jwtClient()], { replayStore: failing });
    const jwt = await sign(claims('hs-client', now), secretKey, { alg: 'HS256' });
    const error = await auth.authenticate(assertionRequest(jwt), { endpoint: 'token' }).catch((e) => e);
    expect(error.code).toBe('ERR_REPLAY_STORE_UNAVAILABLE');
    expect(error.status).toBe(503);
    expect(error.error).toBe('temporarily_unavailable');
  });

  it('lets 50 concurrent uses of one assertion through exactly once', async () => {
    const { auth } = authenticatorFor([jwtClient()]);
    const jwt = await sign(claims('hs-client', now), secretKey, { alg: 'HS256' });
    const results = await Promise.all(Array.from({ length: 50 }, () => outcome(auth, assertionRequest(jwt))));
    expect(results.filter((r) => r === 'ok')).toHaveLength(1);
    expect(results.filter((r) => r === 'ERR_ASSERTION_REPLAYED')).toHaveLength(49);
  });
});

describe('assertion options and metadata (RFC 8414 §2)', () => {
  it('lists the enabled algorithms per endpoint, never none (RFC 8414 §2)', () => {
    const { auth } = authenticatorFor([], {
      methods: ['client_secret_basic', 'private_key_jwt', 'client_secret_jwt'],
      endpointMethods: { introspection: ['client_secret_basic'], revocation: ['private_key_jwt'] },
      signingAlgorithms: ['HS256', 'PS256', 'ES256'],
    });
    const metadata = auth.metadata();
    expect(metadata.token_endpoint_auth_signing_alg_values_supported).toEqual(['HS256', 'PS256', 'ES256']);
    expect(metadata.revocation_endpoint_auth_signing_alg_values_supported).toEqual(['PS256', 'ES256']);
    expect(metadata.introspection_endpoint_auth_signing_alg_values_supported).toBeUndefined();
    expect(metadata.token_endpoint_auth_methods_supported).toContain('private_key_jwt');
  });

  it('throws TypeError for bad assertion options at setup', () => {
    const base = { issuer: ISSUER, getClient: () => undefined };
    for (const bad of [
      { clockTolerance: -1 },
      { clockTolerance: '15' },
      { maxAssertionLifetime: 0 },
      { audience: 'everything' },
      { signingAlgorithms: ['none'] },
      { signingAlgorithms: [] },
      { signingAlgorithms: 'RS256' },
      { replayStore: {} },
      { jwks: { timeout: 0 } },
      { jwks: { allow: ['10.0.0.0/33'] } },
      { jwks: { allow: [''] } },
      { jwks: { allowHttp: 'yes' } },
      { jwks: { minFreshness: 100, maxFreshness: 10 } },
      { jwks: { fetch: 'fetch' } },
    ]) {
      expect(() => createClientAuthenticator({ ...base, ...(bad as object) })).toThrow(TypeError);
    }
  });
});

describe('assertion robustness (RFC 7523 §3 item 10: reject a JWT invalid in any other respect)', () => {
  it('tries at most 8 registered keys for an assertion without kid (DESIGN.md §3: a bounded number)', async () => {
    const pairs = await Promise.all(Array.from({ length: 9 }, () => keyPair('ES256', undefined)));
    const { auth } = authenticatorFor([keyClient(pairs)]);
    const eighth = await sign(claims('pk-client', now), (pairs[7] as KeyPair).privateKey, { alg: 'ES256' });
    expect(await outcome(auth, assertionRequest(eighth))).toBe('ok');
    const ninth = await sign(claims('pk-client', now), (pairs[8] as KeyPair).privateKey, { alg: 'ES256' });
    expect(await outcome(auth, assertionRequest(ninth))).toBe('ERR_ASSERTION_SIGNATURE_INVALID');
  });

  it('answers any garbage with a 401 invalid_client, never a 500 or a success', async () => {
    const { auth } = authenticatorFor([jwtClient()]);
    const segment = fc.oneof(
      fc.string().map((text) => b64(text)),
      fc.jsonValue().map((value) => b64(value)),
      fc.dictionary(fc.constantFrom('alg', 'typ', 'kid', 'crit', 'jku', 'iss', 'sub', 'exp'), fc.jsonValue()).map(b64),
      fc.constant(b64({ alg: 'HS256' })),
      fc.constant(b64(claims('hs-client', now))),
    );
    await fc.assert(
      fc.asyncProperty(
        // (An empty client_assertion counts as omitted, RFC 6749 §3.2: a 400 tested elsewhere.)
        fc.oneof(
          fc.string({ minLength: 1 }),
          fc.tuple(segment, segment, segment).map((parts) => parts.join('.')),
        ),
        fc.boolean(),
        async (assertion, withClientId) => {
          const request = assertionRequest(assertion, withClientId ? { client_id: 'hs-client' } : {});
          const error = await auth.authenticate(request, { endpoint: 'token' }).then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(isOAuthError(error)).toBe(true);
          expect((error as { status: number }).status).toBe(401);
        },
      ),
      { numRuns: 300 },
    );
  });
});
