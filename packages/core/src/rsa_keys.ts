/**
 * Bounds on the RSA public keys this library will verify with. The cost of an RSA verification
 * grows with the bit length of the public exponent `e` (one modular squaring per bit) and with
 * the square of the modulus size; neither is bounded by RFC 7517/7518, so a client that registers
 * RSA-3072 keys with 3071-bit exponents makes every forged assertion cost 7–10 ms per key
 * tried (Node 20 / OpenSSL 3, bench/rsa-keys.ts), over a hundred times an RSA-2048 key with
 * e = 65537. Keys outside these bounds are refused at registration (`validateClientMetadata`)
 * and never tried at use.
 */
import type { ClientJWK } from './types.js';

/**
 * Largest RSA modulus accepted, in bits: 8192, as ring/webpki's `RSA_PKCS1_2048_8192_*` verifiers.
 * An RSA-8192 verification costs 6–10 times an RSA-2048 one (bench/rsa-keys.ts); OpenSSL alone
 * would accept 16384.
 *
 * @example
 * ```ts
 * // registration: refuse an RSA key the authenticator would never try
 * const bits = Buffer.from(jwk.n as string, 'base64url').length * 8
 * if (bits > MAX_RSA_BITS) throw new Error('RSA modulus too large')
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc7518#section-3.3
 */
export const MAX_RSA_BITS = 8192;

/**
 * Longest RSA public exponent accepted, in bits: 33 (`e` < 2^33), as ring (`PublicExponent::MAX`,
 * after A. Langley, "RSA public exponent size", 2012). FIPS 186-4 §B.3.1 (kept by FIPS 186-5)
 * allows up to 2^256, which still makes a verification 6–11 times dearer than e = 65537
 * (bench/rsa-keys.ts); every common key uses 65537.
 *
 * @example
 * ```ts
 * const e = BigInt(`0x${Buffer.from(jwk.e as string, 'base64url').toString('hex')}`)
 * if (e >= 1n << BigInt(MAX_RSA_EXPONENT_BITS)) throw new Error('RSA public exponent too large')
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc8017#section-3.1
 */
export const MAX_RSA_EXPONENT_BITS = 33;

const MIN_EXPONENT = 65_537n; // FIPS 186-4 §B.3.1: 2^16 < e, so 65537 is the smallest odd value
const EXPONENT_LIMIT = 1n << BigInt(MAX_RSA_EXPONENT_BITS);
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * True for an acceptable RSA public exponent: odd and 2^16 < e < 2^33. FIPS 186-4 §B.3.1 item 1
 * (b): "The exponent e shall be an odd positive integer such that 2^16 < e < 2^256"; the upper
 * bound is tightened to {@link MAX_RSA_EXPONENT_BITS} to bound the cost of a verification.
 */
export function rsaExponentAcceptable(e: bigint): boolean {
  return (e & 1n) === 1n && e >= MIN_EXPONENT && e < EXPONENT_LIMIT;
}

/**
 * The RSA public exponent of a JWK (`e`, RFC 7518 §6.3.1.2: Base64urlUInt), or undefined when it is
 * missing, malformed or longer than any acceptable exponent (no big number is built for it).
 */
export function rsaJwkExponent(jwk: ClientJWK): bigint | undefined {
  const e = jwk.e;
  // 12 base64url characters are 9 octets: room for leading zero octets, far beyond 33 bits.
  if (typeof e !== 'string' || e.length > 12 || !BASE64URL.test(e)) return undefined;
  const octets = Buffer.from(e, 'base64url');
  if (octets.length === 0) return undefined;
  return BigInt(`0x${octets.toString('hex')}`);
}

/** Why an RSA key is refused, if it is: below the minimum size, or outside the bounds above. */
export type RsaKeyVerdict = 'ok' | 'too-weak' | 'unsuitable';

/**
 * Judge an RSA key by its modulus size and public exponent (`undefined`: unreadable). Too weak
 * (RFC 7518 §3.3: "A key of size 2048 bits or larger MUST be used") comes first; then a modulus
 * over {@link MAX_RSA_BITS} or an exponent outside FIPS 186-4 §B.3.1 tightened to 33 bits.
 */
export function rsaKeyVerdict(bits: number, exponent: bigint | undefined, minimumBits: number): RsaKeyVerdict {
  if (bits < minimumBits) return 'too-weak';
  if (bits > MAX_RSA_BITS || exponent === undefined || !rsaExponentAcceptable(exponent)) return 'unsuitable';
  return 'ok';
}
