/**
 * A development PKI made on the fly (never stored, never reused): one CA, a server certificate for
 * localhost / 127.0.0.1 / ::1, and client certificates on demand (for the mTLS rows of the demo).
 * Keys come from node:crypto (native, fast); node-forge builds and signs the certificates.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';

const DAY = 24 * 60 * 60 * 1000;

export interface PemPair {
  /** Certificate, PEM. */
  cert: string;
  /** PKCS #8 private key, PEM. */
  key: string;
}

export interface DevPki {
  ca: PemPair;
  server: PemPair;
  /** Where `ca.pem`, `server.pem` and `server-key.pem` were written (for TLS_CA, TLS_CERT, TLS_KEY). */
  dir: string;
  files: { ca: string; cert: string; key: string };
  /** Issue a client certificate signed by the CA (RFC 8705 `tls_client_auth`). */
  issueClient(commonName: string, san?: { dns?: string[]; uri?: string[] }): PemPair;
}

interface KeyPair {
  key: string;
  forgePrivate: forge.pki.rsa.PrivateKey;
  forgePublic: forge.pki.rsa.PublicKey;
}

function keyPair(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const key = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return {
    key,
    forgePrivate: forge.pki.privateKeyFromPem(key) as forge.pki.rsa.PrivateKey,
    forgePublic: forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString()),
  };
}

function certificate(
  subject: forge.pki.CertificateField[],
  keys: KeyPair,
  issuer: { subject: forge.pki.CertificateField[]; keys: KeyPair },
  extensions: object[],
): forge.pki.Certificate {
  const now = Date.now();
  const cert = forge.pki.createCertificate();
  // A positive serial number (RFC 5280 §4.1.2.2): 16 random octets with the top bit cleared.
  cert.serialNumber = `01${randomBytes(15).toString('hex')}`;
  cert.validity.notBefore = new Date(now - DAY);
  cert.validity.notAfter = new Date(now + 7 * DAY);
  cert.publicKey = keys.forgePublic;
  cert.setSubject(subject);
  cert.setIssuer(issuer.subject);
  cert.setExtensions([{ name: 'subjectKeyIdentifier' }, ...extensions]);
  cert.sign(issuer.keys.forgePrivate, forge.md.sha256.create());
  return cert;
}

export function createDevPki(): DevPki {
  const caKeys = keyPair();
  const caSubject = [{ name: 'commonName', value: 'client-auth demo CA' }];
  const caCert = certificate(caSubject, caKeys, { subject: caSubject, keys: caKeys }, [
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
  ]);
  const ca = { subject: caSubject, keys: caKeys };

  function issue(commonName: string, usage: 'serverAuth' | 'clientAuth', altNames: object[]): PemPair {
    const keys = keyPair();
    const cert = certificate([{ name: 'commonName', value: commonName }], keys, ca, [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', [usage]: true },
      ...(altNames.length > 0 ? [{ name: 'subjectAltName', altNames }] : []),
    ]);
    return { cert: forge.pki.certificateToPem(cert), key: keys.key };
  }

  // RFC 5280 GeneralName types: 2 dNSName, 6 uniformResourceIdentifier, 7 iPAddress.
  const server = issue('localhost', 'serverAuth', [
    { type: 2, value: 'localhost' },
    { type: 7, ip: '127.0.0.1' },
    { type: 7, ip: '::1' },
  ]);
  const caPair = { cert: forge.pki.certificateToPem(caCert), key: caKeys.key };

  const dir = mkdtempSync(join(tmpdir(), 'client-auth-demo-pki-'));
  const files = { ca: join(dir, 'ca.pem'), cert: join(dir, 'server.pem'), key: join(dir, 'server-key.pem') };
  writeFileSync(files.ca, caPair.cert);
  writeFileSync(files.cert, server.cert);
  writeFileSync(files.key, server.key, { mode: 0o600 });

  return {
    ca: caPair,
    server,
    dir,
    files,
    issueClient: (commonName, san = {}) =>
      issue(commonName, 'clientAuth', [
        ...(san.dns ?? []).map((value) => ({ type: 2, value })),
        ...(san.uri ?? []).map((value) => ({ type: 6, value })),
      ]),
  };
}
