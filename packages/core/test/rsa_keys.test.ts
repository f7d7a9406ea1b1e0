/**
 * RSA key bounds (rsa_keys.ts): an odd public exponent with 2^16 < e < 2^33 (FIPS 186-4 §B.3.1,
 * upper bound tightened as ring does) and a modulus of at most 8192 bits. A registered key outside
 * them is refused by validateClientMetadata and never tried: the assertion it signed is refused
 * (the refusal itself shows the key was not used, since it would have verified).
 */
import { createPublicKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestPki, type Issued, type TestPki } from '../../../test/helpers/pki.js';
import { randomOdd, rsaKeyWithExponent } from '../../../test/helpers/rsa.js';
import {
  type ClientJWK,
  type ClientMetadata,
  createClientAuthenticator,
  isOAuthError,
  MAX_RSA_BITS,
  MAX_RSA_EXPONENT_BITS,
  type PresentedCertificate,
  validateClientMetadata,
} from '../src/index.js';
import { rsaExponentAcceptable, rsaJwkExponent } from '../src/rsa_keys.js';
import { assertionRequest, authenticatorFor, b64, claims, ISSUER, NOW, outcome } from './assertion-helpers.js';

const keys: Record<'huge' | 'over33' | 'max33' | 'three' | 'f4', KeyObject> = {} as never;
let pki: TestPki;

beforeAll(async () => {
  const [huge, over33, max33] = await Promise.all([
    rsaKeyWithExponent(2048, randomOdd(2000)),
    rsaKeyWithExponent(2048, (1n << 33n) + 1n),
    rsaKeyWithExponent(2048, (1n << 33n) - 1n),
  ]);
  Object.assign(keys, {
    huge,
    over33,
    max33,
    three: generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 3 }).privateKey,
    f4: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
  });
  pki = await createTestPki();
}, 120_000);

function publicJwk(key: KeyObject, extra: Partial<ClientJWK> = {}): ClientJWK {
  return { ...(createPublicKey(key).export({ format: 'jwk' }) as ClientJWK), ...extra };
}

/** An RS256 compact JWS signed with node:crypto (jose is not asked to handle odd exponents). */
function rs256(payload: object, key: KeyObject, header: Record<string, unknown> = {}): string {
  const input = `${b64({ alg: 'RS256', ...header })}.${b64(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

function keyClient(jwks: ClientJWK[]): ClientMetadata {
  return { client_id: 'rsa-client', token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: jwks } };
}

/** A JWK with a modulus of exactly `bits` bits (not a real key: it is only counted or refused). */
function modulusOf(bits: number): ClientJWK {
  const octets = Buffer.alloc(Math.ceil(bits / 8), 0xff);
  octets[0] = 0xff >> (octets.length * 8 - bits);
  return { kty: 'RSA', n: octets.toString('base64url'), e: 'AQAB', kid: `n${bits}` };
}

describe('RSA public exponent bounds (FIPS 186-4 §B.3.1: odd, 2^16 < e; e < 2^33 as ring)', () => {
  it('accepts odd exponents from 65537 to 2^33 − 1 only', () => {
    for (const e of [65_537n, 65_539n, (1n << 32n) + 1n, (1n << 33n) - 1n])
      expect(rsaExponentAcceptable(e), `${e}`).toBe(true);
    for (const e of [1n, 3n, 17n, 65_535n, 65_536n, 65_538n, 1n << 33n, (1n << 33n) + 1n, (1n << 255n) + 1n]) {
      expect(rsaExponentAcceptable(e), `${e}`).toBe(false);
    }
    expect(MAX_RSA_EXPONENT_BITS).toBe(33);
  });

  it('reads e as RFC 7518 §6.3.1.2 Base64urlUInt, refusing malformed and over-long values unparsed', () => {
    expect(rsaJwkExponent({ kty: 'RSA', e: 'AQAB' })).toBe(65_537n);
    expect(rsaJwkExponent({ kty: 'RSA', e: 'AAEAAQ' })).toBe(65_537n);
    for (const e of [undefined, '', 'AQ=B', 'A'.repeat(13), 65537]) {
      expect(rsaJwkExponent({ kty: 'RSA', e } as ClientJWK)).toBeUndefined();
    }
  });
});

describe('private_key_jwt: RSA keys outside the bounds are never tried (RFC 7523 §3 item 9)', () => {
  it.each([
    ['a 2000-bit exponent', 'huge'],
    ['e = 2^33 + 1 (34 bits)', 'over33'],
    ['e = 3 (FIPS 186-4 §B.3.1: e > 2^16)', 'three'],
  ] as const)(
    'refuses an assertion signed with a registered key with %s: ERR_ASSERTION_KEY_UNSUITABLE',
    async (_t, name) => {
      const key = keys[name];
      const { auth } = authenticatorFor([keyClient([publicJwk(key, { kid: name })])]);
      const jwt = rs256(claims('rsa-client', NOW), key, { kid: name });
      expect(await outcome(auth, assertionRequest(jwt))).toBe('ERR_ASSERTION_KEY_UNSUITABLE');
    },
  );

  it('accepts the bounds themselves: e = 65537 and e = 2^33 − 1', async () => {
    for (const name of ['f4', 'max33'] as const) {
      const { auth } = authenticatorFor([keyClient([publicJwk(keys[name])])]);
      expect(await outcome(auth, assertionRequest(rs256(claims('rsa-client', NOW), keys[name]))), name).toBe('ok');
    }
  });

  it('skips an unsuitable key beside good ones: its own signature no longer verifies, the good key still does', async () => {
    const registered = [publicJwk(keys.huge), publicJwk(keys.f4)];
    const { auth } = authenticatorFor([keyClient(registered)]);
    expect(await outcome(auth, assertionRequest(rs256(claims('rsa-client', NOW), keys.huge)))).toBe(
      'ERR_ASSERTION_SIGNATURE_INVALID',
    );
    expect(await outcome(auth, assertionRequest(rs256(claims('rsa-client', NOW), keys.f4)))).toBe('ok');
  });

  it(`refuses a modulus over MAX_RSA_BITS (${MAX_RSA_BITS}) without trying it; ${MAX_RSA_BITS} bits is tried`, async () => {
    const jwt = rs256(claims('rsa-client', NOW), keys.f4);
    const over = authenticatorFor([keyClient([modulusOf(MAX_RSA_BITS + 1)])]).auth;
    expect(await outcome(over, assertionRequest(jwt))).toBe('ERR_ASSERTION_KEY_UNSUITABLE');
    const at = authenticatorFor([keyClient([modulusOf(MAX_RSA_BITS)])]).auth;
    expect(await outcome(at, assertionRequest(jwt))).toBe('ERR_ASSERTION_SIGNATURE_INVALID');
  });

  it('still reports ERR_ASSERTION_KEY_TOO_WEAK when the only fitting key is under 2048 bits (RFC 7518 §3.3)', async () => {
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    const { auth } = authenticatorFor([keyClient([publicJwk(weak)])]);
    expect(await outcome(auth, assertionRequest(rs256(claims('rsa-client', NOW), weak)))).toBe(
      'ERR_ASSERTION_KEY_TOO_WEAK',
    );
  });
});

describe('validateClientMetadata refuses RSA keys outside the bounds (RFC 7591 §3.2.2)', () => {
  it('in jwks: an exponent out of range and a modulus over 8192 bits, each with its own problem', () => {
    const check = (jwk: ClientJWK) =>
      validateClientMetadata(keyClient([jwk])).problems.map((problem) => problem.error_description);
    expect(check(publicJwk(keys.f4))).toEqual([]);
    expect(check(publicJwk(keys.max33))).toEqual([]);
    for (const name of ['huge', 'over33', 'three'] as const) {
      expect(check(publicJwk(keys[name])), name).toEqual([
        'jwks.keys[0]: the RSA public exponent must be odd, above 2^16 (FIPS 186-4 §B.3.1) and below 2^33',
      ]);
    }
    expect(check(modulusOf(MAX_RSA_BITS + 1))).toEqual([`jwks.keys[0]: RSA keys must be at most ${MAX_RSA_BITS} bits`]);
    expect(check(modulusOf(MAX_RSA_BITS))).toEqual([]);
  });

  it('in the certificate of x5c[0] (RFC 8705 §2.2.2)', async () => {
    const leaf = await pki.issue({ subject: [['CN', 'huge exponent']], issuer: 'self', rsaKey: keys.huge });
    const own = { ...publicJwk(keys.huge), x5c: [Buffer.from(leaf.der).toString('base64')] };
    const problems = validateClientMetadata({
      client_id: 'self',
      token_endpoint_auth_method: 'self_signed_tls_client_auth',
      jwks: { keys: [own] },
    }).problems.map((problem) => problem.error_description);
    expect(problems).toContain(
      'jwks.keys[0]: x5c[0]: the RSA public exponent must be odd, above 2^16 (FIPS 186-4 §B.3.1) and below 2^33',
    );
  });
});

describe('mutual TLS: certificates with RSA keys outside the bounds (RFC 8705 §2)', () => {
  const request = (clientId: string, certificate: PresentedCertificate) => ({
    headers: {},
    body: { client_id: [clientId] },
    secure: true,
    certificate,
  });
  const presented = (leaf: Issued, chainValidated: boolean, chain?: Issued[]): PresentedCertificate => ({
    der: leaf.der,
    chainValidated,
    source: 'socket',
    ...(chain === undefined ? {} : { chain: chain.map((link) => link.der) }),
  });
  async function code(client: ClientMetadata, certificate: PresentedCertificate, trustAnchors?: string) {
    const auth = createClientAuthenticator({
      issuer: ISSUER,
      getClient: (id) => (id === client.client_id ? client : undefined),
      ...(trustAnchors === undefined ? { certificates: { from: 'socket', chainValidated: true } } : { trustAnchors }),
    });
    try {
      await auth.authenticate(request(client.client_id, certificate), { endpoint: 'token' });
      return 'ok';
    } catch (error) {
      if (isOAuthError(error)) return error.code;
      throw error;
    }
  }

  it('tls_client_auth refuses a client certificate whose RSA exponent has 2000 bits: ERR_MTLS_KEY_UNSUITABLE', async () => {
    const client = {
      client_id: 'pki',
      token_endpoint_auth_method: 'tls_client_auth',
      tls_client_auth_san_dns: 'c.example',
    };
    const odd = await pki.issue({ subject: [['CN', 'odd']], san: { dns: ['c.example'] }, rsaKey: keys.huge });
    const plain = await pki.issue({ subject: [['CN', 'plain']], san: { dns: ['c.example'] }, rsaKey: keys.f4 });
    expect(await code(client, presented(odd, true))).toBe('ERR_MTLS_KEY_UNSUITABLE');
    expect(await code(client, presented(plain, true))).toBe('ok');
  });

  it('self_signed_tls_client_auth refuses a registered certificate with e = 3: ERR_MTLS_KEY_UNSUITABLE', async () => {
    const leaf = await pki.issue({ subject: [['CN', 'e=3']], issuer: 'self', rsaKey: keys.three });
    const jwk = { ...publicJwk(keys.three), x5c: [Buffer.from(leaf.der).toString('base64')] };
    const client: ClientMetadata = {
      client_id: 'self',
      token_endpoint_auth_method: 'self_signed_tls_client_auth',
      jwks: { keys: [jwk] },
    };
    expect(await code(client, presented(leaf, false))).toBe('ERR_MTLS_KEY_UNSUITABLE');
  });

  it('never checks a signature with a presented intermediate whose RSA exponent has 2000 bits (RFC 5280 §6.1)', async () => {
    const client = {
      client_id: 'pki',
      token_endpoint_auth_method: 'tls_client_auth',
      tls_client_auth_san_dns: 'c.example',
    };
    const odd = await pki.createCa('Odd Intermediate CA', { issuer: pki.ca, rsaKey: keys.huge });
    const plain = await pki.createCa('Plain Intermediate CA', { issuer: pki.ca, rsaKey: keys.f4 });
    const underOdd = await pki.issue({ subject: [['CN', 'leaf']], san: { dns: ['c.example'] }, issuer: odd });
    const underPlain = await pki.issue({ subject: [['CN', 'leaf']], san: { dns: ['c.example'] }, issuer: plain });
    expect(await code(client, presented(underOdd, true, [odd]), pki.ca.certPem)).toBe('ERR_MTLS_CHAIN_NOT_VALIDATED');
    expect(await code(client, presented(underPlain, true, [plain]), pki.ca.certPem)).toBe('ok');
  });

  it('minimumKeySizes.rsa above MAX_RSA_BITS is a TypeError at setup (no RSA key could pass)', () => {
    expect(() =>
      createClientAuthenticator({ issuer: ISSUER, getClient: () => undefined, minimumKeySizes: { rsa: 16_384 } }),
    ).toThrow(TypeError);
    expect(() =>
      createClientAuthenticator({ issuer: ISSUER, getClient: () => undefined, minimumKeySizes: { rsa: MAX_RSA_BITS } }),
    ).not.toThrow();
  });
});
