/**
 * The `self_signed_tls_client_auth` demo client's certificate (RFC 8705 §2.2): a self-signed
 * X.509 v3 certificate on an EC P-256 key, made at start-up like the private_key_jwt demo key.
 *
 * Made synchronously (so that `loadConfig` stays synchronous): node:crypto makes the key and signs
 * (ECDSA with SHA-256, DER signature as X.509 wants it), node-forge's ASN.1 module encodes the
 * certificate (node-forge's own certificate API only takes RSA keys).
 */
import { createPrivateKey, generateKeyPairSync, randomBytes, sign, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ClientJWK } from '@client-auth/core';
import forge from 'node-forge';

/** The `self_signed_tls_client_auth` demo client's id (and the certificate's subject CN). */
export const DEMO_SELF_SIGNED_ID = 'demo-self-signed';

const DAY = 24 * 60 * 60 * 1000;
const { asn1 } = forge;
const { UNIVERSAL, CONTEXT_SPECIFIC } = asn1.Class;
const T = asn1.Type;

const sequence = (items: forge.asn1.Asn1[]) => asn1.create(UNIVERSAL, T.SEQUENCE, true, items);
const oid = (dotted: string) => asn1.create(UNIVERSAL, T.OID, false, asn1.oidToDer(dotted).getBytes());
const der = (node: forge.asn1.Asn1) => asn1.toDer(node).getBytes();
const extension = (id: string, critical: boolean, value: forge.asn1.Asn1) =>
  sequence([
    oid(id),
    ...(critical ? [asn1.create(UNIVERSAL, T.BOOLEAN, false, '\xff')] : []),
    asn1.create(UNIVERSAL, T.OCTETSTRING, false, der(value)),
  ]);

/** A PEM certificate and its PKCS #8 PEM private key, self-signed, subject and issuer CN=`commonName`. */
export function selfSignedCertificate(commonName: string = DEMO_SELF_SIGNED_ID): { cert: string; key: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const name = sequence([
    asn1.create(UNIVERSAL, T.SET, true, [
      sequence([oid('2.5.4.3'), asn1.create(UNIVERSAL, T.UTF8, false, forge.util.encodeUtf8(commonName))]),
    ]),
  ]);
  const ecdsaWithSha256 = sequence([oid('1.2.840.10045.4.3.2')]);
  const now = Date.now();
  const tbs = sequence([
    asn1.create(CONTEXT_SPECIFIC, 0, true, [asn1.create(UNIVERSAL, T.INTEGER, false, '\x02')]), // v3
    // A positive serial number (RFC 5280 §4.1.2.2): 16 random octets, the first one below 0x80.
    asn1.create(UNIVERSAL, T.INTEGER, false, `\x01${randomBytes(15).toString('binary')}`),
    ecdsaWithSha256,
    name,
    sequence([
      asn1.create(UNIVERSAL, T.UTCTIME, false, asn1.dateToUtcTime(new Date(now - DAY))),
      asn1.create(UNIVERSAL, T.UTCTIME, false, asn1.dateToUtcTime(new Date(now + 30 * DAY))),
    ]),
    name,
    asn1.fromDer(publicKey.export({ type: 'spki', format: 'der' }).toString('binary')),
    asn1.create(CONTEXT_SPECIFIC, 3, true, [
      sequence([
        extension('2.5.29.19', true, sequence([])), // basicConstraints: not a CA
        extension('2.5.29.15', true, asn1.create(UNIVERSAL, T.BITSTRING, false, '\x07\x80')), // digitalSignature
        extension('2.5.29.37', false, sequence([oid('1.3.6.1.5.5.7.3.2')])), // extKeyUsage: clientAuth
      ]),
    ]),
  ]);
  const tbsDer = der(tbs);
  const signature = sign('sha256', Buffer.from(tbsDer, 'binary'), privateKey);
  const certificate = sequence([
    asn1.fromDer(tbsDer),
    ecdsaWithSha256,
    asn1.create(UNIVERSAL, T.BITSTRING, false, `\x00${signature.toString('binary')}`),
  ]);
  const cert = new X509Certificate(Buffer.from(der(certificate), 'binary'));
  if (!cert.verify(publicKey)) throw new Error('the demo certificate does not verify with its own key');
  return { cert: cert.toString(), key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

/** Where the demo certificate and its key are, and the JWK the demo client registers. */
export interface DemoCertificate {
  certFile: string;
  keyFile: string;
  /** The certificate's public key with `x5c: [base64 DER]` (RFC 8705 §2.2.2). */
  jwk: ClientJWK;
}

/**
 * The demo certificate: read from `certFile` and `keyFile` when `reuse` and both exist (so that
 * `pnpm demo` shares one certificate across the three examples), else made now and written there
 * (the key readable by this user only).
 */
export function demoCertificate(certFile: string, keyFile: string, reuse: boolean): DemoCertificate {
  let pair: { cert: string; key: string };
  if (reuse && existsSync(certFile) && existsSync(keyFile)) {
    pair = { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
  } else {
    pair = selfSignedCertificate();
    for (const file of [certFile, keyFile]) mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(certFile, pair.cert);
    writeFileSync(keyFile, pair.key, { mode: 0o600 });
    chmodSync(keyFile, 0o600);
  }
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pair.cert);
    if (!certificate.checkPrivateKey(createPrivateKey(pair.key))) throw new Error('the key does not match');
  } catch (error) {
    throw new Error(
      `configuration: DEMO_CERT_FILE ${certFile} / DEMO_CERT_KEY_FILE ${keyFile} are not a PEM certificate and its key: ${(error as Error).message}`,
    );
  }
  const publicJwk = certificate.publicKey.export({ format: 'jwk' });
  return {
    certFile,
    keyFile,
    jwk: { ...publicJwk, use: 'sig', x5c: [certificate.raw.toString('base64')] } as ClientJWK,
  };
}
