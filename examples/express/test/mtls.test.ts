/**
 * The Express example over mutual TLS, driven from outside like a user would: the server runs as a
 * child process configured by environment variables only, and curl presents real client
 * certificates (`curl --cert --key --cacert`) or plays a TLS-terminating proxy.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  curlJson as curl,
  freePort,
  type RunningExample,
  run,
  startExample,
} from '../../../test/helpers/example-server.js';
import { createTestPki, type Issued, type PkiFiles, SUBJECT_DN, type TestPki } from '../../../test/helpers/pki.js';

let pki: TestPki;
let files: PkiFiles;
const running: RunningExample[] = [];

function withCertificate(name: keyof TestPki['leaves']): string[] {
  return ['--cacert', files.caCert, '--cert', files.cert(name), '--key', files.key(name)];
}

/** RFC 8705 §3.1 x5t#S256 computed by openssl: `openssl x509 -outform DER | openssl dgst -sha256 -binary`. */
async function opensslThumbprint(certFile: string): Promise<string> {
  const { stdout } = await run('sh', [
    '-c',
    `openssl x509 -in "${certFile}" -outform DER | openssl dgst -sha256 -binary | base64`,
  ]);
  return stdout.trim().replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
}

function jwkWithX5c(leaf: Issued) {
  return { ...leaf.x509.publicKey.export({ format: 'jwk' }), x5c: [Buffer.from(leaf.der).toString('base64')] };
}

const TOKEN_REQUEST = ['-d', 'grant_type=client_credentials'];

beforeAll(async () => {
  pki = await createTestPki();
  files = pki.writeFiles();
  const clients = [
    { client_id: 'dn', token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_subject_dn: SUBJECT_DN },
    { client_id: 'ed', token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_san_dns: 'ed25519.example.com' },
    { client_id: 'p384', token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_san_dns: 'p384.example.com' },
    {
      client_id: 'self',
      token_endpoint_auth_method: 'self_signed_tls_client_auth',
      jwks: { keys: [jwkWithX5c(pki.leaves.selfSignedRsa), jwkWithX5c(pki.leaves.selfSignedEd25519)] },
    },
  ];
  writeFileSync(join(files.dir, 'clients.json'), JSON.stringify(clients));
});

afterAll(async () => {
  await Promise.all(running.map((example) => example.stop()));
});

/** Start examples/express; `https` is its mutual-TLS origin when TLS_PORT is set. */
async function start(env: Record<string, string>): Promise<{ http: string; https: string }> {
  const tlsPort = await freePort();
  const example = await startExample(
    'express',
    env.TLS_CERT === undefined ? env : { TLS_PORT: String(tlsPort), ...env },
  );
  running.push(example);
  return { http: example.url, https: `https://localhost:${tlsPort}` };
}

describe('examples/express over mutual TLS (TLS_PORT, TLS_CERT, TLS_KEY, TLS_CA)', () => {
  let server: { http: string; https: string };
  beforeAll(async () => {
    server = await start({
      TLS_CERT: files.serverCert,
      TLS_KEY: files.serverKey,
      TLS_CA: files.caCert,
      CLIENTS_FILE: join(files.dir, 'clients.json'),
    });
  });

  it('issues a certificate-bound token to a tls_client_auth client (curl --cert), cnf.x5t#S256 as openssl computes it', async () => {
    const response = await curl([
      ...withCertificate('subjectDn'),
      '-d',
      'client_id=dn',
      ...TOKEN_REQUEST,
      `${server.https}/token`,
    ]);
    expect(response.status).toBe(200);
    const claims = decodeJwt(response.body.access_token as string);
    expect(claims.client_id).toBe('dn');
    expect(claims.cnf).toEqual({ 'x5t#S256': await opensslThumbprint(files.cert('subjectDn')) });
  });

  it.each([
    ['Ed25519', 'ed', 'ed25519'],
    ['EC P-384', 'p384', 'p384'],
  ] as const)('accepts an %s client certificate', async (_title, clientId, leaf) => {
    const response = await curl([
      ...withCertificate(leaf),
      '-d',
      `client_id=${clientId}`,
      ...TOKEN_REQUEST,
      `${server.https}/token`,
    ]);
    expect(response.status).toBe(200);
    expect(decodeJwt(response.body.access_token as string).cnf).toEqual({
      'x5t#S256': await opensslThumbprint(files.cert(leaf)),
    });
  });

  it.each(['selfSignedRsa', 'selfSignedEd25519'] as const)(
    'issues a token to a self_signed_tls_client_auth client registered through CLIENTS_FILE (%s)',
    async (leaf) => {
      const response = await curl([
        ...withCertificate(leaf),
        '-d',
        'client_id=self',
        ...TOKEN_REQUEST,
        `${server.https}/token`,
      ]);
      expect(response.status).toBe(200);
      expect(decodeJwt(response.body.access_token as string).cnf).toEqual({
        'x5t#S256': await opensslThumbprint(files.cert(leaf)),
      });
    },
  );

  it('answers 401 invalid_client without a certificate, with an untrusted or an expired one', async () => {
    for (const args of [['--cacert', files.caCert], withCertificate('untrusted'), withCertificate('expired')]) {
      const response = await curl([...args, '-d', 'client_id=dn', ...TOKEN_REQUEST, `${server.https}/token`]);
      expect(response).toEqual({
        status: 401,
        body: { error: 'invalid_client', error_description: 'client authentication failed' },
      });
    }
  });

  it('answers 401 for a self-signed certificate that is not registered', async () => {
    const response = await curl([
      ...withCertificate('selfSignedP256'),
      '-d',
      'client_id=self',
      ...TOKEN_REQUEST,
      `${server.https}/token`,
    ]);
    expect(response.status).toBe(401);
  });

  it('publishes the TLS origin as mtls_endpoint_aliases (RFC 8705 §5)', async () => {
    const { body } = await curl([`${server.http}/.well-known/oauth-authorization-server`]);
    expect(body.mtls_endpoint_aliases).toMatchObject({
      token_endpoint: `${server.https}/token`,
      introspection_endpoint: `${server.https}/introspect`,
      revocation_endpoint: `${server.https}/revoke`,
      pushed_authorization_request_endpoint: `${server.https}/par`,
    });
    expect(body.tls_client_certificate_bound_access_tokens).toBe(true);
    expect(body.token_endpoint_auth_methods_supported).toEqual(
      expect.arrayContaining(['tls_client_auth', 'self_signed_tls_client_auth']),
    );
  });

  it('authenticates mTLS clients at the other endpoints too (introspection)', async () => {
    const token = await curl([
      ...withCertificate('subjectDn'),
      '-d',
      'client_id=dn',
      ...TOKEN_REQUEST,
      `${server.https}/token`,
    ]);
    const response = await curl([
      ...withCertificate('subjectDn'),
      '-d',
      'client_id=dn',
      '-d',
      `token=${token.body.access_token}`,
      `${server.https}/introspect`,
    ]);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ active: true, client_id: 'dn' });
  });
});

describe('examples/express behind a proxy (CERT_HEADER, TRUSTED_PROXIES)', () => {
  let server: { http: string; https: string };
  const clientCert = () => `Client-Cert: :${Buffer.from(pki.leaves.subjectDn.der).toString('base64')}:`;
  beforeAll(async () => {
    server = await start({
      CERT_HEADER: 'rfc9440',
      TRUSTED_PROXIES: '127.0.0.1/32, ::1',
      CLIENTS_FILE: join(files.dir, 'clients.json'),
    });
  });

  // The example listens on all interfaces: on a dual-stack socket an IPv4 peer is reported as
  // ::ffff:127.0.0.1, which must match the IPv4 entry of TRUSTED_PROXIES.
  it('accepts the RFC 9440 Client-Cert header from the trusted proxy 127.0.0.1', async () => {
    const response = await curl([
      '--interface',
      '127.0.0.1',
      '-H',
      clientCert(),
      '-d',
      'client_id=dn',
      ...TOKEN_REQUEST,
      `${server.http}/token`,
    ]);
    expect(response.status).toBe(200);
    expect(decodeJwt(response.body.access_token as string).cnf).toEqual({
      'x5t#S256': await opensslThumbprint(files.cert('subjectDn')),
    });
  });

  it('accepts it from the trusted IPv6 peer ::1', async () => {
    const response = await curl([
      '--interface',
      '::1',
      '-H',
      clientCert(),
      '-d',
      'client_id=dn',
      ...TOKEN_REQUEST,
      `${server.http.replace('127.0.0.1', '[::1]')}/token`,
    ]);
    expect(response.status).toBe(200);
  });

  it('ignores the header from the untrusted peer 127.0.0.2', async () => {
    const response = await curl([
      '--interface',
      '127.0.0.2',
      '-H',
      clientCert(),
      '-d',
      'client_id=dn',
      ...TOKEN_REQUEST,
      `${server.http}/token`,
    ]);
    expect(response.status).toBe(401);
  });

  it('answers a repeated Client-Cert header with 400 invalid_request (RFC 9440 §2.2)', async () => {
    const response = await curl([
      '--interface',
      '127.0.0.1',
      '-H',
      clientCert(),
      '-H',
      clientCert(),
      '-d',
      'client_id=dn',
      ...TOKEN_REQUEST,
      `${server.http}/token`,
    ]);
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('invalid_request');
  });

  it('answers a malformed Client-Cert header with 401, never a 500', async () => {
    const response = await curl([
      '--interface',
      '127.0.0.1',
      '-H',
      'Client-Cert: :bm90IGEgY2VydGlmaWNhdGU=:',
      '-d',
      'client_id=dn',
      ...TOKEN_REQUEST,
      `${server.http}/token`,
    ]);
    expect(response.status).toBe(401);
  });
});

describe('examples/express over TLS without TLS_CA', () => {
  let server: { http: string; https: string };
  beforeAll(async () => {
    server = await start({
      TLS_CERT: files.serverCert,
      TLS_KEY: files.serverKey,
      CLIENTS_FILE: join(files.dir, 'clients.json'),
    });
  });

  it('does not offer tls_client_auth without a trust-anchor bundle (RFC 8705 §7.4)', async () => {
    const { body } = await curl([`${server.http}/.well-known/oauth-authorization-server`]);
    expect(body.token_endpoint_auth_methods_supported).not.toContain('tls_client_auth');
    expect(body.token_endpoint_auth_methods_supported).toContain('self_signed_tls_client_auth');
    const response = await curl([
      ...withCertificate('subjectDn'),
      '-d',
      'client_id=dn',
      ...TOKEN_REQUEST,
      `${server.https}/token`,
    ]);
    expect(response.status).toBe(401);
  });

  it('still authenticates self_signed_tls_client_auth clients', async () => {
    const response = await curl([
      ...withCertificate('selfSignedRsa'),
      '-d',
      'client_id=self',
      ...TOKEN_REQUEST,
      `${server.https}/token`,
    ]);
    expect(response.status).toBe(200);
  });
});

describe('examples/express without TLS', () => {
  it('does not advertise certificate-bound tokens or mTLS aliases', async () => {
    const example = await startExample('express', {});
    running.push(example);
    const { body } = await curl([`${example.url}/.well-known/oauth-authorization-server`]);
    expect(body).not.toHaveProperty('mtls_endpoint_aliases');
    expect(body).not.toHaveProperty('tls_client_certificate_bound_access_tokens');
  });
});

describe('examples/express built-in demo-mtls client', () => {
  it('authenticates a certificate with subject CN=demo-mtls issued by TLS_CA, and the banner shows how', async () => {
    const demo = await pki.issue({ key: 'p256', subject: [['CN', 'demo-mtls']] });
    writeFileSync(join(files.dir, 'demo-mtls.crt'), demo.certPem);
    writeFileSync(join(files.dir, 'demo-mtls.key'), demo.keyPem);
    const tlsPort = await freePort();
    const example = await startExample('express', {
      TLS_PORT: String(tlsPort),
      TLS_CERT: files.serverCert,
      TLS_KEY: files.serverKey,
      TLS_CA: files.caCert,
    });
    running.push(example);
    expect(example.output()).toContain('-d client_id=demo-mtls');
    const response = await curl([
      '--cacert',
      files.caCert,
      '--cert',
      join(files.dir, 'demo-mtls.crt'),
      '--key',
      join(files.dir, 'demo-mtls.key'),
      '-d',
      'client_id=demo-mtls',
      ...TOKEN_REQUEST,
      `https://localhost:${tlsPort}/token`,
    ]);
    expect(response.status).toBe(200);
  });
});
