/**
 * The public key of a certificate, as far as the key-size rules need it (FAPI 1 Part 1 §5.2.2,
 * FAPI 2 §5.4.1), read from Node's key details.
 */
// Kept in the published declarations (preserve): they name node:* types, and TypeScript 6 and
// later no longer add @types/node to a program by default (`types: []`).
/// <reference types="node" preserve="true" />
import type { X509Certificate } from 'node:crypto';

/**
 * The public key of a certificate, as far as key-size rules need it (`minimumKeySizes`): its
 * family, size in bits, curve and RSA exponent.
 *
 * @example
 * ```ts
 * const key: CertificateKey = parseCertificate(der).key
 * if (key.family === 'rsa' && key.bits < 2048) console.warn('RSA key below 2048 bits')
 * ```
 * @see https://openid.net/specs/fapi-2_0-security-profile.html
 */
export interface CertificateKey {
  /** `rsa` (also RSA-PSS), `ec`, `okp` (Ed25519/Ed448) or Node's name for anything else. */
  family: 'rsa' | 'ec' | 'okp' | (string & {});
  /** Modulus length for RSA, field size for EC and OKP curves; 0 when unknown. */
  bits: number;
  /** The named curve (Node's name, for example `prime256v1`), for EC and OKP keys. */
  curve?: string;
  /** The public exponent `e`, for RSA keys. */
  publicExponent?: bigint;
}

/** Bits of the named curves Node reports (asymmetricKeyDetails.namedCurve). */
const CURVE_BITS: Record<string, number> = {
  prime192v1: 192,
  secp224r1: 224,
  prime256v1: 256,
  secp256k1: 256,
  secp384r1: 384,
  secp521r1: 521,
  brainpoolP256r1: 256,
  brainpoolP384r1: 384,
  brainpoolP512r1: 512,
};

/** The public key family and size, from Node's key details. */
export function certificateKey(x509: X509Certificate): CertificateKey {
  const key = x509.publicKey;
  const type = key.asymmetricKeyType ?? 'unknown';
  const details = key.asymmetricKeyDetails ?? {};
  if (type === 'rsa' || type === 'rsa-pss') {
    const { modulusLength = 0, publicExponent } = details;
    return publicExponent === undefined
      ? { family: 'rsa', bits: modulusLength }
      : { family: 'rsa', bits: modulusLength, publicExponent };
  }
  if (type === 'ec') {
    const curve = details.namedCurve ?? 'unknown';
    return { family: 'ec', bits: CURVE_BITS[curve] ?? 0, curve };
  }
  if (type === 'ed25519' || type === 'x25519') return { family: 'okp', bits: 256, curve: type };
  if (type === 'ed448' || type === 'x448') return { family: 'okp', bits: 448, curve: type };
  return { family: type, bits: details.modulusLength ?? 0 };
}
