/**
 * What RSA key shapes cost a verifier (not part of `pnpm bench`; figures for docs/SECURITY.md):
 *
 * 1. one RS256 verification (node:crypto, OpenSSL) per modulus size and exponent length;
 * 2. one forged `private_key_jwt` assertion without `kid` through `authenticate()`, against a
 *    client that registered `MAX_KEY_CANDIDATES` keys of a shape: the attack (RSA-3072 keys with
 *    3071-bit exponents, now never tried) and the dearest shape still accepted (RSA-8192, e < 2^33).
 *
 * The cost of a verification does not depend on the signature being valid (the modular
 * exponentiation runs either way), so random moduli and signatures stand in for real keys.
 *
 *   node --import tsx --conditions=source bench/rsa-keys.ts
 */
import { createPublicKey, randomBytes, verify } from 'node:crypto';
import {
  type ClientJWK,
  createClientAuthenticator,
  JWT_BEARER_ASSERTION_TYPE,
  MAX_KEY_CANDIDATES,
} from '@client-auth/core';
import { randomOdd } from '../test/helpers/rsa.js';

const b64url = (value: bigint) => {
  const hex = value.toString(16);
  return Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex').toString('base64url');
};

/** A public JWK with a random odd modulus of `bits` bits and the exponent `e`. */
function jwk(bits: number, e: bigint, kid: string): ClientJWK {
  return { kty: 'RSA', n: b64url(randomOdd(bits)), e: b64url(e), kid };
}

/** A random signature value of the full modulus length, below any `bits`-bit modulus (top bit clear). */
function signatureFor(bits: number): Buffer {
  const octets = randomBytes(bits / 8);
  octets[0] = (octets[0] as number) & 0x7f;
  return octets;
}

function microseconds(run: () => unknown, minimumMs = 300): number {
  run();
  let count = 0;
  const start = performance.now();
  while (performance.now() - start < minimumMs) {
    run();
    count += 1;
  }
  return ((performance.now() - start) * 1000) / count;
}

const SHAPES: [string, number, bigint][] = [
  ['RSA-2048, e = 65537', 2048, 65_537n],
  ['RSA-2048, e of 33 bits (largest accepted)', 2048, (1n << 33n) - 1n],
  ['RSA-2048, e of 256 bits (FIPS 186-4 upper bound)', 2048, randomOdd(256)],
  ['RSA-3072, e of 3071 bits (the attack)', 3072, randomOdd(3071)],
  ['RSA-4096, e = 65537', 4096, 65_537n],
  ['RSA-8192, e = 65537', 8192, 65_537n],
  ['RSA-8192, e of 33 bits (dearest accepted)', 8192, (1n << 33n) - 1n],
];

console.log('1. One RS256 verification (node:crypto):');
const data = Buffer.from('header.payload');
for (const [name, bits, e] of SHAPES) {
  const key = createPublicKey({ key: jwk(bits, e, 'k') as never, format: 'jwk' });
  const signature = signatureFor(bits);
  console.log(`   ${name}: ${microseconds(() => verify('sha256', data, key, signature)).toFixed(0)} µs`);
}

console.log(`2. One forged assertion without kid, ${MAX_KEY_CANDIDATES} registered keys of one shape:`);
const now = Math.floor(Date.now() / 1000);
const segment = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const claims = segment({ iss: 'c', sub: 'c', aud: 'https://as.example', exp: now + 60, jti: 'x' });
for (const [name, bits, e] of [SHAPES[0], SHAPES[3], SHAPES[6]] as [string, number, bigint][]) {
  const forged = `${segment({ alg: 'RS256' })}.${claims}.${signatureFor(bits).toString('base64url')}`;
  const keys = Array.from({ length: MAX_KEY_CANDIDATES }, (_, i) => jwk(bits, e, `k${i}`));
  const client = { client_id: 'c', token_endpoint_auth_method: 'private_key_jwt' as const, jwks: { keys } };
  const auth = createClientAuthenticator({ issuer: 'https://as.example', getClient: () => client });
  const request = {
    headers: {},
    body: { client_assertion_type: [JWT_BEARER_ASSERTION_TYPE], client_assertion: [forged] },
    secure: true,
  };
  let code = '';
  const once = () =>
    auth.authenticate(request, { endpoint: 'token' }).catch((error: { code: string }) => {
      code = error.code;
    });
  await once(); // imports the keys
  let count = 0;
  const start = performance.now();
  while (performance.now() - start < 1000) {
    await once();
    count += 1;
  }
  const perRequest = ((performance.now() - start) * 1000) / count;
  console.log(`   ${name}: ${perRequest.toFixed(0)} µs per request (${code})`);
}
