import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type ClientJWK, type ClientMetadata, createClientAuthenticator, PROFILES } from '../src/index.js';
import {
  assertionRequest,
  authenticatorFor,
  claims,
  ENDPOINTS,
  ISSUER,
  type KeyPair,
  keyPair,
  NOW,
  outcome,
  SECRET,
  sign,
} from './assertion-helpers.js';

// The TLS layer's verdict is trusted for tls_client_auth, so the profiles' whole method lists apply.
const base = {
  issuer: ISSUER,
  getClient: () => undefined,
  certificates: { from: 'socket', chainValidated: true },
} as const;
let es256: KeyPair;
let ps256: KeyPair;
let rs256: KeyPair;
let ed25519: KeyPair;
let clients: ClientMetadata[];

beforeAll(async () => {
  [es256, ps256, rs256, ed25519] = await Promise.all([
    keyPair('ES256'),
    keyPair('PS256'),
    keyPair('RS256'),
    keyPair('EdDSA'),
  ]);
  clients = [
    {
      client_id: 'pk',
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [es256, ps256, rs256, ed25519].map((key) => key.publicJwk as ClientJWK) },
    },
    { client_id: 'hs', token_endpoint_auth_method: 'client_secret_jwt', client_secret: SECRET },
    { client_id: 'basic', client_secret: 'basic-secret' },
  ];
});

afterEach(() => {
  vi.restoreAllMocks();
});

const assertion = (key: KeyPair, extra = {}) =>
  sign(claims('pk', NOW, extra), key.privateKey, { alg: key.alg, kid: key.publicJwk.kid });

describe('fapi1-baseline (FAPI 1.0 Part 1 §5.2.2)', () => {
  it('leaves client_secret_basic and client_secret_post out of the default methods (§5.2.2-4)', () => {
    const auth = createClientAuthenticator({ ...base, profile: 'fapi1-baseline' });
    expect(auth.metadata().token_endpoint_auth_methods_supported).toEqual([
      'client_secret_jwt',
      'private_key_jwt',
      'tls_client_auth',
      'self_signed_tls_client_auth',
      'none',
    ]);
  });

  it('refuses Basic with invalid_client under the profile (§5.2.2-4)', async () => {
    const { auth } = authenticatorFor(clients, { profile: 'fapi1-baseline' });
    const basic = `Basic ${Buffer.from('basic:basic-secret').toString('base64')}`;
    expect(await outcome(auth, { headers: { authorization: basic }, body: {}, secure: true })).toBe(
      'ERR_METHOD_NOT_ALLOWED',
    );
  });

  it('throws TypeError, naming the section, for an explicit method the profile forbids (§5.2.2-4)', () => {
    expect(() =>
      createClientAuthenticator({ ...base, profile: 'fapi1-baseline', methods: ['client_secret_basic'] }),
    ).toThrow(/FAPI 1\.0 Part 1 §5\.2\.2-4.*profileOverrides/);
  });

  it('allows loosening only through profileOverrides, reported as a process warning', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const auth = createClientAuthenticator({
      ...base,
      profile: 'fapi1-baseline',
      methods: ['client_secret_basic', 'private_key_jwt'],
      profileOverrides: ['methods'],
    });
    expect(warn).toHaveBeenCalledWith(
      expect.stringContaining("rule 'methods'"),
      expect.objectContaining({ code: 'CLIENT_AUTH_PROFILE_OVERRIDE' }),
    );
    const policy = auth.policy();
    expect(policy.rules.find((rule) => rule.id === 'methods')?.overridden).toBe(true);
    expect(policy.methods.token).toEqual(['client_secret_basic', 'private_key_jwt']);
  });
});

describe('fapi1-advanced (FAPI 1.0 Part 2)', () => {
  it('enables only private_key_jwt and the mTLS methods, PS256 and ES256 (§5.2.2-14, §8.6)', () => {
    const metadata = createClientAuthenticator({ ...base, profile: 'fapi1-advanced' }).metadata();
    expect(metadata.token_endpoint_auth_methods_supported).not.toContain('client_secret_jwt');
    expect(metadata.token_endpoint_auth_methods_supported).not.toContain('none');
    expect(metadata.token_endpoint_auth_methods_supported).toContain('private_key_jwt');
    expect(metadata.token_endpoint_auth_signing_alg_values_supported).toEqual(['PS256', 'ES256']);
  });

  it('refuses an RS256 assertion with exactly invalid_client (§8.6)', async () => {
    const { auth } = authenticatorFor(clients, { profile: 'fapi1-advanced' });
    const error = await auth
      .authenticate(assertionRequest(await assertion(rs256)), { endpoint: 'token' })
      .catch((e) => e);
    expect(error).toMatchObject({ error: 'invalid_client', status: 401, code: 'ERR_ASSERTION_ALG_NOT_ALLOWED' });
  });

  it('accepts PS256 and ES256 assertions (§8.6)', async () => {
    const { auth } = authenticatorFor(clients, { profile: 'fapi1-advanced' });
    expect(await outcome(auth, assertionRequest(await assertion(ps256)))).toBe('ok');
    expect(await outcome(auth, assertionRequest(await assertion(es256)))).toBe('ok');
  });

  it('refuses public clients (§5.2.2-16) and an explicit none in methods', () => {
    expect(() => createClientAuthenticator({ ...base, profile: 'fapi1-advanced', methods: ['none'] })).toThrow(
      /§5\.2\.2-16/,
    );
  });

  it('refuses an explicit RS256 in signingAlgorithms (§8.6)', () => {
    expect(() =>
      createClientAuthenticator({ ...base, profile: 'fapi1-advanced', signingAlgorithms: ['RS256'] }),
    ).toThrow(/§8\.6/);
  });

  it('refuses an http jwks_uri allowance (§8.9)', () => {
    expect(() => createClientAuthenticator({ ...base, profile: 'fapi1-advanced', jwks: { allowHttp: true } })).toThrow(
      /§8\.9/,
    );
  });
});

describe('fapi2 (FAPI 2.0 Security Profile)', () => {
  it('holds the audience to the issuer as a string (§5.3.2.1-8)', async () => {
    const { auth } = authenticatorFor(clients, { profile: 'fapi2' });
    expect(await outcome(auth, assertionRequest(await assertion(es256)))).toBe('ok');
    expect(await outcome(auth, assertionRequest(await assertion(es256, { aud: ENDPOINTS.token })))).toBe(
      'ERR_ASSERTION_AUD_MISMATCH',
    );
    expect(await outcome(auth, assertionRequest(await assertion(es256, { aud: [ISSUER] })))).toBe(
      'ERR_ASSERTION_AUD_MISMATCH',
    );
  });

  it('accepts an iat 8 seconds ahead and refuses one 62 seconds ahead (§5.3.2.1-13)', async () => {
    const { auth } = authenticatorFor(clients, { profile: 'fapi2' });
    expect(await outcome(auth, assertionRequest(await assertion(es256, { iat: NOW + 8 })))).toBe('ok');
    expect(await outcome(auth, assertionRequest(await assertion(es256, { iat: NOW + 62, exp: NOW + 120 })))).toBe(
      'ERR_ASSERTION_IAT_IN_FUTURE',
    );
    expect(await outcome(auth, assertionRequest(await assertion(es256, { nbf: NOW + 8 })))).toBe('ok');
    expect(await outcome(auth, assertionRequest(await assertion(es256, { nbf: NOW + 62, exp: NOW + 120 })))).toBe(
      'ERR_ASSERTION_NOT_YET_VALID',
    );
  });

  it('keeps a clock tolerance between 10 and 60 seconds (§5.3.2.1-13)', () => {
    expect(() => createClientAuthenticator({ ...base, profile: 'fapi2', clockTolerance: 5 })).toThrow(/§5\.3\.2\.1-13/);
    expect(() => createClientAuthenticator({ ...base, profile: 'fapi2', clockTolerance: 61 })).toThrow(
      /§5\.3\.2\.1-13/,
    );
    expect(createClientAuthenticator({ ...base, profile: 'fapi2', clockTolerance: 60 }).policy().clockTolerance).toBe(
      60,
    );
  });

  it('accepts PS256, ES256 and EdDSA and refuses RS256 with invalid_client (§5.4.1)', async () => {
    const { auth } = authenticatorFor(clients, { profile: 'fapi2' });
    expect(await outcome(auth, assertionRequest(await assertion(ed25519)))).toBe('ok');
    expect(await outcome(auth, assertionRequest(await assertion(ps256)))).toBe('ok');
    expect(await outcome(auth, assertionRequest(await assertion(rs256)))).toBe('ERR_ASSERTION_ALG_NOT_ALLOWED');
  });

  it('refuses client_secret_jwt and public clients (§5.3.2.1-3, -6)', async () => {
    const { auth } = authenticatorFor(clients, { profile: 'fapi2', certificates: base.certificates });
    const hs = await sign(claims('hs', NOW), new TextEncoder().encode(SECRET), { alg: 'HS256' });
    expect(await outcome(auth, assertionRequest(hs))).toBe('ERR_METHOD_NOT_ALLOWED');
    expect(auth.metadata().token_endpoint_auth_methods_supported).toEqual([
      'private_key_jwt',
      'tls_client_auth',
      'self_signed_tls_client_auth',
    ]);
  });

  it('refuses a weaker audience, an EC floor under 224 bits and an http jwks_uri (§5.3.2.1-8, §5.4.1, §5.4.2)', () => {
    expect(() => createClientAuthenticator({ ...base, profile: 'fapi2', audience: 'compatible' })).toThrow(
      /§5\.3\.2\.1-8/,
    );
    expect(() => createClientAuthenticator({ ...base, profile: 'fapi2', audience: 'issuer' })).toThrow(TypeError);
    expect(() => createClientAuthenticator({ ...base, profile: 'fapi2', minimumKeySizes: { ec: 160 } })).toThrow(
      /§5\.4\.1/,
    );
    expect(() => createClientAuthenticator({ ...base, profile: 'fapi2', jwks: { allowHttp: true } })).toThrow(
      /§5\.4\.2/,
    );
    expect(createClientAuthenticator({ ...base, profile: 'fapi2' }).policy()).toMatchObject({
      audience: 'issuer-string',
      minEcBits: 224,
      minRsaBits: 2048,
    });
  });
});

describe('profile options', () => {
  it.each([
    ['an unknown profile', { profile: 'fapi3' }],
    ['overrides without a profile', { profileOverrides: ['methods'] }],
    ['an override of a rule the profile lacks', { profile: 'fapi1-baseline', profileOverrides: ['audience'] }],
    ['an override of the RSA floor (RFC 7518 §3.3)', { profile: 'fapi2', profileOverrides: ['rsa-key-size'] }],
    ['an RSA floor under 2048 bits (RFC 7518 §3.3)', { minimumKeySizes: { rsa: 1024 } }],
  ])('throws TypeError for %s', (_title, options) => {
    expect(() => createClientAuthenticator({ ...base, ...(options as object) })).toThrow(TypeError);
  });

  it('may be tightened without an override: fapi2 with ES256 only', () => {
    const auth = createClientAuthenticator({
      ...base,
      profile: 'fapi2',
      signingAlgorithms: ['ES256'],
      methods: ['private_key_jwt'],
    });
    expect(auth.metadata().token_endpoint_auth_signing_alg_values_supported).toEqual(['ES256']);
    expect(auth.metadata().token_endpoint_auth_methods_supported).toEqual(['private_key_jwt']);
  });

  it('lists every rule of every profile with its section', () => {
    for (const profile of Object.values(PROFILES)) {
      const policy = createClientAuthenticator({ ...base, profile: profile.name }).policy();
      expect(policy.profile).toBe(profile.name);
      expect(policy.rules.length).toBe(profile.rules.length);
      for (const rule of policy.rules) {
        expect(rule.section).toMatch(/FAPI|OpenID|RFC/);
        expect(rule.overridden).toBe(false);
      }
    }
  });
});

describe('per-endpoint policy', () => {
  it('narrows algorithms per endpoint and generates the metadata from it (RFC 8414 §2)', async () => {
    const { auth } = authenticatorFor(clients, { endpointSigningAlgorithms: { introspection: ['ES256'] } });
    const metadata = auth.metadata();
    expect(metadata.introspection_endpoint_auth_signing_alg_values_supported).toEqual(['ES256']);
    expect(metadata.token_endpoint_auth_signing_alg_values_supported).toContain('PS256');
    expect(await outcome(auth, assertionRequest(await assertion(ps256)), 'token')).toBe('ok');
    expect(await outcome(auth, assertionRequest(await assertion(ps256, { aud: ISSUER })), 'introspection')).toBe(
      'ERR_ASSERTION_ALG_NOT_ALLOWED',
    );
    // client_secret_jwt has no algorithm left at introspection: it is not advertised there.
    expect(metadata.introspection_endpoint_auth_methods_supported).not.toContain('client_secret_jwt');
  });

  it('makes PAR, device authorization and CIBA follow the token endpoint unless configured (RFC 9126 §2, RFC 8628 §3.1)', async () => {
    const { auth } = authenticatorFor(clients, {
      endpointMethods: { token: ['private_key_jwt'], revocation: ['client_secret_basic'] },
    });
    const policy = auth.policy();
    expect(policy.methods.pushed_authorization_request).toEqual(['private_key_jwt']);
    expect(policy.methods.device_authorization).toEqual(['private_key_jwt']);
    expect(policy.methods.backchannel_authentication).toEqual(['private_key_jwt']);
    expect(policy.methods.revocation).toEqual(['client_secret_basic']);
    expect(await outcome(auth, assertionRequest(await assertion(es256)), 'device_authorization')).toBe('ok');
  });

  it('accepts only confidential clients at the CIBA backchannel endpoint (CIBA Core §7.1)', async () => {
    const { auth } = authenticatorFor([{ client_id: 'public', token_endpoint_auth_method: 'none' }]);
    const request = { headers: {}, body: { client_id: ['public'] }, secure: true };
    expect(await outcome(auth, request, 'token')).toBe('ok');
    expect(await outcome(auth, request, 'backchannel_authentication')).toBe('ERR_METHOD_NOT_ALLOWED');
    expect(() =>
      createClientAuthenticator({ ...base, endpointMethods: { backchannel_authentication: ['none'] } }),
    ).toThrow(/CIBA/);
  });

  it('answers invalid_client with 401 at the introspection endpoint (RFC 7662 §2.3)', async () => {
    const { auth } = authenticatorFor(clients);
    const error = await auth
      .authenticate({ headers: {}, body: { client_id: ['nobody'] }, secure: true }, { endpoint: 'introspection' })
      .catch((e) => e);
    expect(error).toMatchObject({ error: 'invalid_client', status: 401 });
  });
});
