import { generateKeyPairSync } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestPki, type TestPki } from '../../../test/helpers/pki.js';
import { type ClientJWK, validateClientMetadata } from '../src/index.js';

let pki: TestPki;
let es256: ClientJWK;
let rsa1024: ClientJWK;
let privateJwk: ClientJWK;
let selfSignedJwk: ClientJWK;
let mismatchedX5c: ClientJWK;

beforeAll(async () => {
  pki = await createTestPki();
  const ec = await generateKeyPair('ES256', { extractable: true });
  es256 = { ...(await exportJWK(ec.publicKey)), kid: 'ec' } as ClientJWK;
  privateJwk = (await exportJWK(ec.privateKey)) as ClientJWK;
  rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' }) as ClientJWK;
  const leaf = pki.leaves.selfSignedP256;
  const x5c = [Buffer.from(leaf.der).toString('base64')];
  selfSignedJwk = { ...(leaf.x509.publicKey.export({ format: 'jwk' }) as ClientJWK), x5c };
  mismatchedX5c = { ...es256, x5c };
}, 60_000);

const problemsOf = (metadata: unknown, options = {}) => validateClientMetadata(metadata, options).problems;
const fields = (metadata: unknown, options = {}) => problemsOf(metadata, options).map((problem) => problem.field);

describe('validateClientMetadata (RFC 7591 §2)', () => {
  it('accepts well-formed clients of every method', () => {
    const clients = [
      { client_id: 'a', client_secret: 's' },
      { client_id: 'b', token_endpoint_auth_method: 'client_secret_post', client_secret: 's' },
      { client_id: 'c', token_endpoint_auth_method: 'client_secret_jwt', client_secret: 'x'.repeat(32) },
      {
        client_id: 'd',
        token_endpoint_auth_method: 'private_key_jwt',
        jwks: { keys: [es256] },
        token_endpoint_auth_signing_alg: 'ES256',
      },
      { client_id: 'e', token_endpoint_auth_method: 'private_key_jwt', jwks_uri: 'https://client.example.com/jwks' },
      {
        client_id: 'f',
        token_endpoint_auth_method: 'tls_client_auth',
        tls_client_auth_subject_dn: 'CN=f,O=Example\\, Inc.,C=US',
      },
      { client_id: 'g', token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_san_ip: '2001:db8::1' },
      { client_id: 'h', token_endpoint_auth_method: 'self_signed_tls_client_auth', jwks: { keys: [selfSignedJwk] } },
      { client_id: 'i', token_endpoint_auth_method: 'none' },
    ];
    for (const client of clients) expect(validateClientMetadata(client)).toEqual({ valid: true, problems: [] });
  });

  it('returns every problem, each in the RFC 7591 §3.2.2 invalid_client_metadata form', () => {
    const result = validateClientMetadata({
      client_id: 'bad',
      token_endpoint_auth_method: 'client_secret_jwt',
      client_secret: 'short',
      token_endpoint_auth_signing_alg: 'RS256',
      jwks: { keys: [es256] },
      jwks_uri: 'https://client.example.com/jwks',
    });
    expect(result.valid).toBe(false);
    expect(result.problems.length).toBeGreaterThanOrEqual(3);
    for (const problem of result.problems) {
      expect(problem.error).toBe('invalid_client_metadata');
      expect(problem.error_description.length).toBeGreaterThan(10);
    }
    expect(result.problems.map((p) => p.field)).toEqual(
      expect.arrayContaining(['jwks', 'token_endpoint_auth_signing_alg', 'client_secret']),
    );
  });

  it('refuses an unknown method and one the server does not enable', () => {
    expect(fields({ client_id: 'a', token_endpoint_auth_method: 'magic' })).toEqual(['token_endpoint_auth_method']);
    expect(fields({ client_id: 'a', client_secret: 's' }, { methods: ['private_key_jwt'] })).toEqual([
      'token_endpoint_auth_method',
    ]);
  });

  it('needs jwks xor jwks_uri for key-based methods (RFC 7591 §2)', () => {
    expect(fields({ client_id: 'a', token_endpoint_auth_method: 'private_key_jwt' })).toEqual(['jwks']);
    expect(fields({ client_id: 'a', token_endpoint_auth_method: 'self_signed_tls_client_auth' })).toEqual(['jwks']);
    expect(
      fields({
        client_id: 'a',
        token_endpoint_auth_method: 'private_key_jwt',
        jwks: { keys: [es256] },
        jwks_uri: 'https://c.example/jwks',
      }),
    ).toEqual(['jwks']);
  });

  it('refuses an http jwks_uri unless allowed, and always under FAPI 2 (§5.4.2)', () => {
    const client = { client_id: 'a', token_endpoint_auth_method: 'private_key_jwt', jwks_uri: 'http://c.example/jwks' };
    expect(fields(client)).toEqual(['jwks_uri']);
    expect(fields(client, { allowHttpJwksUri: true })).toEqual([]);
    expect(problemsOf(client, { allowHttpJwksUri: true, profile: 'fapi2' })[0]?.error_description).toMatch(/§5\.4\.2/);
  });

  it('needs exactly one well-formed tls_client_auth identifier (RFC 8705 §2.1.2)', () => {
    const base = { client_id: 'a', token_endpoint_auth_method: 'tls_client_auth' };
    expect(fields(base)).toEqual(['tls_client_auth_subject_dn']);
    expect(fields({ ...base, tls_client_auth_san_dns: 'a.example', tls_client_auth_san_ip: '10.0.0.1' })).toEqual([
      'tls_client_auth_subject_dn',
    ]);
    expect(fields({ ...base, tls_client_auth_subject_dn: 'CN=a,,=' })).toEqual(['tls_client_auth_subject_dn']);
    expect(fields({ ...base, tls_client_auth_san_dns: '*.example.com' })).toEqual(['tls_client_auth_san_dns']);
    expect(fields({ ...base, tls_client_auth_san_uri: 'not a uri' })).toEqual(['tls_client_auth_san_uri']);
    expect(fields({ ...base, tls_client_auth_san_ip: '300.1.1.1' })).toEqual(['tls_client_auth_san_ip']);
    expect(fields({ ...base, tls_client_auth_san_email: 'no-at-sign' })).toEqual(['tls_client_auth_san_email']);
  });

  it('holds the signing algorithm to the method, and never none (Registration §2)', () => {
    expect(
      fields({
        client_id: 'a',
        token_endpoint_auth_method: 'private_key_jwt',
        jwks: { keys: [es256] },
        token_endpoint_auth_signing_alg: 'HS256',
      }),
    ).toEqual(['token_endpoint_auth_signing_alg']);
    expect(
      fields({
        client_id: 'a',
        token_endpoint_auth_method: 'private_key_jwt',
        jwks: { keys: [es256] },
        token_endpoint_auth_signing_alg: 'none',
      }),
    ).toEqual(['token_endpoint_auth_signing_alg']);
  });

  it('needs a client_secret_jwt secret of at least 32/48/64 octets (OpenID Connect Core §16.19)', () => {
    const client = { client_id: 'a', token_endpoint_auth_method: 'client_secret_jwt' };
    expect(fields({ ...client, client_secret: 'x'.repeat(31) })).toEqual(['client_secret']);
    expect(fields({ ...client, client_secret: 'x'.repeat(32) })).toEqual([]);
    expect(fields({ ...client, client_secret: 'x'.repeat(47), token_endpoint_auth_signing_alg: 'HS384' })).toEqual([
      'client_secret',
    ]);
    expect(fields({ ...client, client_secrets: [{ hash: '$scrypt$x' }] })).toContain('client_secret');
  });

  it('refuses RSA keys under 2048 bits and private key material in jwks (RFC 7518 §3.3)', () => {
    expect(
      fields({ client_id: 'a', token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [rsa1024] } }),
    ).toEqual(['jwks']);
    expect(
      problemsOf({ client_id: 'a', token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [privateJwk] } })[0]
        ?.error_description,
    ).toMatch(/private key/);
  });

  it('refuses an x5c[0] whose key is not the JWK key (RFC 7517 §4.7, RFC 8705 §2.2.2)', () => {
    expect(
      fields({
        client_id: 'a',
        token_endpoint_auth_method: 'self_signed_tls_client_auth',
        jwks: { keys: [mismatchedX5c] },
      }),
    ).toEqual(['jwks']);
  });

  it('applies the profile: methods, public clients and algorithms (FAPI 1 Part 2 §5.2.2-14, -16, §8.6; FAPI 2 §5.3.2.1-6)', () => {
    expect(
      problemsOf({ client_id: 'a', client_secret: 's' }, { profile: 'fapi1-baseline' })[0]?.error_description,
    ).toMatch(/§5\.2\.2-4/);
    expect(
      problemsOf({ client_id: 'a', token_endpoint_auth_method: 'none' }, { profile: 'fapi1-advanced' })[0]
        ?.error_description,
    ).toMatch(/§5\.2\.2-14/);
    expect(problemsOf({ client_id: 'a', token_endpoint_auth_method: 'none' }, { profile: 'fapi1-baseline' })).toEqual(
      [],
    );
    const rs = {
      client_id: 'a',
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [es256] },
      token_endpoint_auth_signing_alg: 'RS256',
    };
    expect(problemsOf(rs, { profile: 'fapi2' })[0]?.error_description).toMatch(/§5\.4\.1/);
    expect(fields({ ...rs, token_endpoint_auth_signing_alg: 'ES256' }, { profile: 'fapi2' })).toEqual([]);
  });

  it("lets minEcBits raise a profile's EC floor, never lower it, as the authenticator does (FAPI 1 Part 1 §5.2.2-6, FAPI 2 §5.4.1)", () => {
    const client = { client_id: 'a', token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [es256] } };
    expect(fields(client, { profile: 'fapi1-advanced' })).toEqual([]);
    // A P-256 key is 256 bits: below a raised floor of 384 under a profile whose own floor is 160.
    expect(problemsOf(client, { profile: 'fapi1-advanced', minEcBits: 384 })[0]?.error_description).toMatch(
      /at least 384 bits/,
    );
    expect(fields(client, { profile: 'fapi2', minEcBits: 160 })).toEqual([]);
  });

  it('reports a non-object as a problem rather than throwing', () => {
    expect(validateClientMetadata('nope').valid).toBe(false);
    expect(validateClientMetadata(null).valid).toBe(false);
    expect(validateClientMetadata({ token_endpoint_auth_method: 'none' }).problems[0]?.field).toBe('client_id');
  });
});
