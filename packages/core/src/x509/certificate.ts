/**
 * A client certificate for RFC 8705 client authentication, parsed once per request: the parts a
 * verifier compares (subject, subjectAltName, validity, key), read from DER. Node's
 * `crypto.X509Certificate` gives the public key and signatures; the subject and the SAN are walked
 * at the ASN.1 level (der.ts), so RSA, EC and Ed25519 certificates all parse.
 */
// Kept in the published declarations (preserve): they name node:* types, and TypeScript 6 and
// later no longer add @types/node to a program by default (`types: []`).
/// <reference types="node" preserve="true" />
import { createHash, X509Certificate } from 'node:crypto';
import { type CertificateKey, certificateKey } from './certificate_key.js';
import { type Asn1, asn1, binary, children, decodeString, parseDer, primitive, readTime } from './der.js';
import type { DistinguishedName } from './distinguished_name.js';
import { readSubjectAltName, type SubjectAltNames } from './subject_alt_name.js';

/**
 * A client certificate, parsed once per request: the subject, subjectAltName, validity and key
 * that the mTLS methods compare with the registration.
 *
 * @example
 * ```ts
 * const cert: ParsedCertificate = parseCertificate(result.certificate.der)
 * console.log(cert.san.dns, new Date(cert.notAfter).toISOString(), cert.key.family)
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc5280#section-4.1
 */
export interface ParsedCertificate {
  der: Uint8Array;
  x509: X509Certificate;
  subject: DistinguishedName;
  /** subjectAltName entries by type (RFC 5280 §4.2.1.6). */
  san: SubjectAltNames;
  /** Validity period, in milliseconds since the epoch. */
  notBefore: number;
  notAfter: number;
  key: CertificateKey;
}

const OID_SUBJECT_ALT_NAME = '2.5.29.17';

/**
 * Read an X.501 `Name` (RDNSequence) from its ASN.1 node. Module-private: its parameter is node-forge's
 * ASN.1 type, which must stay out of the published declarations (their consumers have no
 * @types/node-forge).
 */
function readName(node: Asn1 | undefined): DistinguishedName {
  return children(node).map((set) =>
    children(set).map((pair) => {
      const [type, value] = children(pair);
      if (value === undefined) throw new Error('attribute without a value');
      return {
        type: asn1.derToOid(primitive(type)),
        value: decodeString(value),
        ber: asn1.toDer(value).getBytes(),
      };
    }),
  );
}

/**
 * Parse a DER certificate. Throws on anything that is not a well-formed X.509 certificate; callers
 * treat that as "no certificate".
 *
 * @example
 * ```ts
 * const { subject, san } = parseCertificate(new X509Certificate(pem).raw)
 * distinguishedNameMatch(parseDistinguishedName(client.tls_client_auth_subject_dn), subject)
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc5280#section-4.1
 */
export function parseCertificate(der: Uint8Array): ParsedCertificate {
  const x509 = new X509Certificate(der);
  const [tbs] = children(parseDer(binary(der)));
  const fields = children(tbs);
  // RFC 5280 §4.1: version [0] EXPLICIT is optional (absent for v1).
  let index = fields[0]?.tagClass === asn1.Class.CONTEXT_SPECIFIC && fields[0]?.type === 0 ? 1 : 0;
  index += 2; // serialNumber, signature
  index += 1; // issuer
  const [notBefore, notAfter] = children(fields[index++]);
  const subject = readName(fields[index++]);
  index += 1; // subjectPublicKeyInfo
  let san: SubjectAltNames = { dns: [], uri: [], ip: [], email: [] };
  for (const field of fields.slice(index)) {
    if (field.tagClass !== asn1.Class.CONTEXT_SPECIFIC || field.type !== 3) continue;
    for (const extension of children(children(field)[0])) {
      const parts = children(extension);
      if (asn1.derToOid(primitive(parts[0])) !== OID_SUBJECT_ALT_NAME) continue;
      san = readSubjectAltName(primitive(parts[parts.length - 1]));
    }
  }
  return {
    der,
    x509,
    subject,
    san,
    notBefore: readTime(notBefore),
    notAfter: readTime(notAfter),
    key: certificateKey(x509),
  };
}

/**
 * RFC 8705 §3.1 `x5t#S256`: base64url(SHA-256(DER)), the confirmation that binds an access token
 * to the client certificate.
 *
 * @example
 * ```ts
 * const cnf = { 'x5t#S256': x5tS256(certificate.der) }
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc8705#section-3.1
 */
export function x5tS256(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('base64url');
}
