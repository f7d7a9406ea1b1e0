/**
 * Mutual TLS through every example server (DESIGN.md §5: TLS_PORT, TLS_CERT, TLS_KEY, TLS_CA,
 * CERT_HEADER, TRUSTED_PROXIES), driven with curl and real client certificates. The Express
 * example has its full suite in examples/express/test/mtls.test.ts; this checks that Koa and Hono
 * behave the same.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { curlJson as curl, freePort, type RunningExample, startExample } from './helpers/example-server.js';
import { createTestPki, type Issued, opensslEd448, type PkiFiles, SUBJECT_DN, type TestPki } from './helpers/pki.js';

let pki: TestPki;
let files: PkiFiles;
let clientsFile: string;
/** Ed448 certificates (RFC 8410), made by the openssl CLI: one self-signed, one from the test CA. */
let ed448: { selfSigned: ReturnType<typeof opensslEd448>; issued: ReturnType<typeof opensslEd448> };
const running: RunningExample[] = [];

const x5t = (leaf: Issued) => Buffer.from(leaf.x509.fingerprint256.replace(/:/g, ''), 'hex').toString('base64url');
const jwk = (leaf: Issued) => ({
  ...leaf.x509.publicKey.export({ format: 'jwk' }),
  x5c: [Buffer.from(leaf.der).toString('base64')],
});
const cert = (name: keyof TestPki['leaves']) => [
  '--cacert',
  files.caCert,
  '--cert',
  files.cert(name),
  '--key',
  files.key(name),
];
const TOKEN = ['-d', 'grant_type=client_credentials'];

beforeAll(async () => {
  pki = await createTestPki();
  files = pki.writeFiles();
  clientsFile = join(files.dir, 'clients.json');
  ed448 = {
    selfSigned: opensslEd448({ subject: 'CN=self-signed ed448' }),
    issued: opensslEd448({ subject: SUBJECT_DN, issuer: pki.ca, dns: 'ed448.example.com' }),
  };
  const bySan = (client_id: string, dns: string) => ({
    client_id,
    token_endpoint_auth_method: 'tls_client_auth',
    tls_client_auth_san_dns: dns,
  });
  writeFileSync(
    clientsFile,
    JSON.stringify([
      { client_id: 'dn', token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_subject_dn: SUBJECT_DN },
      {
        client_id: 'self',
        token_endpoint_auth_method: 'self_signed_tls_client_auth',
        jwks: { keys: [jwk(pki.leaves.selfSignedEd25519)] },
      },
      {
        client_id: 'self-ed448',
        token_endpoint_auth_method: 'self_signed_tls_client_auth',
        jwks: {
          keys: [
            { ...jwk(pki.leaves.selfSignedP256), alg: 'ES256' },
            { ...jwk(ed448.selfSigned), alg: 'EdDSA' },
          ],
        },
      },
      bySan('ed25519', 'ed25519.example.com'),
      bySan('ed448', 'ed448.example.com'),
      bySan('p384', 'p384.example.com'),
    ]),
  );
});

afterAll(async () => {
  await Promise.all(running.map((example) => example.stop()));
});

describe.each(['koa', 'hono'] as const)('examples/%s over mutual TLS', (name) => {
  let https: string;
  let http: string;
  beforeAll(async () => {
    const tlsPort = await freePort();
    const example = await startExample(name, {
      TLS_PORT: String(tlsPort),
      TLS_CERT: files.serverCert,
      TLS_KEY: files.serverKey,
      TLS_CA: files.caCert,
      CLIENTS_FILE: clientsFile,
    });
    running.push(example);
    https = `https://localhost:${tlsPort}`;
    http = example.url;
  });

  it('issues a certificate-bound token to a tls_client_auth client (RFC 8705 §2.1, §3.1)', async () => {
    const response = await curl([...cert('subjectDn'), '-d', 'client_id=dn', ...TOKEN, `${https}/token`]);
    expect(response.status).toBe(200);
    expect(decodeJwt(response.body.access_token as string).cnf).toEqual({ 'x5t#S256': x5t(pki.leaves.subjectDn) });
  });

  it('issues a token to a self_signed_tls_client_auth client (RFC 8705 §2.2)', async () => {
    const response = await curl([...cert('selfSignedEd25519'), '-d', 'client_id=self', ...TOKEN, `${https}/token`]);
    expect(response.status).toBe(200);
  });

  it('self_signed_tls_client_auth accepts a registered self-signed Ed448 certificate, an OKP JWK with x5c (RFC 8705 §2.2.2)', async () => {
    const { certFile, keyFile } = ed448.selfSigned;
    const ok = await curl([
      '--cacert',
      files.caCert,
      '--cert',
      certFile,
      '--key',
      keyFile,
      '-d',
      'client_id=self-ed448',
      ...TOKEN,
      `${https}/token`,
    ]);
    expect(ok.status).toBe(200);
    expect(decodeJwt(ok.body.access_token as string).cnf).toEqual({ 'x5t#S256': x5t(ed448.selfSigned) });
    // The Ed25519 certificate registered for another client is not this one's (RFC 8705 §2.2).
    const other = await curl([...cert('selfSignedEd25519'), '-d', 'client_id=self-ed448', ...TOKEN, `${https}/token`]);
    expect(other.status).toBe(401);
  });

  it('tls_client_auth accepts Ed25519, Ed448 and P-384 client certificates from the trusted CA (RFC 8705 §2.1)', async () => {
    const presented = {
      ed25519: cert('ed25519'),
      ed448: ['--cacert', files.caCert, '--cert', ed448.issued.certFile, '--key', ed448.issued.keyFile],
      p384: cert('p384'),
    };
    for (const [clientId, args] of Object.entries(presented)) {
      const response = await curl([...args, '-d', `client_id=${clientId}`, ...TOKEN, `${https}/token`]);
      expect(response.status, clientId).toBe(200);
      // A certificate of another key type does not carry this client's dNSName.
      const wrong = await curl([...cert('p256'), '-d', `client_id=${clientId}`, ...TOKEN, `${https}/token`]);
      expect(wrong.status, clientId).toBe(401);
    }
  });

  it('answers 401 without a certificate and with an untrusted one', async () => {
    expect((await curl(['--cacert', files.caCert, '-d', 'client_id=dn', ...TOKEN, `${https}/token`])).status).toBe(401);
    expect((await curl([...cert('untrusted'), '-d', 'client_id=dn', ...TOKEN, `${https}/token`])).status).toBe(401);
  });

  it('publishes mtls_endpoint_aliases (RFC 8705 §5)', async () => {
    const { body } = await curl([`${http}/.well-known/oauth-authorization-server`]);
    expect(body.mtls_endpoint_aliases).toMatchObject({ token_endpoint: `${https}/token` });
  });
});

describe.each(['koa', 'hono'] as const)('examples/%s behind a proxy', (name) => {
  let http: string;
  beforeAll(async () => {
    const example = await startExample(name, {
      CERT_HEADER: 'nginx',
      TRUSTED_PROXIES: '127.0.0.1',
      CLIENTS_FILE: clientsFile,
    });
    running.push(example);
    http = example.url;
  });
  const header = () => ['-H', `ssl-client-cert: ${encodeURIComponent(pki.leaves.subjectDn.certPem)}`];

  it('reads the header from the trusted peer and ignores it from another', async () => {
    const trusted = await curl([
      '--interface',
      '127.0.0.1',
      ...header(),
      '-d',
      'client_id=dn',
      ...TOKEN,
      `${http}/token`,
    ]);
    expect(trusted.status).toBe(200);
    const untrusted = await curl([
      '--interface',
      '127.0.0.2',
      ...header(),
      '-d',
      'client_id=dn',
      ...TOKEN,
      `${http}/token`,
    ]);
    expect(untrusted.status).toBe(401);
  });
});
