/**
 * What a secret check costs in one authenticator, and what a check that only stands in for one
 * (an unknown client_id; a client registered for another method that sent a secret; a client
 * without a secret) does to cost the same without spending the hash budget.
 *
 * DESIGN.md §3: "an unknown client costs the same as a wrong secret". The cheapest real check of
 * the deployment is the one imitated:
 * - where plain secrets are checked (`'auto'` once a plain-secret client has been seen, or
 *   `'plain'`): a comparison against a dummy plain secret, step for step a known client's (and
 *   encoded afresh when the last real plain check had to encode its secret: `cold`), so that an
 *   unknown client_id costs what a known plain-secret client does;
 * - where only hashed secrets are checked (`'auto'` before any plain-secret client, or `'hash'`):
 *   a wait on a timer as long as one of this authenticator's recent hash checks took
 *   ({@link HashBudget.imitate}), so that it takes what a known hashed client with a wrong secret
 *   takes while costing no CPU, no thread and no slot of the budget; when the budget is full it is
 *   refused 503 as that client would be. Where most recent hash checks are cheaper than a timer
 *   can imitate (under `CHEAP_HASH_MS`: a fast `verifyHash` such as SHA-256 of a random secret),
 *   a stored hash that was measured that cheap is verified for real instead, outside the budget:
 *   it costs what a plain comparison or a signature check of an unauthenticated request does
 *   (never a costly hash: the stand-in only ever runs one measured under 1 ms).
 * The residual, by design: in a deployment with both kinds, a known hashed client takes longer
 * than an unknown client_id (`'auto'`), or a known plain one shorter (`'hash'`); only making every
 * check cost a real hash would hide both, which is the CPU exhaustion this avoids.
 */
import { randomBytes } from 'node:crypto';
import type { ClientMetadata, ClientSecretEntry } from '../types.js';
import { checkSecret, type HashVerifier, type SecretCheck, secretEntries } from './check.js';
import { EncodedSecrets } from './compare.js';
import type { VerifyHash } from './hash.js';
import { HashBudget, hashBudgetBusy } from './hash_budget.js';

/** A secret the unknown-client path compares against, so that it costs what a known client does. */
const DUMMY_SECRET = randomBytes(32).toString('base64url');

/** Stands in for a client with one plain secret (never returned, never authenticated). */
const DUMMY_CLIENT: ClientMetadata = Object.freeze({ client_id: '', client_secret: DUMMY_SECRET });

/**
 * What an unknown client_id costs (`secrets.unknownClientCost`): `'auto'` (default) follows the
 * clients seen, `'plain'` always a plain comparison, `'hash'` always the timed imitation of a hash
 * check once one has been measured.
 *
 * @example
 * ```ts
 * // every client's secret is hashed: make an unknown client_id cost what a hashed one does
 * const unknownClientCost: UnknownClientCost = 'hash'
 * createClientAuthenticator({ issuer, getClient, secrets: { unknownClientCost } })
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 */
export type UnknownClientCost = 'auto' | 'plain' | 'hash';

/** The secret-check state of one authenticator (created with it, never shared). */
export interface SecretCosts {
  /** The hash budget of this authenticator. */
  readonly budget: HashBudget;
  /** Registered secrets this authenticator keeps encoded for comparison. */
  readonly encoded: EncodedSecrets;
  /** How real checks verify stored hashes (within `budget`). */
  readonly hashes: HashVerifier;
  /** The same, for the stand-in of a cheap hash check (outside the budget). */
  readonly outside: HashVerifier;
  readonly mode: UnknownClientCost;
  /** A real check of a client with plain secrets only has run. */
  plainSeen: boolean;
  /** The last real plain check had to encode a registered secret afresh. */
  cold: boolean;
  /** Stand-in checks against the dummy plain secret. */
  dummyPlain: number;
  /** Stand-in checks that waited as long as a hash check, on a timer. */
  dummyTimed: number;
  /** Stand-in checks that verified a cheap hash for real (outside the budget). */
  dummyHashed: number;
}

/** The state of a new authenticator. */
export function createSecretCosts(
  verifyHash: VerifyHash | undefined,
  maxConcurrent: number,
  maxQueued: number,
  mode: UnknownClientCost,
): SecretCosts {
  const budget = new HashBudget(maxConcurrent, maxQueued);
  return {
    budget,
    encoded: new EncodedSecrets(),
    hashes: { budget, verifyHash },
    outside: { budget, verifyHash, outside: true },
    mode,
    plainSeen: false,
    cold: false,
    dummyPlain: 0,
    dummyTimed: 0,
    dummyHashed: 0,
  };
}

/**
 * Note what checking `entries` costs. The known-client path and the plain stand-in run the same
 * loop (so that both cost the same); only a real client's check (`record`) is kept.
 */
export function noteCost(costs: SecretCosts, entries: readonly ClientSecretEntry[], record = true): void {
  let hashed = false;
  let cold = false;
  for (const entry of entries) {
    if ('hash' in entry && typeof entry.hash === 'string') hashed = true;
    else if ('value' in entry && typeof entry.value === 'string' && !costs.encoded.has(entry.value)) cold = true;
  }
  if (record && !hashed) {
    costs.plainSeen = true;
    costs.cold = cold;
  }
}

/** True when a stand-in check imitates a hash check (on a timer) rather than compare a dummy. */
export function imitatesHash(costs: SecretCosts): boolean {
  if (costs.mode === 'plain' || (costs.mode === 'auto' && costs.plainSeen)) return false;
  return costs.budget.measured;
}

/**
 * The stand-in of a hash check: refused 503 at once when the budget is full (a known hashed client
 * would be: answering 401 instead would tell that the client_id is unknown), else resolved after
 * as long as a recent hash check took, on a timer; a cheap hash is verified for real instead.
 */
export function imitateHashCheck(costs: SecretCosts, presented: string, nowSeconds: number): Promise<unknown> {
  const budget = costs.budget;
  if (budget.full) {
    budget.countRefusal();
    return Promise.reject(hashBudgetBusy());
  }
  const cheapHash = budget.cheapHash;
  if (budget.cheap && cheapHash !== undefined) {
    costs.dummyHashed++;
    // The steps of a real check (its entry list and cost note too), outside the budget.
    const entries = secretEntries({ client_id: '', client_secrets: [{ hash: cheapHash }] });
    noteCost(costs, entries, false);
    return checkSecret(entries, presented, nowSeconds, costs.encoded, costs.outside) as Promise<SecretCheck>;
  }
  costs.dummyTimed++;
  return budget.imitate();
}

/**
 * The entries the plain stand-in compares against: the dummy secret, made cold first when the
 * last real plain check had to encode its secret afresh.
 */
export function unknownClientEntries(costs: SecretCosts): ClientSecretEntry[] {
  costs.dummyPlain++;
  if (costs.cold) costs.encoded.forget(DUMMY_SECRET);
  return secretEntries(DUMMY_CLIENT);
}

/**
 * A stand-in check whose result is ignored: what a refusal before verification still costs
 * (a client registered for another method that sent a secret, a client without a secret).
 * Rejects as the check it imitates would (503 `ERR_SECRET_HASH_BUSY` when the budget is full).
 */
export function dummySecretCheck(
  costs: SecretCosts,
  presented: string,
  nowSeconds: number,
): undefined | Promise<unknown> {
  if (imitatesHash(costs)) return imitateHashCheck(costs, presented, nowSeconds);
  const entries = unknownClientEntries(costs);
  noteCost(costs, entries, false);
  // Plain entries only: answered synchronously.
  checkSecret(entries, presented, nowSeconds, costs.encoded, costs.hashes);
  return undefined;
}
