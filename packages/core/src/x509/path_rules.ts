/**
 * The RFC 5280 path checks that PKI.js does not make, on a path already built and chained by
 * signature (x509/path_validation.ts): weak signature hashes, unrecognised critical extensions,
 * key usage for TLS client authentication, pathLenConstraint. Constants and pure functions only.
 */
// Kept in the published declarations (preserve): they name node:* types, and TypeScript 6 and
// later no longer add @types/node to a program by default (`types: []`).
/// <reference types="node" preserve="true" />
import type { X509Certificate } from 'node:crypto';
import * as pkijs from 'pkijs';
import type { PathFailure } from './path_validation.js';

/** One certificate of a built path, as Node and as PKI.js read it. */
export interface Link {
  x509: X509Certificate;
  cert: pkijs.Certificate;
  /** The same certificate without its nameConstraints, for the runs that apply one CA's (see below). */
  unconstrained: pkijs.Certificate;
}

const OID_KEY_USAGE = '2.5.29.15';
const OID_BASIC_CONSTRAINTS = '2.5.29.19';
export const OID_NAME_CONSTRAINTS = '2.5.29.30';
const OID_EXT_KEY_USAGE = '2.5.29.37';
const EKU_CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const EKU_ANY = '2.5.29.37.0';

/**
 * RFC 5280 §4.2: "A certificate-using system MUST reject the certificate if it encounters a
 * critical extension it does not recognize". These are the ones processed, by PKI.js or here.
 */
const PROCESSED_EXTENSIONS = new Set([
  OID_KEY_USAGE,
  '2.5.29.17', // subjectAltName: the registered identifiers, name constraints
  OID_BASIC_CONSTRAINTS,
  OID_NAME_CONSTRAINTS,
  '2.5.29.32', // certificatePolicies
  '2.5.29.33', // policyMappings
  '2.5.29.36', // policyConstraints
  OID_EXT_KEY_USAGE,
  '2.5.29.54', // inhibitAnyPolicy
]);

/**
 * Signatures whose hash is broken for collision resistance, which is what a certificate
 * signature rests on (RFC 6194 §3, RFC 6151 §2): MD2/MD4/MD5 and SHA-1, for which chosen-prefix
 * collisions, and so forged certificates, are practical. RFC 9155 removed both from TLS 1.2
 * signatures; OpenSSL 3 refuses them in certificates at its default security level 1.
 */
const WEAK_SIGNATURES = new Set([
  '1.2.840.113549.1.1.2', // md2WithRSAEncryption
  '1.2.840.113549.1.1.3', // md4WithRSAEncryption
  '1.2.840.113549.1.1.4', // md5WithRSAEncryption
  '1.2.840.113549.1.1.5', // sha1WithRSAEncryption
  '1.3.14.3.2.29', // sha-1WithRSASignature (OIW)
  '1.2.840.10045.4.1', // ecdsa-with-SHA1
  '1.2.840.10040.4.3', // dsa-with-sha1
]);
const OID_RSASSA_PSS = '1.2.840.113549.1.1.10';
const WEAK_HASHES = new Set(['1.3.14.3.2.26', '1.2.840.113549.2.5']); // SHA-1, MD5

/** The extension `oid` of a certificate of the path, when present. */
export function extension(link: Link, oid: string): pkijs.Extension | undefined {
  return link.cert.extensions?.find((candidate) => candidate.extnID === oid);
}

function weakSignature(link: Link): boolean {
  const { algorithmId, algorithmParams } = link.cert.signatureAlgorithm;
  if (WEAK_SIGNATURES.has(algorithmId)) return true;
  if (algorithmId !== OID_RSASSA_PSS) return false;
  // RFC 4055 §3.1: the hash of RSASSA-PSS defaults to SHA-1 when the parameters omit it.
  try {
    const params = new pkijs.RSASSAPSSParams({ schema: algorithmParams });
    return WEAK_HASHES.has(params.hashAlgorithm.algorithmId);
  } catch {
    return true;
  }
}

function unrecognisedCritical(link: Link): boolean {
  return (link.cert.extensions ?? []).some(
    (candidate) => candidate.critical && !PROCESSED_EXTENSIONS.has(candidate.extnID),
  );
}

function keyPurposes(link: Link): readonly string[] | undefined {
  const value = extension(link, OID_EXT_KEY_USAGE)?.parsedValue;
  return value instanceof pkijs.ExtKeyUsage ? value.keyPurposes : undefined;
}

/**
 * The leaf may authenticate a TLS client: its EKU, when present, lists clientAuth (RFC 5280
 * §4.2.1.12, as OpenSSL's `sslclient` purpose; anyExtendedKeyUsage alone is not enough), and its
 * keyUsage, when present, has digitalSignature (RFC 8446 §4.4.2.2: it signs CertificateVerify).
 */
function leafUsable(leaf: Link): boolean {
  const purposes = keyPurposes(leaf);
  if (purposes !== undefined && !purposes.includes(EKU_CLIENT_AUTH)) return false;
  const usage = extension(leaf, OID_KEY_USAGE)?.parsedValue as
    | { valueBlock?: { valueHexView?: Uint8Array } }
    | undefined;
  if (usage === undefined) return true;
  // KeyUsage BIT STRING: digitalSignature is bit 0, the high bit of the first octet.
  return ((usage.valueBlock?.valueHexView?.[0] ?? 0) & 0x80) !== 0;
}

/**
 * EKU chaining: an intermediate that lists extended key usages without clientAuth or
 * anyExtendedKeyUsage is not a CA for client certificates (RFC 5280 §4.2.1.12 read as CA/Browser
 * Forum and OpenSSL do; RFC 8705 deployments issue client certificates under clientAuth CAs).
 */
function issuerUsable(link: Link): boolean {
  const purposes = keyPurposes(link);
  return purposes === undefined || purposes.includes(EKU_CLIENT_AUTH) || purposes.includes(EKU_ANY);
}

function pathLength(link: Link): number | undefined {
  const value = extension(link, OID_BASIC_CONSTRAINTS)?.parsedValue;
  if (!(value instanceof pkijs.BasicConstraints)) return undefined;
  // An INTEGER too large for a number is no constraint in practice.
  return typeof value.pathLenConstraint === 'number' ? value.pathLenConstraint : undefined;
}

/**
 * RFC 5280 §6.1.4(l–m): below a CA with pathLenConstraint n, at most n non-self-issued
 * intermediates. The anchor's own constraint counts too, as in OpenSSL.
 */
function pathLengthRespected(path: readonly Link[], anchor: Link): boolean {
  let remaining = pathLength(anchor) ?? Number.POSITIVE_INFINITY;
  for (let index = path.length - 1; index >= 1; index -= 1) {
    const link = path[index] as Link;
    if (!link.cert.subject.isEqual(link.cert.issuer)) {
      if (remaining <= 0) return false;
      remaining -= 1;
    }
    const own = pathLength(link);
    if (own !== undefined && own < remaining) remaining = own;
  }
  return true;
}

/** The checks PKI.js lacks, on the path (leaf first) without the anchor; the first failure. */
export function structuralFailure(path: readonly Link[], anchor: Link): PathFailure | undefined {
  if (path.some(weakSignature)) return 'ERR_MTLS_WEAK_SIGNATURE';
  if (path.some(unrecognisedCritical)) return 'ERR_MTLS_CRITICAL_EXTENSION';
  if (!leafUsable(path[0] as Link) || !path.slice(1).every(issuerUsable)) return 'ERR_MTLS_KEY_USAGE';
  if (!pathLengthRespected(path, anchor)) return 'ERR_MTLS_PATH_LENGTH';
  return undefined;
}
