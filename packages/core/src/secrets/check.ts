/**
 * Checking a presented secret against a client's registered ones: rotation (several active
 * secrets, each with its own expiry, RFC 7591 §3.2.1), plain secrets in constant time, stored
 * hashes within the authenticator's hash budget.
 */
import { performance } from 'node:perf_hooks';
import type { ClientMetadata, ClientSecretEntry } from '../types.js';
import { type EncodedSecrets, equalsEncoded } from './compare.js';
import { isScryptHash, type VerifyHash, verifySecretHash } from './hash.js';
import type { HashBudget } from './hash_budget.js';

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
 * budget is full. Without `hashes`, stored hashes verify nothing. `encoded` is the
 * authenticator's memory of encoded registered secrets.
 */
export function checkSecret(
  entries: readonly ClientSecretEntry[],
  presented: string,
  nowSeconds: number,
  encoded: EncodedSecrets,
  hashes: HashVerifier | undefined,
): SecretCheck | Promise<SecretCheck> {
  for (const entry of entries) {
    if (!('value' in entry && typeof entry.value === 'string')) {
      return checkSecretAsync(entries, presented, nowSeconds, encoded, hashes);
    }
  }
  let result: SecretCheck = 'mismatch';
  for (const entry of entries) {
    if (equalsEncoded(presented, encoded.get((entry as { value: string }).value))) {
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
  encoded: EncodedSecrets,
  hashes: HashVerifier | undefined,
): Promise<SecretCheck> {
  // Only checks that really hash spend the budget (and are measured): a hash no verifier can
  // read costs nothing and must not teach the unknown-client path that hashes are free.
  if (hashes !== undefined && entries.some((entry) => verifiesHash(entry, hashes))) {
    return hashes.budget.run(
      () => checkEntries(entries, presented, nowSeconds, encoded, hashes),
      hashes.outside === true,
    );
  }
  return checkEntries(entries, presented, nowSeconds, encoded, hashes);
}

async function checkEntries(
  entries: readonly ClientSecretEntry[],
  presented: string,
  nowSeconds: number,
  encoded: EncodedSecrets,
  hashes: HashVerifier | undefined,
): Promise<SecretCheck> {
  let result: SecretCheck = 'mismatch';
  for (const entry of entries) {
    let matches = false;
    if ('value' in entry && typeof entry.value === 'string') {
      matches = equalsEncoded(presented, encoded.get(entry.value));
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
