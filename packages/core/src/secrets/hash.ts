/**
 * Hashed client secrets: scrypt from `node:crypto` in the PHC string format. Other hash formats
 * (argon2, bcrypt) are verified through the `secrets.verifyHash` option ({@link VerifyHash}).
 */
import { randomBytes, scrypt as scryptCallback, timingSafeEqual } from 'node:crypto';

const SCRYPT_PREFIX = '$scrypt$';

interface ScryptParameters {
  /** log2 of the CPU/memory cost N. Default 15 (N = 32768). */
  ln?: number;
  r?: number;
  p?: number;
}

function scrypt(secret: string, salt: Buffer, keylen: number, ln: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const N = 2 ** ln;
    scryptCallback(secret, salt, keylen, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

/**
 * Hash a client secret with scrypt for storage, in the PHC string format
 * `$scrypt$ln=15,r=8,p=1$<salt>$<hash>` (base64 without padding).
 *
 * @example
 * ```ts
 * const hash = await hashSecret('s3cr3t')
 * const client = { client_id: 'a', client_secrets: [{ hash }] }
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc7914#section-2
 */
export async function hashSecret(secret: string, parameters: ScryptParameters = {}): Promise<string> {
  const { ln = 15, r = 8, p = 1 } = parameters;
  const salt = randomBytes(16);
  const key = await scrypt(secret, salt, 32, ln, r, p);
  return `${SCRYPT_PREFIX}ln=${ln},r=${r},p=${p}$${salt.toString('base64').replace(/=+$/, '')}$${key.toString('base64').replace(/=+$/, '')}`;
}

/** True when `hash` is a string made by {@link hashSecret}. */
export function isScryptHash(hash: string): boolean {
  return hash.startsWith(SCRYPT_PREFIX);
}

/**
 * Verify a secret against a {@link hashSecret} string, in constant time. A malformed hash string
 * verifies nothing. The authenticator calls it itself for `scrypt` hashes in `client_secrets`.
 *
 * @example
 * ```ts
 * const hash = await hashSecret('7Fjfp0ZBr1KtDRbnfVdmIw')
 * await verifySecretHash(hash, '7Fjfp0ZBr1KtDRbnfVdmIw') // true
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc7914#section-2
 */
export async function verifySecretHash(hash: string, secret: string): Promise<boolean> {
  const match = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/.exec(hash);
  if (match === null) return false;
  const [, ln, r, p, salt, key] = match as unknown as [string, string, string, string, string, string];
  const expected = Buffer.from(key, 'base64');
  if (Number(ln) < 1 || Number(ln) > 20 || expected.length < 16) return false;
  const derived = await scrypt(secret, Buffer.from(salt, 'base64'), expected.length, Number(ln), Number(r), Number(p));
  return timingSafeEqual(derived, expected);
}

/**
 * A host-supplied verifier for hash formats other than scrypt (argon2, bcrypt, …): the
 * `secrets.verifyHash` option. Its calls share the authenticator's hash budget.
 *
 * @example
 * ```ts
 * import argon2 from 'argon2'
 * const verifyHash: VerifyHash = (hash, secret) => argon2.verify(hash, secret)
 * createClientAuthenticator({ issuer, getClient, secrets: { verifyHash } })
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 */
export type VerifyHash = (hash: string, secret: string) => boolean | Promise<boolean>;
