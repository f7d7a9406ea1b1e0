/**
 * The built-in `demo-self-signed` client (self_signed_tls_client_auth, RFC 8705 §2.2) of the
 * Express example over HTTPS, exactly as the start-up banner tells a user: the server makes a
 * self-signed certificate at start, the banner names its files and prints a curl line, and curl
 * presents that certificate. Another self-signed certificate is refused; DEMO_CERT_FILE /
 * DEMO_CERT_KEY_FILE share one certificate between servers.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selfSignedCertificate } from '@client-auth/example-kit';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { curlJson as curl, freePort, type RunningExample, startExample } from '../../../test/helpers/example-server.js';
import { createTestPki, type PkiFiles, type TestPki } from '../../../test/helpers/pki.js';

let pki: TestPki;
let files: PkiFiles;
const running: RunningExample[] = [];

/** Start examples/express with an HTTPS listener (the test PKI's server certificate and CA). */
async function start(env: Record<string, string> = {}): Promise<RunningExample> {
  const example = await startExample('express', {
    TLS_PORT: String(await freePort()),
    TLS_CERT: files.serverCert,
    TLS_KEY: files.serverKey,
    TLS_CA: files.caCert,
    ...env,
  });
  running.push(example);
  return example;
}

/** The banner's self_signed_tls_client_auth curl line, split into the files and URL it names. */
function bannerLine(output: string): { cert: string; key: string; url: string } {
  const match = output.match(
    /^curl --cacert "\$TLS_CA" --cert (\S+) --key (\S+) -d client_id=demo-self-signed -d grant_type=client_credentials (https:\/\/\S+\/token)$/m,
  );
  expect(match, output).not.toBeNull();
  const [, cert, key, url] = match as RegExpMatchArray;
  return { cert: cert as string, key: key as string, url: url as string };
}

const x5t = (pem: string) =>
  Buffer.from(new X509Certificate(pem).fingerprint256.replace(/:/g, ''), 'hex').toString('base64url');

beforeAll(async () => {
  pki = await createTestPki();
  files = pki.writeFiles();
});

afterAll(async () => {
  await Promise.all(running.map((example) => example.stop()));
});

describe('examples/express: the built-in demo-self-signed client over HTTPS', () => {
  let line: { cert: string; key: string; url: string };
  beforeAll(async () => {
    line = bannerLine((await start()).output());
  });

  it('writes the certificate and its private key (mode 0600) where the banner says', () => {
    const certificate = new X509Certificate(readFileSync(line.cert, 'utf8'));
    expect(certificate.subject).toBe('CN=demo-self-signed');
    expect(certificate.issuer).toBe(certificate.subject);
    expect(certificate.publicKey.asymmetricKeyType).toBe('ec');
    expect(statSync(line.key).mode & 0o777).toBe(0o600);
  });

  it("issues a certificate-bound token with the banner's curl line (RFC 8705 §2.2, §3.1)", async () => {
    const response = await curl([
      '--cacert',
      files.caCert,
      '--cert',
      line.cert,
      '--key',
      line.key,
      '-d',
      'client_id=demo-self-signed',
      '-d',
      'grant_type=client_credentials',
      line.url,
    ]);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    const claims = decodeJwt(response.body.access_token as string);
    expect(claims.client_id).toBe('demo-self-signed');
    expect(claims.cnf).toEqual({ 'x5t#S256': x5t(readFileSync(line.cert, 'utf8')) });
  });

  it('refuses another self-signed certificate with 401 invalid_client (RFC 8705 §2.2)', async () => {
    const other = join(mkdtempSync(join(tmpdir(), 'demo-self-signed-other-')), 'other');
    const { cert, key } = selfSignedCertificate();
    writeFileSync(`${other}.crt`, cert);
    writeFileSync(`${other}.key`, key, { mode: 0o600 });
    for (const [certFile, keyFile] of [
      [`${other}.crt`, `${other}.key`], // same subject CN=demo-self-signed, another key
      [files.cert('selfSignedP256'), files.key('selfSignedP256')],
    ] as const) {
      const response = await curl([
        '--cacert',
        files.caCert,
        '--cert',
        certFile,
        '--key',
        keyFile,
        '-d',
        'client_id=demo-self-signed',
        '-d',
        'grant_type=client_credentials',
        line.url,
      ]);
      expect(response.status).toBe(401);
      expect(response.body.error).toBe('invalid_client');
    }
    // And without a certificate at all.
    const bare = await curl([
      '--cacert',
      files.caCert,
      '-d',
      'client_id=demo-self-signed',
      ...['-d', 'grant_type=client_credentials'],
      line.url,
    ]);
    expect(bare.status).toBe(401);
    expect(bare.body.error).toBe('invalid_client');
  });

  it('reuses the certificate of DEMO_CERT_FILE / DEMO_CERT_KEY_FILE when they exist', async () => {
    const shared = mkdtempSync(join(tmpdir(), 'demo-self-signed-shared-'));
    const certFile = join(shared, 'demo.crt');
    const keyFile = join(shared, 'demo.key');
    const { cert, key } = selfSignedCertificate();
    writeFileSync(certFile, cert);
    writeFileSync(keyFile, key, { mode: 0o600 });
    const second = bannerLine((await start({ DEMO_CERT_FILE: certFile, DEMO_CERT_KEY_FILE: keyFile })).output());
    expect(second).toMatchObject({ cert: certFile, key: keyFile });
    expect(readFileSync(certFile, 'utf8')).toBe(cert);
    const args = ['--cacert', files.caCert, '--cert', certFile, '--key', keyFile, '-d', 'client_id=demo-self-signed'];
    const response = await curl([...args, '-d', 'grant_type=client_credentials', second.url]);
    expect(response.status).toBe(200);
    // The first server made its own certificate: this one is not registered there.
    expect((await curl([...args, '-d', 'grant_type=client_credentials', line.url])).status).toBe(401);
  });
});
