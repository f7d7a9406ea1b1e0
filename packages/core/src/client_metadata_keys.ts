/**
 * The key parts of RFC 7591 client metadata validation (client_metadata.ts): `jwks_uri` (https, or
 * http for local development outside FAPI 1 Advanced and FAPI 2) and each registered JWK (public
 * only, a supported curve, RSA bounds, an `alg` the method can use, an `x5c[0]` that holds the
 * JWK's key), so that a registration is refused for a key that would never be tried.
 */
import { createPublicKey, X509Certificate } from 'node:crypto';
import { MIN_RSA_BITS, methodAlgorithms, rsaModulusBits } from './algorithms.js';
import type { ProfileRule } from './policy/profiles.js';
import { MAX_RSA_BITS, MAX_RSA_EXPONENT_BITS, rsaJwkExponent, rsaKeyVerdict } from './rsa_keys.js';
import type { AuthMethod, ClientJWK } from './types.js';
import { certificateKey } from './x509/certificate_key.js';

/** Report one problem of a field. */
export type Report = (field: string, description: string) => void;

const CURVE_BITS: Record<string, number> = { 'P-256': 256, 'P-384': 384, 'P-521': 521, Ed25519: 256, Ed448: 448 };
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];

export function checkJwksUri(
  value: unknown,
  allowHttp: boolean | undefined,
  httpsRule: ProfileRule | undefined,
  problem: Report,
) {
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (url === undefined) {
    problem('jwks_uri', 'jwks_uri must be an absolute URL');
    return;
  }
  if (url.protocol === 'https:') return;
  if (url.protocol === 'http:' && allowHttp === true && httpsRule === undefined) return;
  problem('jwks_uri', `jwks_uri must use https${httpsRule ? ` (${httpsRule.section})` : ''}`);
}

export function checkJwks(value: unknown, minEcBits: number, method: AuthMethod | undefined, problem: Report) {
  const keys = (value as { keys?: unknown } | null)?.keys;
  if (value === null || typeof value !== 'object' || !Array.isArray(keys)) {
    problem('jwks', 'jwks must be a JWK Set: an object with a "keys" array (RFC 7517 §5)');
    return;
  }
  keys.forEach((jwk: unknown, index: number) => {
    const at = `jwks.keys[${index}]`;
    if (jwk === null || typeof jwk !== 'object' || typeof (jwk as ClientJWK).kty !== 'string') {
      problem('jwks', `${at} must be a JWK with a kty (RFC 7517 §4.1)`);
      return;
    }
    const key = jwk as ClientJWK;
    if (PRIVATE_MEMBERS.some((member) => key[member] !== undefined)) {
      problem('jwks', `${at} holds private key material: register public keys only`);
    }
    if (key.kty === 'RSA') checkRsaKey(rsaModulusBits(key), rsaJwkExponent(key), at, problem);
    if (key.kty === 'EC' || key.kty === 'OKP') {
      const bits = CURVE_BITS[String(key.crv)];
      if (bits === undefined) problem('jwks', `${at}: unsupported curve ${JSON.stringify(key.crv)}`);
      else if (bits < minEcBits) problem('jwks', `${at}: elliptic curve keys must be at least ${minEcBits} bits`);
    }
    if (key.alg !== undefined && method !== undefined && methodAlgorithms(method).length > 0) {
      if (!methodAlgorithms(method).includes(key.alg as never))
        problem('jwks', `${at}: alg ${key.alg} cannot serve ${method}`);
    }
    if (key.x5c !== undefined) checkX5c(key, at, problem);
  });
}

/**
 * An RSA key (of a JWK or of its x5c[0]) within the bounds the verifiers apply: RFC 7518 §3.3's
 * 2048-bit floor, and the exponent and modulus bounds of rsa_keys.ts (FIPS 186-4 §B.3.1 tightened),
 * so that a registration is refused for a key that would never be tried.
 */
function checkRsaKey(bits: number, exponent: bigint | undefined, at: string, problem: Report) {
  const verdict = rsaKeyVerdict(bits, exponent, MIN_RSA_BITS);
  if (verdict === 'too-weak') problem('jwks', `${at}: RSA keys must be at least ${MIN_RSA_BITS} bits (RFC 7518 §3.3)`);
  else if (bits > MAX_RSA_BITS) problem('jwks', `${at}: RSA keys must be at most ${MAX_RSA_BITS} bits`);
  else if (verdict === 'unsuitable') {
    problem(
      'jwks',
      `${at}: the RSA public exponent must be odd, above 2^16 (FIPS 186-4 §B.3.1) and below 2^${MAX_RSA_EXPONENT_BITS}`,
    );
  }
}

/** RFC 7517 §4.7 / RFC 8705 §2.2.2: the key in the first x5c certificate must be the JWK's key. */
function checkX5c(key: ClientJWK, at: string, problem: Report) {
  const first = Array.isArray(key.x5c) ? key.x5c[0] : undefined;
  if (typeof first !== 'string') {
    problem('jwks', `${at}: x5c must be an array of base64 DER certificates`);
    return;
  }
  try {
    const certificate = new X509Certificate(Buffer.from(first, 'base64'));
    const fromCertificate = certificate.publicKey.export({ format: 'jwk' });
    const { kty, n, e, crv, x, y } = key;
    const fromJwk = createPublicKey({ key: { kty, n, e, crv, x, y } as never, format: 'jwk' }).export({
      format: 'jwk',
    });
    if (JSON.stringify(fromCertificate) !== JSON.stringify(fromJwk)) {
      problem('jwks', `${at}: the key of x5c[0] is not the JWK's key (RFC 7517 §4.7)`);
    }
    const size = certificateKey(certificate);
    if (size.family === 'rsa') checkRsaKey(size.bits, size.publicExponent, `${at}: x5c[0]`, problem);
  } catch {
    problem('jwks', `${at}: x5c[0] is not a parsable certificate matching its JWK`);
  }
}
