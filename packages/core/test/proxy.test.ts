import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestPki, type Issued, SUBJECT_DN, type TestPki } from '../../../test/helpers/pki.js';
import {
  type CertificateSourceOptions,
  type ClientAuthRequest,
  createClientAuthenticator,
  decodeCertificateHeader,
} from '../src/index.js';
import { trustedProxyMatcher } from '../src/proxy/trusted_peers.js';

let pki: TestPki;
beforeAll(async () => {
  pki = await createTestPki();
});

const b64 = (leaf: Issued) => Buffer.from(leaf.der).toString('base64');
const hex = (der: Uint8Array | undefined) => (der === undefined ? undefined : Buffer.from(der).toString('hex'));
/** What nginx's $ssl_client_escaped_cert produces: the PEM, URL-escaped. */
const escapedPem = (pem: string) => encodeURIComponent(pem);

describe('proxy header decoders', () => {
  it('RFC 9440 Client-Cert: a structured-field byte sequence of the DER (RFC 9440 §2.2)', () => {
    const leaf = pki.leaves.subjectDn;
    const decoded = decodeCertificateHeader('rfc9440', {
      'client-cert': `:${b64(leaf)}:`,
      'client-cert-chain': `:${b64(pki.intermediate)}:, :${b64(pki.ca)}:`,
    });
    expect(hex(decoded?.der)).toBe(hex(leaf.der));
    expect(decoded?.chain.map(hex)).toEqual([hex(pki.intermediate.der), hex(pki.ca.der)]);
  });

  it('RFC 9440: a repeated Client-Cert header is invalid_request (RFC 9440 §2.2)', () => {
    const item = `:${b64(pki.leaves.subjectDn)}:`;
    // Node joins repeated headers with ", "; other hosts may hand an array.
    for (const value of [`${item}, ${item}`, [item, item]]) {
      expect(() => decodeCertificateHeader('rfc9440', { 'client-cert': value })).toThrow(
        expect.objectContaining({ error: 'invalid_request', code: 'ERR_CERTIFICATE_HEADER_REPEATED' }),
      );
    }
  });

  it('RFC 9440: a malformed value or chain means no certificate', () => {
    for (const value of [b64(pki.leaves.subjectDn), ':not base64!:', '::', `"${b64(pki.leaves.subjectDn)}"`]) {
      expect(decodeCertificateHeader('rfc9440', { 'client-cert': value }), value).toBeUndefined();
    }
    expect(
      decodeCertificateHeader('rfc9440', { 'client-cert': `:${b64(pki.leaves.subjectDn)}:`, 'client-cert-chain': 'x' }),
    ).toBeUndefined();
  });

  it('nginx $ssl_client_escaped_cert: URL-escaped PEM of the end-entity certificate', () => {
    const leaf = pki.leaves.p256;
    expect(hex(decodeCertificateHeader('nginx', { 'ssl-client-cert': escapedPem(leaf.certPem) })?.der)).toBe(
      hex(leaf.der),
    );
    expect(decodeCertificateHeader('nginx', { 'ssl-client-cert': '%E0%A4%A' })).toBeUndefined();
    expect(
      decodeCertificateHeader('nginx', { 'ssl-client-cert': escapedPem(leaf.certPem + leaf.certPem) }),
    ).toBeUndefined();
    expect(decodeCertificateHeader('nginx', { 'ssl-client-cert': '' })).toBeUndefined();
  });

  it('Envoy x-forwarded-client-cert: Cert="<URL-encoded PEM>", Chain without the leaf', () => {
    const leaf = pki.leaves.viaIntermediate;
    const hash = createHash('sha256').update(leaf.der).digest('hex');
    const value = `By=spiffe://cluster.local/ns/default/sa/as;Hash=${hash};Cert="${escapedPem(leaf.certPem)}";Chain="${escapedPem(
      leaf.certPem + pki.intermediate.certPem,
    )}";Subject="${SUBJECT_DN.replace(/,/g, '\\,')}";DNS=client.example.com`;
    const decoded = decodeCertificateHeader('envoy', { 'x-forwarded-client-cert': value });
    expect(hex(decoded?.der)).toBe(hex(leaf.der));
    expect(decoded?.chain.map(hex)).toEqual([hex(pki.intermediate.der)]);
  });

  it('Envoy: several elements (several hops) or an unterminated quote mean no certificate', () => {
    const element = `Hash=00;Cert="${escapedPem(pki.leaves.subjectDn.certPem)}"`;
    expect(decodeCertificateHeader('envoy', { 'x-forwarded-client-cert': `${element},${element}` })).toBeUndefined();
    expect(decodeCertificateHeader('envoy', { 'x-forwarded-client-cert': 'Cert="abc' })).toBeUndefined();
    expect(decodeCertificateHeader('envoy', { 'x-forwarded-client-cert': 'Hash=00;URI=spiffe://x' })).toBeUndefined();
  });

  it('Traefik X-Forwarded-Tls-Client-Cert: base64 DER without PEM armour, chain comma-separated', () => {
    const leaf = pki.leaves.ed25519;
    const value = `${b64(leaf)},${b64(pki.intermediate)}`;
    const decoded = decodeCertificateHeader('traefik', { 'x-forwarded-tls-client-cert': value });
    expect(hex(decoded?.der)).toBe(hex(leaf.der));
    expect(decoded?.chain.map(hex)).toEqual([hex(pki.intermediate.der)]);
    // Older Traefik versions URL-escape the value.
    const escaped = decodeCertificateHeader('traefik', {
      'x-forwarded-tls-client-cert': encodeURIComponent(b64(leaf)),
    });
    expect(hex(escaped?.der)).toBe(hex(leaf.der));
    expect(decodeCertificateHeader('traefik', { 'x-forwarded-tls-client-cert': 'not*base64' })).toBeUndefined();
  });

  it('AWS ALB X-Amzn-Mtls-Clientcert: URL-encoded PEM, leaf first then the chain', () => {
    const leaf = pki.leaves.viaIntermediate;
    const value = escapedPem(leaf.certPem + pki.intermediate.certPem);
    const decoded = decodeCertificateHeader('aws-alb', { 'x-amzn-mtls-clientcert': value });
    expect(hex(decoded?.der)).toBe(hex(leaf.der));
    expect(decoded?.chain.map(hex)).toEqual([hex(pki.intermediate.der)]);
  });

  it('ignores an oversized header', () => {
    expect(decodeCertificateHeader('nginx', { 'ssl-client-cert': 'A'.repeat(70_000) })).toBeUndefined();
  });
});

describe('trustedProxies', () => {
  it('matches addresses and CIDR ranges, IPv4-mapped IPv6 peers as IPv4', () => {
    const trusted = trustedProxyMatcher(['127.0.0.1', '10.0.0.0/8', 'fd00::/8', '::1']);
    expect(trusted('127.0.0.1')).toBe(true);
    expect(trusted('::ffff:127.0.0.1')).toBe(true);
    expect(trusted('127.0.0.2')).toBe(false);
    expect(trusted('10.200.3.4')).toBe(true);
    expect(trusted('::ffff:10.200.3.4')).toBe(true);
    expect(trusted('11.0.0.1')).toBe(false);
    expect(trusted('fd12::1')).toBe(true);
    expect(trusted('fe80::1')).toBe(false);
    expect(trusted('::1')).toBe(true);
    expect(trusted(undefined)).toBe(false);
    expect(trusted('garbage')).toBe(false);
  });

  it('an IPv6 range never covers IPv4 peers through their IPv4-mapped form (RFC 4291 §2.5.5.2), as in the SSRF guard', () => {
    const trusted = trustedProxyMatcher(['::/0']);
    expect(trusted('2001:db8::1')).toBe(true);
    expect(trusted('10.0.0.1')).toBe(false);
    expect(trusted('::ffff:10.0.0.1')).toBe(false);
  });

  it('matches a link-local peer reported with its zone id by its address (RFC 4007 §11)', () => {
    expect(trustedProxyMatcher(['fe80::/10'])('fe80::1%eth0')).toBe(true);
    expect(trustedProxyMatcher(['fd00::/8'])('fe80::1%eth0')).toBe(false);
  });

  it('accepts IPv4-mapped entries', () => {
    expect(trustedProxyMatcher(['::ffff:192.0.2.0/24'])('192.0.2.7')).toBe(true);
  });
});

describe('certificate source in authenticate()', () => {
  const clients = [
    { client_id: 'mtls', token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_subject_dn: SUBJECT_DN },
  ];
  function auth(certificates: CertificateSourceOptions) {
    return createClientAuthenticator({
      issuer: 'https://as.example.com',
      getClient: (id) => clients.find((client) => client.client_id === id),
      certificates,
    });
  }
  function request(peerAddress: string, headers: ClientAuthRequest['headers'], socket?: Issued): ClientAuthRequest {
    const req: ClientAuthRequest = { headers, body: { client_id: ['mtls'] }, peerAddress, secure: false };
    if (socket !== undefined) req.certificate = { der: socket.der, chainValidated: true, source: 'socket' };
    return req;
  }
  const nginx = { from: 'nginx', trustedProxies: ['127.0.0.1'], chainValidated: true } as const;
  const leaf = () => pki.leaves.subjectDn;

  it('reads the header from a trusted proxy and reports its source and thumbprint', async () => {
    const result = await auth(nginx).authenticate(
      request('127.0.0.1', { 'ssl-client-cert': escapedPem(leaf().certPem) }),
      { endpoint: 'token' },
    );
    expect(result.certificate?.source).toBe('nginx');
    expect(result.certificate?.thumbprint).toBe(createHash('sha256').update(leaf().der).digest('base64url'));
  });

  it('ignores the header from an untrusted peer', async () => {
    await expect(
      auth(nginx).authenticate(request('127.0.0.2', { 'ssl-client-cert': escapedPem(leaf().certPem) }), {
        endpoint: 'token',
      }),
    ).rejects.toMatchObject({ code: 'ERR_MTLS_CERTIFICATE_MISSING' });
  });

  it('uses the socket certificate from an untrusted peer, never the proxy connection certificate', async () => {
    const fromClient = await auth(nginx).authenticate(request('192.0.2.1', {}, leaf()), { endpoint: 'token' });
    expect(fromClient.certificate?.source).toBe('socket');
    // A trusted proxy's own TLS client certificate is not the client's.
    await expect(
      auth(nginx).authenticate(request('127.0.0.1', {}, leaf()), { endpoint: 'token' }),
    ).rejects.toMatchObject({ code: 'ERR_MTLS_CERTIFICATE_MISSING' });
  });

  it('ignores headers when the source is the socket', async () => {
    await expect(
      auth({ from: 'socket', chainValidated: true }).authenticate(
        request('127.0.0.1', { 'ssl-client-cert': escapedPem(leaf().certPem) }),
        { endpoint: 'token' },
      ),
    ).rejects.toMatchObject({ code: 'ERR_MTLS_CERTIFICATE_MISSING' });
  });

  it('needs chainValidated (or trust anchors) for tls_client_auth behind a proxy', async () => {
    // Without either, nothing validates the chain: the method is not even enabled (RFC 8705 §7.4).
    const unvalidated = auth({ ...nginx, chainValidated: false });
    expect(unvalidated.metadata().token_endpoint_auth_methods_supported).not.toContain('tls_client_auth');
    await expect(
      unvalidated.authenticate(request('127.0.0.1', { 'ssl-client-cert': escapedPem(leaf().certPem) }), {
        endpoint: 'token',
      }),
    ).rejects.toMatchObject({ code: 'ERR_METHOD_NOT_ALLOWED' });
  });

  it('treats a malformed header from a trusted proxy as no certificate, not a 500', async () => {
    for (const value of ['%%%', encodeURIComponent('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----')]) {
      await expect(
        auth(nginx).authenticate(request('127.0.0.1', { 'ssl-client-cert': value }), { endpoint: 'token' }),
      ).rejects.toMatchObject({ status: 401, code: 'ERR_MTLS_CERTIFICATE_MISSING' });
    }
  });

  it('answers a repeated RFC 9440 header from a trusted proxy with invalid_request', async () => {
    const item = `:${b64(leaf())}:`;
    await expect(
      auth({ from: 'rfc9440', trustedProxies: ['127.0.0.1'], chainValidated: true }).authenticate(
        request('::ffff:127.0.0.1', { 'client-cert': `${item}, ${item}` }),
        { endpoint: 'token' },
      ),
    ).rejects.toMatchObject({ status: 400, error: 'invalid_request', code: 'ERR_CERTIFICATE_HEADER_REPEATED' });
  });

  it.each([
    ['rfc9440', 'client-cert', () => `:${b64(leaf())}:`],
    ['nginx', 'ssl-client-cert', () => escapedPem(leaf().certPem)],
    ['envoy', 'x-forwarded-client-cert', () => `Hash=00;Cert="${escapedPem(leaf().certPem)}";Subject=""`],
    ['traefik', 'x-forwarded-tls-client-cert', () => b64(leaf())],
    ['aws-alb', 'x-amzn-mtls-clientcert', () => escapedPem(leaf().certPem)],
  ] as const)('authenticates through the %s header from a trusted proxy', async (format, header, value) => {
    const source = { from: format, trustedProxies: ['10.0.0.0/8'], chainValidated: true } as const;
    const result = await auth(source).authenticate(request('::ffff:10.1.2.3', { [header]: value() }), {
      endpoint: 'token',
    });
    expect(result.certificate).toMatchObject({
      source: format,
      thumbprint: createHash('sha256').update(leaf().der).digest('base64url'),
    });
    await expect(
      auth(source).authenticate(request('192.0.2.1', { [header]: value() }), { endpoint: 'token' }),
    ).rejects.toMatchObject({ code: 'ERR_MTLS_CERTIFICATE_MISSING' });
  });

  it('counts a certificate from the proxy as TLS for secret methods (RFC 6749 §2.3.1)', async () => {
    const postClient = { client_id: 'post', client_secret: 's3cret', token_endpoint_auth_method: 'client_secret_post' };
    const authenticator = createClientAuthenticator({
      issuer: 'https://as.example.com',
      getClient: (id) => (id === 'post' ? postClient : undefined),
      certificates: nginx,
    });
    const viaProxy = request('127.0.0.1', { 'ssl-client-cert': escapedPem(leaf().certPem) });
    viaProxy.body = { client_id: ['post'], client_secret: ['s3cret'] };
    expect((await authenticator.authenticate(viaProxy, { endpoint: 'token' })).certificate?.source).toBe('nginx');
    const plain = request('127.0.0.1', {});
    plain.body = { client_id: ['post'], client_secret: ['s3cret'] };
    await expect(authenticator.authenticate(plain, { endpoint: 'token' })).rejects.toMatchObject({
      code: 'ERR_INSECURE_TRANSPORT',
    });
  });

  it('reads a custom header name', async () => {
    const result = await auth({ ...nginx, header: 'X-SSL-Cert' }).authenticate(
      request('127.0.0.1', { 'x-ssl-cert': escapedPem(leaf().certPem) }),
      { endpoint: 'token' },
    );
    expect(result.certificate?.source).toBe('nginx');
  });
});
