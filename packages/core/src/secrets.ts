/**
 * Client secrets: constant-time comparison, rotation (several active secrets, each with its own
 * expiry) and hashed storage. `hashSecret`/`verifySecretHash` use scrypt from `node:crypto`; other
 * hash formats (argon2, bcrypt) are verified through the `secrets.verifyHash` option.
 */
import { randomBytes, scrypt as scryptCallback, timingSafeEqual } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { HashBudget } from './hash_budget.js';
import type { ClientMetadata, ClientSecretEntry } from './types.js';

/**
 * Compare two secrets in time that depends only on the length of `expected` (never on where the
 * first differing octet is, nor on the presented value beyond copying it).
 */
export function constantTimeEqual(presented: string, expected: string): boolean {
  return equalsEncoded(presented, encode(expected));
}

/**
 * A registered secret ready for comparison: its UTF-8 octets, and a scratch buffer four octets
 * longer that the presented secret is encoded into (no allocation per check).
 */
interface EncodedSecret {
  bytes: Uint8Array;
  scratch: Uint8Array;
  /** The first `bytes.length` octets of `scratch`. */
  view: Uint8Array;
}

const encoder = new TextEncoder();

function encode(secret: string): EncodedSecret {
  // Copies with their own memory (a pooled Buffer would keep a whole shared slab alive).
  const bytes = new Uint8Array(Buffer.from(secret, 'utf8'));
  const scratch = new Uint8Array(bytes.length + 4);
  return { bytes, scratch, view: scratch.subarray(0, bytes.length) };
}

/** {@link constantTimeEqual} against an {@link EncodedSecret}. */
function equalsEncoded(presented: string, expected: EncodedSecret): boolean {
  // `encodeInto` never splits a character and a character is at most 4 octets, so it writes exactly
  // `bytes.length` octets into the longer scratch only when the presented secret has that length.
  const sameLength = encoder.encodeInto(presented, expected.scratch).written === expected.bytes.length;
  // timingSafeEqual runs in full whatever the lengths (on a length mismatch `expected` is compared
  // with itself); the length check is folded in afterwards. (Encoding into a fresh zero-filled
  // `Buffer.alloc` per check cost 10x more: see bench/README.md.)
  return timingSafeEqual(sameLength ? expected.view : expected.bytes, expected.bytes) && sameLength;
}

/** Most registered secrets kept encoded; past it the oldest is dropped (and encoded again if used). */
export const MAX_ENCODED_SECRETS = 10_000;

/**
 * Registered secrets encoded for comparison, by value, so that a check encodes only the presented
 * secret, into memory it does not allocate (encoding the stored one was a third of a
 * `client_secret_post` check: bench/README.md). By value, not by client object: a host that builds
 * a new client object on every lookup (from a database) hits it as well as an in-memory registry,
 * and a secret changed in place is simply another value. Only registered values are ever keys or
 * looked up; the presented secret never touches the map.
 */
const encodedSecrets = new Map<string, EncodedSecret>();

function encodedSecret(value: string): EncodedSecret {
  let encoded = encodedSecrets.get(value);
  if (encoded === undefined) {
    encoded = encode(value);
    if (encodedSecrets.size >= MAX_ENCODED_SECRETS) {
      encodedSecrets.delete(encodedSecrets.keys().next().value as string);
    }
    encodedSecrets.set(value, encoded);
  }
  return encoded;
}

/** How many registered secrets are kept encoded (for tests of the bound). */
export function encodedSecretCount(): number {
  return encodedSecrets.size;
}

/** A secret the unknown-client path compares against, so that it costs what a known client does. */
const DUMMY_SECRET = randomBytes(32).toString('base64url');

const DUMMY_CLIENT: ClientMetadata = Object.freeze({ client_id: '', client_secret: DUMMY_SECRET });

/** The dummy secret's entries: what a check that only stands in for one compares against. */
export function dummyEntries(): ClientSecretEntry[] {
  return secretEntries(DUMMY_CLIENT);
}

/** True when a registered secret is kept encoded (its next check will not encode it afresh). */
export function isEncodedSecret(value: string): boolean {
  return encodedSecrets.has(value);
}

/** Drop the dummy secret's encoding, so that the next dummy check encodes it afresh (`cold`). */
export function forgetDummyEncoding(): void {
  encodedSecrets.delete(DUMMY_SECRET);
}

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
 */
export async function hashSecret(secret: string, parameters: ScryptParameters = {}): Promise<string> {
  const { ln = 15, r = 8, p = 1 } = parameters;
  const salt = randomBytes(16);
  const key = await scrypt(secret, salt, 32, ln, r, p);
  return `${SCRYPT_PREFIX}ln=${ln},r=${r},p=${p}$${salt.toString('base64').replace(/=+$/, '')}$${key.toString('base64').replace(/=+$/, '')}`;
}

/** True when `hash` is a string made by {@link hashSecret}. */
function isScryptHash(hash: string): boolean {
  return hash.startsWith(SCRYPT_PREFIX);
}

/**
 * Verify a secret against a {@link hashSecret} string, in constant time. A malformed hash string
 * verifies nothing.
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

/** A host-supplied verifier for hash formats other than scrypt (argon2, bcrypt, …). */
export type VerifyHash = (hash: string, secret: string) => boolean | Promise<boolean>;

/** The active secrets of a client: `client_secret` (with `client_secret_expires_at`) and `client_secrets`. */
export function secretEntries(client: ClientMetadata): ClientSecretEntry[] {
  const entries: ClientSecretEntry[] = [];
  if (typeof client.client_secret === 'string') {
    const expires = client.client_secret_expires_at;
    entries.push(
      typeof expires === 'number'
        ? { value: client.client_secret, expires_at: expires }
        : { value: client.client_secret },
    );
  }
  if (Array.isArray(client.client_secrets)) entries.push(...client.client_secrets);
  return entries;
}

/** RFC 7591 §3.2.1: `expires_at` 0 (or absent) means the secret never expires. */
export function isExpired(entry: { expires_at?: number }, nowSeconds: number): boolean {
  return typeof entry.expires_at === 'number' && entry.expires_at !== 0 && nowSeconds >= entry.expires_at;
}

/** The outcome of checking a presented secret against every registered one. */
export type SecretCheck = 'match' | 'expired' | 'mismatch';

/** How stored hashes are verified: the built-in scrypt or the host's `verifyHash`, within a budget. */
export interface HashVerifier {
  budget: HashBudget;
  verifyHash: VerifyHash | undefined;
  /**
   * The stand-in check of a hash cheaper than a timer can imitate (unknown_client.ts): the same
   * steps, outside the budget (no slot, not counted, not measured).
   */
  outside?: boolean;
}

/**
 * Check a presented secret against all of a client's secrets. Every plain entry is compared
 * (no early exit), so the time taken does not tell which entry matched. Answers synchronously
 * when every entry is a plain secret (the common case: no promise to allocate and await), else
 * through a promise (hash verification is asynchronous). A check that verifies a hash takes a slot
 * of `hashes.budget` for all of its entries, and is refused (503 `ERR_SECRET_HASH_BUSY`) when the
 * budget is full. Without `hashes`, stored hashes verify nothing.
 */
export function checkSecret(
  entries: readonly ClientSecretEntry[],
  presented: string,
  nowSeconds: number,
  hashes: HashVerifier | undefined,
): SecretCheck | Promise<SecretCheck> {
  for (const entry of entries) {
    if (!('value' in entry && typeof entry.value === 'string')) {
      return checkSecretAsync(entries, presented, nowSeconds, hashes);
    }
  }
  let result: SecretCheck = 'mismatch';
  for (const entry of entries) {
    if (equalsEncoded(presented, encodedSecret((entry as { value: string }).value))) {
      if (!isExpired(entry, nowSeconds)) result = 'match';
      else if (result === 'mismatch') result = 'expired';
    }
  }
  return result;
}

/** True when checking `entry` runs a real hash verification (scrypt, or the host's verifier). */
function verifiesHash(entry: ClientSecretEntry, hashes: HashVerifier | undefined): boolean {
  if (hashes === undefined || !('hash' in entry) || typeof entry.hash !== 'string') return false;
  return isScryptHash(entry.hash) || hashes.verifyHash !== undefined;
}

function checkSecretAsync(
  entries: readonly ClientSecretEntry[],
  presented: string,
  nowSeconds: number,
  hashes: HashVerifier | undefined,
): Promise<SecretCheck> {
  // Only checks that really hash spend the budget (and are measured): a hash no verifier can
  // read costs nothing and must not teach the unknown-client path that hashes are free.
  if (hashes !== undefined && entries.some((entry) => verifiesHash(entry, hashes))) {
    return hashes.budget.run(() => checkEntries(entries, presented, nowSeconds, hashes), hashes.outside === true);
  }
  return checkEntries(entries, presented, nowSeconds, hashes);
}

async function checkEntries(
  entries: readonly ClientSecretEntry[],
  presented: string,
  nowSeconds: number,
  hashes: HashVerifier | undefined,
): Promise<SecretCheck> {
  let result: SecretCheck = 'mismatch';
  for (const entry of entries) {
    let matches = false;
    if ('value' in entry && typeof entry.value === 'string') {
      matches = equalsEncoded(presented, encodedSecret(entry.value));
    } else if (hashes !== undefined && verifiesHash(entry, hashes)) {
      const hash = (entry as { hash: string }).hash;
      const start = performance.now();
      if (isScryptHash(hash)) matches = await verifySecretHash(hash, presented);
      else matches = (await (hashes.verifyHash as VerifyHash)(hash, presented)) === true;
      const ms = performance.now() - start;
      // Only a real check teaches the budget (which hash is cheap enough to stand in with); a
      // stand-in takes the same steps without a trace (`dry`).
      hashes.budget.noteVerification(hash, ms, hashes.outside === true);
    }
    if (matches) {
      if (!isExpired(entry, nowSeconds)) result = 'match';
      else if (result === 'mismatch') result = 'expired';
    }
  }
  return result;
}
