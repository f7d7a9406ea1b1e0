/**
 * Compatibility re-exports for the issue-14 merge: the X.509 code now lives in `x509/`. Delete
 * this file once `authenticator.ts`, `client_metadata.ts` and `methods/tls_client_auth.ts` import
 * from `x509/` directly.
 */
export { addressOctets as ipAddressBytes } from './ip/address.js';
export { type ParsedCertificate, parseCertificate, x5tS256 } from './x509/certificate.js';
export { type CertificateKey, certificateKey } from './x509/certificate_key.js';
export {
  type AttributeTypeAndValue,
  attributeTypeOid,
  type DistinguishedName,
  MAX_DN_LENGTH,
  parseDistinguishedName,
  type RelativeDistinguishedName,
} from './x509/distinguished_name.js';
export { distinguishedNameMatch } from './x509/name_match.js';
export { pemToDer, readPemBundle } from './x509/pem.js';
export { dnsNameMatch, emailMatch, ipAddressMatch, normalizeUri, uriMatch } from './x509/subject_alt_name.js';
