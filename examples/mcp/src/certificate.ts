/**
 * A throw-away PKI for the walkthrough: a CA made at each run and a TLS server certificate for
 * `localhost` (and 127.0.0.1, ::1) that it signs, so that the MCP client can publish its document
 * over real https on this machine. Keys from node:crypto; certificates encoded by node-forge.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface Pem {
  cert: string;
  key: string;
}

function rsaKey(): { forgeKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey; pem: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey;
  return { forgeKey, publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e), pem };
}

function certificate(
  subject: string,
  publicKey: forge.pki.rsa.PublicKey,
  extensions: object[],
  issuer: { name: string; key: forge.pki.rsa.PrivateKey },
): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  // A positive serial number (RFC 5280 §4.1.2.2).
  cert.serialNumber = `01${randomBytes(15).toString('hex')}`;
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 24 * 60 * 60 * 1000);
  cert.setSubject([{ name: 'commonName', value: subject }]);
  cert.setIssuer([{ name: 'commonName', value: issuer.name }]);
  cert.setExtensions(extensions);
  cert.sign(issuer.key, forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

/** A CA and a `localhost` server certificate it issued (PEM). */
export function localhostPki(): { ca: Pem; server: Pem } {
  const caKey = rsaKey();
  const caName = 'MCP walkthrough CA';
  const ca = certificate(
    caName,
    caKey.publicKey,
    [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
    { name: caName, key: caKey.forgeKey },
  );
  const serverKey = rsaKey();
  const server = certificate(
    'localhost',
    serverKey.publicKey,
    [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
    { name: caName, key: caKey.forgeKey },
  );
  return { ca: { cert: ca, key: caKey.pem }, server: { cert: server, key: serverKey.pem } };
}
