/**
 * Issue 6 through the Express example: PROFILE=fapi1-baseline|fapi1-advanced|fapi2 changes what the
 * server accepts and what its RFC 8414 metadata says, and a CLIENTS_FILE the profile refuses stops
 * the server at start-up with every bad client listed.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startExample } from '../../../test/helpers/example-server.js';
import { json } from '../../../test/helpers/http.js';

const EXPECTED = {
  'fapi1-baseline': {
    methods: ['client_secret_jwt', 'private_key_jwt', 'self_signed_tls_client_auth', 'none'],
    algorithms: [
      'HS256',
      'HS384',
      'HS512',
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
    ],
  },
  'fapi1-advanced': { methods: ['private_key_jwt', 'self_signed_tls_client_auth'], algorithms: ['PS256', 'ES256'] },
  fapi2: {
    methods: ['private_key_jwt', 'self_signed_tls_client_auth'],
    algorithms: ['PS256', 'ES256', 'EdDSA', 'Ed25519'],
  },
} as const;

describe.each(Object.entries(EXPECTED))('examples/express with PROFILE=%s', (profile, expected) => {
  it('publishes the profile in its metadata and refuses client_secret_basic (FAPI 1 Part 1 §5.2.2-4)', async () => {
    const server = await startExample('express', { PROFILE: profile });
    try {
      const metadata = await json(await fetch(`${server.url}/.well-known/oauth-authorization-server`));
      // Without TLS_CA the example turns tls_client_auth off (RFC 8705 §7.4).
      expect(metadata.token_endpoint_auth_methods_supported).toEqual(expected.methods);
      expect(metadata.token_endpoint_auth_signing_alg_values_supported).toEqual(expected.algorithms);
      expect(metadata.revocation_endpoint_auth_methods_supported).toEqual(expected.methods);
      const basic = await fetch(`${server.url}/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from('s6BhdRkqt3:7Fjfp0ZBr1KtDRbnfVdmIw').toString('base64')}`,
        },
        body: 'grant_type=client_credentials',
      });
      expect(basic.status).toBe(401);
      expect((await json(basic)).error).toBe('invalid_client');
      // The banner offers only the demo clients the profile allows.
      expect(server.output()).not.toContain("curl -u 's6BhdRkqt3");
      expect(server.output()).toContain('private_key_jwt');
    } finally {
      await server.stop();
    }
  });
});

describe('examples/express refuses bad client metadata at start-up (RFC 7591 §2)', () => {
  it('lists each bad client and why, and does not start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'client-auth-profile-'));
    const file = join(dir, 'clients.json');
    writeFileSync(
      file,
      JSON.stringify([
        { client_id: 'legacy-basic', client_secret: 'x' },
        { client_id: 'no-keys', token_endpoint_auth_method: 'private_key_jwt' },
        {
          client_id: 'two-ids',
          token_endpoint_auth_method: 'tls_client_auth',
          tls_client_auth_san_dns: 'a.example',
          tls_client_auth_san_ip: '10.0.0.1',
        },
      ]),
    );
    const error = await startExample('express', { PROFILE: 'fapi2', CLIENTS_FILE: file }).then(
      (server) => server.stop().then(() => new Error('the server started')),
      (reason: Error) => reason,
    );
    expect(error.message).toMatch(
      /legacy-basic: token_endpoint_auth_method: client_secret_basic is not allowed by FAPI 2\.0/,
    );
    expect(error.message).toMatch(/no-keys: jwks: private_key_jwt needs the client's keys/);
    expect(error.message).toMatch(/two-ids: tls_client_auth_subject_dn: tls_client_auth needs exactly one/);
  });

  it('refuses a clock tolerance outside FAPI 2 §5.3.2.1-13 at start-up', async () => {
    await expect(startExample('express', { PROFILE: 'fapi2', CLOCK_TOLERANCE: '5' })).rejects.toThrow(/5\.3\.2\.1-13/);
  });
});
