import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestPki, type Issued, opensslEd448, SUBJECT_DN, type TestPki } from '../../../test/helpers/pki.js';
import { createRuleCases, RULES, type RuleCase } from '../../../test/helpers/pki-rules.js';
import {
  type ClientAuthenticatorOptions,
  type ClientAuthRequest,
  type ClientMetadata,
  createClientAuthenticator,
  type PresentedCertificate,
} from '../src/index.js';

let pki: TestPki;
let rules: RuleCase[];
beforeAll(async () => {
  pki = await createTestPki();
  rules = await createRuleCases(pki);
});

const ISSUER = 'https://as.example.com';

function authenticator(clients: ClientMetadata[], options: Partial<ClientAuthenticatorOptions> = {}) {
  return createClientAuthenticator({
    issuer: ISSUER,
    getClient: (id) => clients.find((client) => client.client_id === id),
    // The TLS layer's verdict (chainValidated) is trusted here (tls_client_auth_trust.test.ts).
    certificates: { from: 'socket', chainValidated: true },
    ...options,
  });
}

function presented(leaf: Issued, chainValidated = true, chain?: Issued[]): PresentedCertificate {
  const certificate: PresentedCertificate = { der: leaf.der, chainValidated, source: 'socket' };
  if (chain !== undefined) certificate.chain = chain.map((link) => link.der);
  return certificate;
}

function request(clientId: string | undefined, certificate?: PresentedCertificate): ClientAuthRequest {
  const body: Record<string, string[]> = { grant_type: ['client_credentials'] };
  if (clientId !== undefined) body.client_id = [clientId];
  const result: ClientAuthRequest = { headers: {}, body, secure: true };
  if (certificate !== undefined) result.certificate = certificate;
  return result;
}

function pkiClient(identifier: Partial<ClientMetadata>): ClientMetadata {
  return { client_id: 'mtls', token_endpoint_auth_method: 'tls_client_auth', ...identifier };
}

async function outcome(
  client: ClientMetadata,
  certificate: PresentedCertificate | undefined,
  options: Partial<ClientAuthenticatorOptions> = {},
): Promise<string> {
  try {
    const result = await authenticator([client], options).authenticate(request(client.client_id, certificate), {
      endpoint: 'token',
    });
    return `ok:${result.method}`;
  } catch (error) {
    return (error as { code: string }).code;
  }
}

/** RFC 9440 `Client-Cert` and `Client-Cert-Chain` as a trusted proxy that does not validate sets them. */
const PROXY = { from: 'rfc9440', trustedProxies: ['127.0.0.1'] } as const;

async function headerOutcome(
  client: ClientMetadata,
  leaf: Issued,
  chain: readonly Issued[],
  options: Partial<ClientAuthenticatorOptions> = {},
): Promise<string> {
  const sf = (link: Issued) => `:${Buffer.from(link.der).toString('base64')}:`;
  const req = request(client.client_id);
  req.peerAddress = '127.0.0.1';
  req.headers['client-cert'] = sf(leaf);
  if (chain.length > 0) req.headers['client-cert-chain'] = chain.map(sf).join(', ');
  try {
    const result = await authenticator([client], { certificates: PROXY, ...options }).authenticate(req, {
      endpoint: 'token',
    });
    return `ok:${result.method}`;
  } catch (error) {
    return (error as { code: string }).code;
  }
}

describe('tls_client_auth identifiers (RFC 8705 §2.1.2)', () => {
  it('authenticates by subject DN and returns the certificate with its x5t#S256 (RFC 8705 §3.1)', async () => {
    const leaf = pki.leaves.subjectDn;
    const auth = authenticator([pkiClient({ tls_client_auth_subject_dn: SUBJECT_DN })]);
    const result = await auth.authenticate(request('mtls', presented(leaf)), { endpoint: 'token' });
    expect(result.method).toBe('tls_client_auth');
    expect(result.certificate?.thumbprint).toBe(createHash('sha256').update(leaf.der).digest('base64url'));
    expect(result.certificate?.source).toBe('socket');
  });

  it.each([
    [
      'another attribute order',
      'C=US,O=Example Corp,OU=Payments,CN=client.example.com',
      'ERR_MTLS_SUBJECT_DN_MISMATCH',
    ],
    ['a missing RDN', 'CN=client.example.com,O=Example Corp,C=US', 'ERR_MTLS_SUBJECT_DN_MISMATCH'],
    ['an extra RDN', `${SUBJECT_DN},DC=example`, 'ERR_MTLS_SUBJECT_DN_MISMATCH'],
    ['another CN', 'CN=client.example.org,OU=Payments,O=Example Corp,C=US', 'ERR_MTLS_SUBJECT_DN_MISMATCH'],
    ['other case and spacing', 'cn=CLIENT.example.com, ou=payments,  o=Example  Corp, c=us', 'ok:tls_client_auth'],
    [
      'OIDs instead of names',
      '2.5.4.3=client.example.com,2.5.4.11=Payments,2.5.4.10=Example Corp,2.5.4.6=US',
      'ok:tls_client_auth',
    ],
    ['a malformed registered DN', 'CN=client.example.com,', 'ERR_CLIENT_METADATA_INVALID'],
  ])('subject DN with %s', async (_title, registered, expected) => {
    expect(await outcome(pkiClient({ tls_client_auth_subject_dn: registered }), presented(pki.leaves.subjectDn))).toBe(
      expected,
    );
  });

  it('matches multi-valued RDNs in any inner order, not split into single RDNs (RFC 4517 §4.2.15)', async () => {
    const leaf = presented(pki.leaves.multiValuedRdn);
    expect(
      await outcome(pkiClient({ tls_client_auth_subject_dn: 'CN=J. Smith+OU=Sales,O=Example Corp,C=US' }), leaf),
    ).toBe('ok:tls_client_auth');
    expect(
      await outcome(pkiClient({ tls_client_auth_subject_dn: 'OU=Sales+CN=J. Smith,O=Example Corp,C=US' }), leaf),
    ).toBe('ok:tls_client_auth');
    expect(
      await outcome(pkiClient({ tls_client_auth_subject_dn: 'CN=J. Smith,OU=Sales,O=Example Corp,C=US' }), leaf),
    ).toBe('ERR_MTLS_SUBJECT_DN_MISMATCH');
  });

  it('matches escaped characters and UTF-8 in the registered DN (RFC 4514 §2.4)', async () => {
    const leaf = presented(pki.leaves.escapedDn);
    const escaped = 'CN=James \\"Jim\\" Smith\\+Lu\\C4\\8Di\\C4\\87 \\3C#1\\3E,O=Example\\, Inc.,C=GB';
    expect(await outcome(pkiClient({ tls_client_auth_subject_dn: escaped }), leaf)).toBe('ok:tls_client_auth');
    expect(
      await outcome(
        pkiClient({ tls_client_auth_subject_dn: 'CN=James \\"Jim\\" Smith\\+Lučić \\<#1\\>,O=Example\\, Inc.,C=GB' }),
        leaf,
      ),
    ).toBe('ok:tls_client_auth');
    expect(
      await outcome(
        pkiClient({ tls_client_auth_subject_dn: 'CN=James \\"Jim\\" Smith\\+Lucic \\<#1\\>,O=Example\\, Inc.,C=GB' }),
        leaf,
      ),
    ).toBe('ERR_MTLS_SUBJECT_DN_MISMATCH');
  });

  it.each([
    ['the same name', 'client.example.com', 'ok:tls_client_auth'],
    ['other letter case', 'Client.EXAMPLE.com', 'ok:tls_client_auth'],
    ['a sibling name', 'client2.example.com', 'ERR_MTLS_SAN_MISMATCH'],
    ['a parent name', 'example.com', 'ERR_MTLS_SAN_MISMATCH'],
    ['a trailing dot', 'client.example.com.', 'ERR_MTLS_SAN_MISMATCH'],
  ])('SAN dNSName with %s', async (_title, registered, expected) => {
    expect(await outcome(pkiClient({ tls_client_auth_san_dns: registered }), presented(pki.leaves.sanDns))).toBe(
      expected,
    );
  });

  it('does not expand a wildcard dNSName in the certificate', async () => {
    const leaf = presented(pki.leaves.wildcardDns);
    expect(await outcome(pkiClient({ tls_client_auth_san_dns: 'client.example.com' }), leaf)).toBe(
      'ERR_MTLS_SAN_MISMATCH',
    );
    expect(await outcome(pkiClient({ tls_client_auth_san_dns: '*.example.com' }), leaf)).toBe('ok:tls_client_auth');
  });

  it('does not take the CN for a dNSName', async () => {
    expect(
      await outcome(pkiClient({ tls_client_auth_san_dns: 'client.example.com' }), presented(pki.leaves.subjectDn)),
    ).toBe('ERR_MTLS_SAN_MISMATCH');
  });

  it.each([
    ['the same URI', 'https://client.example.com/app', 'ok:tls_client_auth'],
    ['upper-case scheme and host', 'HTTPS://CLIENT.example.com/app', 'ok:tls_client_auth'],
    ['another path case', 'https://client.example.com/App', 'ERR_MTLS_SAN_MISMATCH'],
    ['a trailing slash', 'https://client.example.com/app/', 'ERR_MTLS_SAN_MISMATCH'],
    ['a prefix', 'https://client.example.com/', 'ERR_MTLS_SAN_MISMATCH'],
  ])('SAN URI with %s', async (_title, registered, expected) => {
    expect(await outcome(pkiClient({ tls_client_auth_san_uri: registered }), presented(pki.leaves.sanUri))).toBe(
      expected,
    );
  });

  it.each([
    ['the IPv4 address', '192.0.2.10', 'sanIp', 'ok:tls_client_auth'],
    ['the IPv6 address, compressed', '2001:db8::10', 'sanIp', 'ok:tls_client_auth'],
    [
      'the IPv6 address, in full with upper case',
      '2001:0DB8:0000:0000:0000:0000:0000:0010',
      'sanIp',
      'ok:tls_client_auth',
    ],
    ['another IPv4 address', '192.0.2.11', 'sanIp', 'ERR_MTLS_SAN_MISMATCH'],
    ['the IPv4-mapped form of a 4-octet SAN', '::ffff:192.0.2.10', 'sanIp', 'ERR_MTLS_SAN_MISMATCH'],
    ['IPv4 text against a 16-octet mapped SAN', '192.0.2.10', 'sanIpMapped', 'ERR_MTLS_SAN_MISMATCH'],
    ['the mapped form against the mapped SAN', '::ffff:192.0.2.10', 'sanIpMapped', 'ok:tls_client_auth'],
  ] as const)('SAN iPAddress with %s (binary comparison)', async (_title, registered, leaf, expected) => {
    expect(await outcome(pkiClient({ tls_client_auth_san_ip: registered }), presented(pki.leaves[leaf]))).toBe(
      expected,
    );
  });

  it.each([
    ['domain in another case', 'client@example.com', 'ok:tls_client_auth'],
    ['the exact address', 'client@Example.COM', 'ok:tls_client_auth'],
    ['local part in another case', 'Client@example.com', 'ERR_MTLS_SAN_MISMATCH'],
    ['another domain', 'client@example.org', 'ERR_MTLS_SAN_MISMATCH'],
  ])('SAN rfc822Name with %s', async (_title, registered, expected) => {
    expect(await outcome(pkiClient({ tls_client_auth_san_email: registered }), presented(pki.leaves.sanEmail))).toBe(
      expected,
    );
  });

  it('needs exactly one registered identifier (RFC 8705 §2.1: "Only one subject name value")', async () => {
    const leaf = presented(pki.leaves.sanDns);
    expect(await outcome(pkiClient({}), leaf)).toBe('ERR_CLIENT_METADATA_INVALID');
    expect(
      await outcome(
        pkiClient({ tls_client_auth_san_dns: 'client.example.com', tls_client_auth_subject_dn: 'CN=dns client' }),
        leaf,
      ),
    ).toBe('ERR_CLIENT_METADATA_INVALID');
    expect(await outcome(pkiClient({ tls_client_auth_san_dns: '' }), leaf)).toBe('ERR_CLIENT_METADATA_INVALID');
  });
});

describe('tls_client_auth certificate checks', () => {
  const client = pkiClient({ tls_client_auth_subject_dn: SUBJECT_DN });

  it('refuses a request without a certificate (RFC 8705 §2)', async () => {
    expect(await outcome(client, undefined)).toBe('ERR_MTLS_CERTIFICATE_MISSING');
  });

  it('requires client_id in the body (RFC 8705 §2)', async () => {
    const auth = authenticator([client]);
    await expect(
      auth.authenticate(request(undefined, presented(pki.leaves.subjectDn)), { endpoint: 'token' }),
    ).rejects.toMatchObject({ error: 'invalid_client', code: 'ERR_NO_CLIENT_AUTHENTICATION', status: 401 });
  });

  it('refuses a chain nobody validated (RFC 8705 §2.1)', async () => {
    expect(await outcome(client, presented(pki.leaves.subjectDn, false))).toBe('ERR_MTLS_CHAIN_NOT_VALIDATED');
  });

  it('validates a proxy-header chain itself against configured trust anchors, intermediates from the header', async () => {
    const trustAnchors = pki.ca.certPem;
    expect(await headerOutcome(client, pki.leaves.subjectDn, [], { trustAnchors })).toBe('ok:tls_client_auth');
    expect(await headerOutcome(client, pki.leaves.viaIntermediate, [pki.intermediate], { trustAnchors })).toBe(
      'ok:tls_client_auth',
    );
    expect(await headerOutcome(client, pki.leaves.viaIntermediate, [], { trustAnchors })).toBe(
      'ERR_MTLS_CHAIN_NOT_VALIDATED',
    );
  });

  it('never accepts a socket certificate the TLS layer refused, even when it validates here (RFC 8705 §2.1)', async () => {
    // socket.authorized is OpenSSL's full RFC 5280 verdict; trustAnchors only narrow it (§7.2).
    const trustAnchors = pki.ca.certPem;
    expect(await outcome(client, presented(pki.leaves.subjectDn, false), { trustAnchors })).toBe(
      'ERR_MTLS_CHAIN_NOT_VALIDATED',
    );
    expect(
      await outcome(client, presented(pki.leaves.viaIntermediate, false, [pki.intermediate]), { trustAnchors }),
    ).toBe('ERR_MTLS_CHAIN_NOT_VALIDATED');
    expect(await outcome(client, presented(pki.leaves.subjectDn, true), { trustAnchors })).toBe('ok:tls_client_auth');
    expect(
      await outcome(client, presented(pki.leaves.viaIntermediate, true, [pki.intermediate, pki.ca]), { trustAnchors }),
    ).toBe('ok:tls_client_auth');
  });

  it('does not take a certificate that only claims to come from a proxy for one (socket rules apply)', async () => {
    const claimed: PresentedCertificate = { der: pki.leaves.subjectDn.der, chainValidated: false, source: 'rfc9440' };
    expect(await outcome(client, claimed, { trustAnchors: pki.ca.certPem })).toBe('ERR_MTLS_CHAIN_NOT_VALIDATED');
  });

  it('holds even a TLS-validated chain to the configured trust anchors (RFC 8705 §7.4)', async () => {
    // Same subject, another CA: the TLS layer trusted it, the configured anchors do not.
    expect(await outcome(client, presented(pki.leaves.untrusted, true), { trustAnchors: pki.ca.certPem })).toBe(
      'ERR_MTLS_CHAIN_NOT_VALIDATED',
    );
    expect(await outcome(client, presented(pki.leaves.untrusted, false), { trustAnchors: pki.ca.certPem })).toBe(
      'ERR_MTLS_CHAIN_NOT_VALIDATED',
    );
  });

  it('refuses a certificate without the clientAuth extended key usage when validating here (RFC 5280 §4.2.1.12)', async () => {
    expect(await outcome(client, presented(pki.leaves.serverOnly, false), { trustAnchors: pki.ca.certPem })).toBe(
      'ERR_MTLS_KEY_USAGE',
    );
    expect(await headerOutcome(client, pki.leaves.serverOnly, [], { trustAnchors: pki.ca.certPem })).toBe(
      'ERR_MTLS_KEY_USAGE',
    );
  });

  it('checks the validity period', async () => {
    expect(await outcome(client, presented(pki.leaves.expired))).toBe('ERR_MTLS_CERTIFICATE_EXPIRED');
    expect(await outcome(client, presented(pki.leaves.notYetValid))).toBe('ERR_MTLS_CERTIFICATE_NOT_YET_VALID');
    expect(await outcome(client, presented(pki.leaves.expired, false), { trustAnchors: pki.ca.certPem })).toBe(
      'ERR_MTLS_CHAIN_NOT_VALIDATED',
    );
  });

  it('refuses RSA keys under 2048 bits (FAPI 1 Part 1 §5.2.2-5)', async () => {
    expect(await outcome(client, presented(pki.leaves.rsa1024))).toBe('ERR_MTLS_KEY_TOO_WEAK');
  });

  it('accepts RSA, EC P-256, P-384 and Ed25519 certificates', async () => {
    expect(await outcome(client, presented(pki.leaves.subjectDn))).toBe('ok:tls_client_auth');
    for (const kind of ['p256', 'p384', 'ed25519'] as const) {
      expect(
        await outcome(pkiClient({ tls_client_auth_san_dns: `${kind}.example.com` }), presented(pki.leaves[kind])),
        kind,
      ).toBe('ok:tls_client_auth');
      expect(await outcome(client, presented(pki.leaves[kind]), { trustAnchors: pki.ca.certPem }), kind).toBe(
        'ok:tls_client_auth',
      );
    }
  });

  it('lets the key-size minimums be raised (FAPI 2 §5.4.1: EC ≥ 224; here RSA ≥ 3072, EC ≥ 384)', async () => {
    const minimumKeySizes = { rsa: 3072, ec: 384 };
    expect(await outcome(client, presented(pki.leaves.subjectDn), { minimumKeySizes })).toBe('ERR_MTLS_KEY_TOO_WEAK');
    expect(await outcome(client, presented(pki.leaves.p256), { minimumKeySizes })).toBe('ERR_MTLS_KEY_TOO_WEAK');
    expect(await outcome(client, presented(pki.leaves.p384), { minimumKeySizes })).toBe('ok:tls_client_auth');
  });

  it('treats an unparseable certificate as invalid_client, never a 500', async () => {
    const garbage: PresentedCertificate = {
      der: new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]),
      chainValidated: true,
      source: 'socket',
    };
    expect(await outcome(client, garbage)).toBe('ERR_MTLS_CERTIFICATE_MALFORMED');
  });

  it('refuses a client secret sent by a tls_client_auth client (registered method binds)', async () => {
    const auth = authenticator([client]);
    const req = request('mtls', presented(pki.leaves.subjectDn));
    req.body.client_secret = ['whatever'];
    await expect(auth.authenticate(req, { endpoint: 'token' })).rejects.toMatchObject({ code: 'ERR_METHOD_MISMATCH' });
  });

  it('reports a certificate presented with another method for token binding, not as a second mechanism', async () => {
    const auth = authenticator(
      [{ client_id: 'post', client_secret: 'a-secret', token_endpoint_auth_method: 'client_secret_post' }],
      {},
    );
    const req = request('post', presented(pki.leaves.subjectDn));
    req.body.client_secret = ['a-secret'];
    const result = await auth.authenticate(req, { endpoint: 'token' });
    expect(result.method).toBe('client_secret_post');
    expect(result.certificate?.thumbprint).toBe(
      createHash('sha256').update(pki.leaves.subjectDn.der).digest('base64url'),
    );
  });
});

describe('tls_client_auth RFC 5280 path validation with trustAnchors (RFC 8705 §2.1, §7.2)', () => {
  const rule = (name: string) => rules.find((candidate) => candidate.name === name) as RuleCase;

  it.each(RULES)('proxy header (RFC 9440), validated here: $title', async ({ name }) => {
    const { client, leaf, chain, code } = rule(name);
    expect(await headerOutcome(client, leaf, chain, { trustAnchors: pki.ca.certPem })).toBe(
      code ?? 'ok:tls_client_auth',
    );
  });

  it.each(RULES)('socket certificate the TLS layer passed, narrowed by trustAnchors: $title', async ({ name }) => {
    // As if the TLS layer trusted more (or checked less) than the configured anchors allow.
    const { client, leaf, chain, code } = rule(name);
    expect(await outcome(client, presented(leaf, true, chain), { trustAnchors: pki.ca.certPem })).toBe(
      code ?? 'ok:tls_client_auth',
    );
  });

  it('answers each refusal with 401 invalid_client, the generic description and a Basic challenge (RFC 6749 §5.2)', async () => {
    const { client, leaf, chain } = rule('nc-dns');
    const req = request(client.client_id, presented(leaf, true, chain));
    await expect(
      authenticator([client], { trustAnchors: pki.ca.certPem }).authenticate(req, { endpoint: 'token' }),
    ).rejects.toMatchObject({
      error: 'invalid_client',
      status: 401,
      code: 'ERR_MTLS_NAME_CONSTRAINTS',
      error_description: 'client authentication failed',
      challenge: expect.stringMatching(/^Basic realm=/),
    });
  });

  it('authenticates concurrent requests with their own verdicts (Promise.all, one authenticator)', async () => {
    const auth = authenticator(
      rules.map((candidate) => candidate.client),
      { trustAnchors: pki.ca.certPem },
    );
    const verdicts = await Promise.all(
      rules.map(({ client, leaf, chain }) =>
        auth.authenticate(request(client.client_id, presented(leaf, true, chain)), { endpoint: 'token' }).then(
          () => undefined,
          (error: { code: string }) => error.code,
        ),
      ),
    );
    expect(verdicts).toEqual(rules.map((candidate) => candidate.code));
  });
});

describe('self_signed_tls_client_auth (RFC 8705 §2.2)', () => {
  function jwkOf(leaf: Issued, extra: Record<string, unknown> = {}) {
    const jwk = leaf.x509.publicKey.export({ format: 'jwk' });
    return { ...jwk, x5c: [Buffer.from(leaf.der).toString('base64')], ...extra } as { kty: string; x5c: string[] };
  }
  function selfSignedClient(keys: unknown[]): ClientMetadata {
    return { client_id: 'self', token_endpoint_auth_method: 'self_signed_tls_client_auth', jwks: { keys } as never };
  }

  it.each(['selfSignedRsa', 'selfSignedP256', 'selfSignedEd25519'] as const)(
    'accepts the certificate registered as x5c[0] of a JWK (%s), chain not validated',
    async (name) => {
      const leaf = pki.leaves[name];
      const other = jwkOf(pki.leaves.selfSignedP256 === leaf ? pki.leaves.selfSignedRsa : pki.leaves.selfSignedP256);
      expect(await outcome(selfSignedClient([other, jwkOf(leaf)]), presented(leaf, false))).toBe(
        'ok:self_signed_tls_client_auth',
      );
    },
  );

  it('refuses a certificate that is not registered', async () => {
    const client = selfSignedClient([jwkOf(pki.leaves.selfSignedRsa)]);
    expect(await outcome(client, presented(pki.leaves.selfSignedP256, false))).toBe('ERR_MTLS_SELF_SIGNED_MISMATCH');
    expect(await outcome(client, undefined)).toBe('ERR_MTLS_CERTIFICATE_MISSING');
  });

  it('ignores a JWK whose x5c[0] carries another key than the JWK (RFC 7517 §4.7)', async () => {
    const leaf = pki.leaves.selfSignedP256;
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
    const mismatched = { ...stranger, x5c: [Buffer.from(leaf.der).toString('base64')] };
    expect(await outcome(selfSignedClient([mismatched]), presented(leaf, false))).toBe('ERR_MTLS_SELF_SIGNED_MISMATCH');
    // The same x5c with the certificate's own key is accepted.
    const own = createPublicKey(leaf.certPem).export({ format: 'jwk' });
    expect(await outcome(selfSignedClient([{ ...own, x5c: mismatched.x5c }]), presented(leaf, false))).toBe(
      'ok:self_signed_tls_client_auth',
    );
  });

  it('ignores JWKs without x5c, with a malformed x5c, and a client without jwks', async () => {
    const leaf = pki.leaves.selfSignedRsa;
    const { x5c: _x5c, ...bare } = jwkOf(leaf);
    expect(await outcome(selfSignedClient([bare, { ...bare, x5c: ['%%%'] }, null]), presented(leaf, false))).toBe(
      'ERR_MTLS_SELF_SIGNED_MISMATCH',
    );
    expect(
      await outcome(
        { client_id: 'self', token_endpoint_auth_method: 'self_signed_tls_client_auth' },
        presented(leaf, false),
      ),
    ).toBe('ERR_MTLS_SELF_SIGNED_MISMATCH');
  });

  it('applies the key-size minimums to self-signed certificates too', async () => {
    const weak = await pki.issue({ key: 'rsa1024', subject: [['CN', 'weak self-signed']], issuer: 'self' });
    expect(await outcome(selfSignedClient([jwkOf(weak)]), presented(weak, false))).toBe('ERR_MTLS_KEY_TOO_WEAK');
  });

  it('returns the x5t#S256 of the presented certificate', async () => {
    const leaf = pki.leaves.selfSignedEd25519;
    const result = await authenticator([selfSignedClient([jwkOf(leaf)])]).authenticate(
      request('self', presented(leaf, false)),
      { endpoint: 'token' },
    );
    expect(result.certificate?.thumbprint).toBe(createHash('sha256').update(leaf.der).digest('base64url'));
  });
});

describe('options and metadata', () => {
  it('publishes mtls_endpoint_aliases and tls_client_certificate_bound_access_tokens (RFC 8705 §5, §3.3)', () => {
    const auth = authenticator([], {
      endpoints: { token: `${ISSUER}/token` },
      mtlsEndpointAliases: {
        token: 'https://mtls.as.example.com/token',
        revocation: 'https://mtls.as.example.com/revoke',
      },
      tlsClientCertificateBoundAccessTokens: true,
    });
    const metadata = auth.metadata();
    expect(metadata.mtls_endpoint_aliases).toEqual({
      token_endpoint: 'https://mtls.as.example.com/token',
      revocation_endpoint: 'https://mtls.as.example.com/revoke',
    });
    expect(metadata.tls_client_certificate_bound_access_tokens).toBe(true);
    expect(metadata.token_endpoint_auth_methods_supported).toContain('tls_client_auth');
    expect(metadata.token_endpoint_auth_methods_supported).toContain('self_signed_tls_client_auth');
  });

  it('omits both when not configured', () => {
    const metadata = authenticator([]).metadata();
    expect(metadata).not.toHaveProperty('mtls_endpoint_aliases');
    expect(metadata).not.toHaveProperty('tls_client_certificate_bound_access_tokens');
  });

  it.each([
    ['a non-https alias', { mtlsEndpointAliases: { token: 'http://mtls.example.com/token' } }],
    ['an alias for an unknown endpoint', { mtlsEndpointAliases: { authorize: 'https://x.example/a' } }],
    ['trust anchors without PEM', { trustAnchors: 'not a certificate' }],
    ['a non-CA trust anchor', 'leaf-anchor'],
    ['a fractional key size', { minimumKeySizes: { rsa: 2048.5 } }],
    ['a negative key size', { minimumKeySizes: { ec: -1 } }],
    ['an RSA minimum below 2048 (DESIGN §3: RSA ≥ 2048 always)', { minimumKeySizes: { rsa: 1024 } }],
    ['an EC minimum below 160', { minimumKeySizes: { ec: 128 } }],
    ['an unknown certificate source', { certificates: { from: 'haproxy', trustedProxies: ['127.0.0.1'] } }],
    ['a header source without trusted proxies', { certificates: { from: 'nginx' } }],
    ['an empty trusted proxy list', { certificates: { from: 'nginx', trustedProxies: [] } }],
    ['a malformed proxy address', { certificates: { from: 'nginx', trustedProxies: ['10.0.0.300'] } }],
    ['a CIDR prefix too long', { certificates: { from: 'nginx', trustedProxies: ['10.0.0.0/33'] } }],
    [
      'a non-boolean chainValidated',
      { certificates: { from: 'envoy', trustedProxies: ['::1'], chainValidated: 'yes' } },
    ],
    ['a bad header name', { certificates: { from: 'envoy', trustedProxies: ['::1'], header: 'x y' } }],
    ['a non-boolean bound-token flag', { tlsClientCertificateBoundAccessTokens: 1 }],
  ])('throws TypeError at setup for %s', (_title, options) => {
    const resolved = options === 'leaf-anchor' ? { trustAnchors: pki.leaves.subjectDn.certPem } : options;
    expect(() => authenticator([], resolved as Partial<ClientAuthenticatorOptions>)).toThrow(TypeError);
  });

  it('does not mutate the caller options', () => {
    const options = {
      certificates: { from: 'nginx' as const, trustedProxies: ['10.0.0.0/8'] },
      minimumKeySizes: { ec: 224 },
    };
    const copy = structuredClone(options);
    authenticator([], options);
    expect(options).toEqual(copy);
  });
});

describe('self_signed_tls_client_auth with a jwks_uri (RFC 8705 §2.2.2)', () => {
  it('reads x5c from the jwks_uri, cached, and re-fetches once for a rotated certificate', async () => {
    const jwk = (leaf: Issued) => ({
      ...leaf.x509.publicKey.export({ format: 'jwk' }),
      x5c: [Buffer.from(leaf.der).toString('base64')],
    });
    let keys = [jwk(pki.leaves.selfSignedRsa)];
    let fetches = 0;
    const server = createServer((_req, res) => {
      fetches += 1;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const client: ClientMetadata = {
        client_id: 'rotating',
        token_endpoint_auth_method: 'self_signed_tls_client_auth',
        jwks_uri: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`,
      };
      const options = { jwks: { allowHttp: true, allow: ['127.0.0.1'], cooldown: 0 } };
      const auth = authenticator([client], options);
      const send = (leaf: Issued) =>
        auth.authenticate(request('rotating', presented(leaf, false)), { endpoint: 'token' }).then(
          (result) => result.method,
          (error: { code: string }) => error.code,
        );
      expect(await send(pki.leaves.selfSignedRsa)).toBe('self_signed_tls_client_auth');
      expect(await send(pki.leaves.selfSignedRsa)).toBe('self_signed_tls_client_auth');
      expect(fetches).toBe(1);
      // The client rotates its certificate at its jwks_uri.
      keys = [jwk(pki.leaves.selfSignedP256)];
      expect(await send(pki.leaves.selfSignedP256)).toBe('self_signed_tls_client_auth');
      expect(fetches).toBe(2);
      expect(await send(pki.leaves.selfSignedRsa)).toBe('ERR_MTLS_SELF_SIGNED_MISMATCH');
    } finally {
      server.close();
    }
  });
});

describe('mtls_endpoint_aliases as assertion audiences (RFC 8705 §5, RFC 7523 §3)', () => {
  it('accepts an assertion whose aud is the mTLS alias of the token endpoint, only when configured', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const client: ClientMetadata = {
      client_id: 'pkjwt',
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [{ ...(publicKey.export({ format: 'jwk' }) as { kty: string }), alg: 'ES256' }] },
    };
    const alias = 'https://mtls.as.example.com/token';
    const assertion = () =>
      new SignJWT({ jti: crypto.randomUUID() })
        .setProtectedHeader({ alg: 'ES256' })
        .setIssuer('pkjwt')
        .setSubject('pkjwt')
        .setAudience(alias)
        .setIssuedAt()
        .setExpirationTime('1m')
        .sign(privateKey);
    const body = async () => ({
      client_assertion_type: ['urn:ietf:params:oauth:client-assertion-type:jwt-bearer'],
      client_assertion: [await assertion()],
    });
    // An endpoint URL as audience needs the compatible mode (rfc7523bis §4: the issuer by default).
    const withAlias = authenticator([client], {
      audience: 'compatible',
      endpoints: { token: `${ISSUER}/token` },
      mtlsEndpointAliases: { token: alias },
    });
    const result = await withAlias.authenticate(
      { headers: {}, body: await body(), secure: true },
      { endpoint: 'token' },
    );
    expect(result.method).toBe('private_key_jwt');
    const without = authenticator([client], { audience: 'compatible', endpoints: { token: `${ISSUER}/token` } });
    await expect(
      without.authenticate({ headers: {}, body: await body(), secure: true }, { endpoint: 'token' }),
    ).rejects.toMatchObject({ code: 'ERR_ASSERTION_AUD_MISMATCH' });
  });
});

describe('EdDSA (RFC 8037, RFC 8410) and P-384 client certificates (RFC 8705 §2.1, §2.2)', () => {
  /** The JWK a client registers for its certificate: the key members, `alg`, `use`, `kid` and `x5c`. */
  function registeredJwk(leaf: Issued, alg: string) {
    const jwk = leaf.x509.publicKey.export({ format: 'jwk' });
    return { ...jwk, alg, use: 'sig', kid: `${alg}-key`, x5c: [Buffer.from(leaf.der).toString('base64')] };
  }
  const selfSigned = (keys: unknown[]): ClientMetadata => ({
    client_id: 'self',
    token_endpoint_auth_method: 'self_signed_tls_client_auth',
    jwks: { keys } as never,
  });

  it('self_signed_tls_client_auth accepts a registered self-signed Ed25519 and Ed448 certificate, an OKP JWK with x5c (RFC 8705 §2.2.2)', async () => {
    const ed448 = opensslEd448({ subject: 'CN=self-signed ed448' });
    for (const [leaf, alg] of [
      [pki.leaves.selfSignedEd25519, 'EdDSA'],
      [pki.leaves.selfSignedEd25519, 'Ed25519'],
      [ed448, 'EdDSA'],
      [ed448, 'Ed448'],
    ] as const) {
      const client = selfSigned([registeredJwk(pki.leaves.selfSignedP256, 'ES256'), registeredJwk(leaf, alg)]);
      expect(await outcome(client, presented(leaf, false)), alg).toBe('ok:self_signed_tls_client_auth');
      // Another OKP certificate is not this client's (RFC 8705 §2.2: it must match a registered one).
      const other = leaf === ed448 ? pki.leaves.selfSignedEd25519 : ed448;
      expect(await outcome(client, presented(other, false)), alg).toBe('ERR_MTLS_SELF_SIGNED_MISMATCH');
    }
  });

  it('self_signed_tls_client_auth ignores an OKP JWK whose x5c[0] carries another OKP key (RFC 7517 §4.7)', async () => {
    const leaf = pki.leaves.selfSignedEd25519;
    const stranger = opensslEd448({ subject: 'CN=stranger' }).x509.publicKey.export({ format: 'jwk' });
    const mismatched = { ...stranger, x5c: [Buffer.from(leaf.der).toString('base64')] };
    expect(await outcome(selfSigned([mismatched]), presented(leaf, false))).toBe('ERR_MTLS_SELF_SIGNED_MISMATCH');
  });

  it('tls_client_auth accepts Ed25519, Ed448 and P-384 client certificates, by SAN and subject DN, validated here too', async () => {
    const leaves = {
      'ed25519.example.com': pki.leaves.ed25519,
      'ed448.example.com': opensslEd448({ subject: SUBJECT_DN, issuer: pki.ca, dns: 'ed448.example.com' }),
      'p384.example.com': pki.leaves.p384,
    };
    for (const [dns, leaf] of Object.entries(leaves)) {
      expect(await outcome(pkiClient({ tls_client_auth_san_dns: dns }), presented(leaf)), dns).toBe(
        'ok:tls_client_auth',
      );
      // From a trusted proxy that did not validate: the chain is validated here (RFC 5280 §6.1).
      const byDn = pkiClient({ tls_client_auth_subject_dn: SUBJECT_DN });
      expect(await headerOutcome(byDn, leaf, [], { trustAnchors: pki.ca.certPem }), dns).toBe('ok:tls_client_auth');
      expect(await headerOutcome(byDn, leaf, [], { trustAnchors: pki.untrustedCa.certPem }), dns).toBe(
        'ERR_MTLS_CHAIN_NOT_VALIDATED',
      );
    }
  });
});
