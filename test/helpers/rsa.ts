/**
 * RSA key pairs with a chosen public exponent (Node's generator takes only a small number), made
 * from two fresh primes per call: `d = e⁻¹ mod φ(n)`, so the keys sign and verify for real.
 *
 * @example
 * ```ts
 * const key = await rsaKeyWithExponent(2048, (1n << 2000n) + 1n) // the 2000-bit exponent attack
 * ```
 */
import { createPrivateKey, generatePrime, type KeyObject, randomBytes } from 'node:crypto';

function prime(bits: number): Promise<bigint> {
  return new Promise((resolve, reject) =>
    generatePrime(bits, { bigint: true }, (error, value) => (error ? reject(error) : resolve(value))),
  );
}

function base64url(value: bigint): string {
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  return Buffer.from(hex, 'hex').toString('base64url');
}

/** The inverse of `a` modulo `m`, or undefined when they share a factor. */
function inverse(a: bigint, m: bigint): bigint | undefined {
  let [r0, r1, s0, s1] = [a % m, m, 1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return r0 === 1n ? ((s0 % m) + m) % m : undefined;
}

/** A random odd number of exactly `bits` bits (for a random exponent of that length). */
export function randomOdd(bits: number): bigint {
  const octets = randomBytes(Math.ceil(bits / 8));
  let value = BigInt(`0x${octets.toString('hex')}`) & ((1n << BigInt(bits)) - 1n);
  value |= (1n << BigInt(bits - 1)) | 1n;
  return value;
}

/** An RSA private key of `bits` bits whose public exponent is `e` (odd, > 1). */
export async function rsaKeyWithExponent(bits: number, e: bigint): Promise<KeyObject> {
  for (;;) {
    const [p, q] = await Promise.all([prime(bits / 2), prime(bits / 2)]);
    const n = p * q;
    if (p === q || n.toString(2).length !== bits) continue;
    const d = inverse(e, (p - 1n) * (q - 1n));
    if (d === undefined) continue;
    const jwk = {
      kty: 'RSA',
      n: base64url(n),
      e: base64url(e),
      d: base64url(d),
      p: base64url(p),
      q: base64url(q),
      dp: base64url(d % (p - 1n)),
      dq: base64url(d % (q - 1n)),
      qi: base64url(inverse(q, p) as bigint),
    };
    return createPrivateKey({ key: jwk, format: 'jwk' });
  }
}
