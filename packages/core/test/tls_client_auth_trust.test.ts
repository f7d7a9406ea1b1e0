/**
 * `tls_client_auth` needs a trust source for its chains that the deployer named: `trustAnchors`,
 * or `certificates.chainValidated` (the TLS server, through its own `ca`, or the proxy validates
 * against the client CAs). The TLS layer's verdict alone is not one: a Node TLS server without
 * `ca` accepts every certificate of its bundled public roots, and RFC 8705 §7.4 warns that a
 * certificate with the client's subject from another trusted CA then impersonates the client.
 * Real TLS here: a node:https server whose TLS layer trusts one CA more than the client's (as the
 * public roots do), and the client presenting a certificate with the client's subject DN from it.
 */
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPki, type Issued, SUBJECT_DN, type TestPki } from '../../../test/helpers/pki.js';
import {
  type ClientAuthenticator,
  type ClientAuthenticatorOptions,
  type ClientMetadata,
  createClientAuthenticator,
  isOAuthError,
} from '../src/index.js';
import { fromNodeRequest } from '../src/node.js';

const ISSUER = 'https://as.example.com';
const CLIENT: ClientMetadata = {
  client_id: 'mtls',
  token_endpoint_auth_method: 'tls_client_auth',
  tls_client_auth_subject_dn: SUBJECT_DN,
};

let pki: TestPki;
let server: Server;
let url: string;
/** The authenticator the server's route calls, set per test. */
let auth: ClientAuthenticator;

beforeAll(async () => {
  pki = await createTestPki();
  server = createServer(
    {
      cert: pki.server.certPem,
      key: pki.server.keyPem,
      // The TLS layer trusts the client's CA and another one, as Node's default roots trust many.
      ca: [pki.ca.certPem, pki.untrustedCa.certPem],
      requestCert: true,
      rejectUnauthorized: false,
    },
    async (req, res) => {
      try {
        const result = await auth.authenticate(await fromNodeRequest(req, { body: { kind: 'stream' } }), {
          endpoint: 'token',
        });
        res.end(`ok:${result.method}`);
      } catch (error) {
        res.end(isOAuthError(error) ? error.code : 'crash');
      }
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function authenticator(options: Partial<ClientAuthenticatorOptions> = {}): ClientAuthenticator {
  return createClientAuthenticator({
    issuer: ISSUER,
    getClient: (id) => (id === 'mtls' ? CLIENT : undefined),
    ...options,
  });
}

/** POST client_id=mtls over mutual TLS with `leaf`; the route answers the outcome. */
async function outcome(leaf: Issued): Promise<string> {
  const agent = new Agent({ connect: { ca: pki.ca.certPem, cert: leaf.certPem, key: leaf.keyPem } });
  try {
    const response = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'client_id=mtls&grant_type=client_credentials',
      dispatcher: agent,
    });
    return await response.body.text();
  } finally {
    await agent.close();
  }
}

describe('tls_client_auth needs a trust source the deployer named (RFC 8705 §7.4)', () => {
  it('is neither advertised nor accepted on the TLS layer verdict alone: a same-subject certificate from another CA the TLS layer trusts is refused', async () => {
    auth = authenticator();
    expect(auth.metadata().token_endpoint_auth_methods_supported).not.toContain('tls_client_auth');
    expect(auth.metadata().token_endpoint_auth_methods_supported).toContain('self_signed_tls_client_auth');
    // OpenSSL validated it (socket.authorized): it chains to a CA the TLS layer trusts.
    expect(await outcome(pki.leaves.untrusted)).toBe('ERR_METHOD_NOT_ALLOWED');
    expect(await outcome(pki.leaves.subjectDn)).toBe('ERR_METHOD_NOT_ALLOWED');
  });

  it('with trustAnchors, is advertised and accepts the client CA only, whatever else the TLS layer trusts', async () => {
    auth = authenticator({ trustAnchors: pki.ca.certPem });
    expect(auth.metadata().token_endpoint_auth_methods_supported).toContain('tls_client_auth');
    expect(await outcome(pki.leaves.subjectDn)).toBe('ok:tls_client_auth');
    expect(await outcome(pki.leaves.untrusted)).not.toMatch(/^ok/);
  });

  it("with certificates: { from: 'socket', chainValidated: true }, trusts the TLS server's own ca", async () => {
    auth = authenticator({ certificates: { from: 'socket', chainValidated: true } });
    expect(auth.metadata().token_endpoint_auth_methods_supported).toContain('tls_client_auth');
    expect(await outcome(pki.leaves.subjectDn)).toBe('ok:tls_client_auth');
  });

  it('with a proxy that validates the chain (certificates.chainValidated), is advertised', () => {
    const nginx = { from: 'nginx', trustedProxies: ['10.0.0.1'] } as const;
    expect(authenticator({ certificates: { ...nginx, chainValidated: true } }).metadata()).toMatchObject({
      token_endpoint_auth_methods_supported: expect.arrayContaining(['tls_client_auth']),
    });
    expect(
      authenticator({ certificates: { ...nginx, chainValidated: false } }).metadata()
        .token_endpoint_auth_methods_supported,
    ).not.toContain('tls_client_auth');
  });

  it('leaves it out of a profile default too (FAPI 2 §5.3.2.1-6 allows it, it does not require it)', () => {
    expect(authenticator({ profile: 'fapi2' }).metadata().token_endpoint_auth_methods_supported).toEqual([
      'private_key_jwt',
      'self_signed_tls_client_auth',
    ]);
    expect(
      authenticator({ profile: 'fapi2', trustAnchors: pki.ca.certPem }).metadata()
        .token_endpoint_auth_methods_supported,
    ).toEqual(['private_key_jwt', 'tls_client_auth', 'self_signed_tls_client_auth']);
  });

  it('refuses tls_client_auth listed in methods or endpointMethods without one: TypeError at setup', () => {
    expect(() => authenticator({ methods: ['tls_client_auth'] })).toThrow(/methods: tls_client_auth .*RFC 8705 §7\.4/);
    expect(() => authenticator({ endpointMethods: { token: ['tls_client_auth'] } })).toThrow(
      /endpointMethods\.token: tls_client_auth .*RFC 8705 §7\.4/,
    );
    expect(() => authenticator({ methods: ['tls_client_auth'], trustAnchors: pki.ca.certPem })).not.toThrow();
  });

  it("checks the socket source's chainValidated at setup", () => {
    expect(() =>
      authenticator({ certificates: { from: 'socket', chainValidated: 'yes' as unknown as boolean } }),
    ).toThrow(/certificates\.chainValidated must be a boolean/);
  });
});
