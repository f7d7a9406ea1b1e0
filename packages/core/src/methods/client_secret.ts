/**
 * `client_secret_basic` and `client_secret_post` (RFC 6749 §2.3.1, OpenID Connect Core §9).
 * The presented secret is compared in constant time against every active secret of the client.
 */
import { InvalidClient } from '../errors.js';
import { checkSecret, type SecretCheck, secretEntries } from '../secrets.js';
import { dummySecretCheck, imitateHashCheck, imitatesHash, noteCost, unknownClientEntries } from '../unknown_client.js';
import type { MethodVerifier } from './method.js';

function refuseSecret(outcome: SecretCheck): void {
  if (outcome === 'expired') throw new InvalidClient('ERR_SECRET_EXPIRED');
  if (outcome !== 'match') throw new InvalidClient('ERR_SECRET_MISMATCH');
}

function misregistered(): never {
  throw new InvalidClient('ERR_CLIENT_METADATA_INVALID');
}

function notFound(): never {
  throw new InvalidClient('ERR_CLIENT_NOT_FOUND');
}

/**
 * Continue with `next` once `outcome` is known: now for plain secrets (no promise is made), later
 * when a hash had to be verified.
 */
function after(
  outcome: SecretCheck | Promise<SecretCheck>,
  next: (outcome: SecretCheck) => void,
): void | Promise<void> {
  return outcome instanceof Promise ? outcome.then(next) : next(outcome);
}

/** Verify a client_secret_basic / client_secret_post credential against the registered secrets. */
export const verifyClientSecret: MethodVerifier = ({
  credential,
  client,
  config,
  nowSeconds,
}): void | Promise<void> => {
  if (credential.mechanism !== 'client_secret_basic' && credential.mechanism !== 'client_secret_post') {
    throw new InvalidClient('ERR_METHOD_MISMATCH');
  }
  const costs = config.secretCosts;
  const entries = secretEntries(client);
  if (entries.length === 0) {
    // The stand-in check of an unknown client, so that a misregistered client is not told apart.
    const check = dummySecretCheck(costs, credential.secret, nowSeconds);
    if (check instanceof Promise) return check.then(misregistered);
    misregistered();
  }
  // What this check costs decides what the stand-in checks of this authenticator cost.
  noteCost(costs, entries);
  return after(checkSecret(entries, credential.secret, nowSeconds, costs.hashes), refuseSecret);
};

/**
 * The unknown-client path. Where plain secrets are checked it is step for step the shape of
 * {@link verifyClientSecret} (a verifier call, an entry list, the same comparison, the error
 * thrown at the same depth), so that an unknown client_id costs what a known client with a wrong
 * secret does (`pnpm test:timing`, comparisons (a), (e) and (f)); where only hashed secrets are,
 * it waits as long as a hash check takes, on a timer, without spending the hash budget
 * (comparison (d); unknown_client.ts).
 */
export const verifyUnknownClient: MethodVerifier = ({ credential, config, nowSeconds }): void | Promise<void> => {
  if (credential.mechanism !== 'client_secret_basic' && credential.mechanism !== 'client_secret_post') {
    throw new InvalidClient('ERR_CLIENT_NOT_FOUND');
  }
  const costs = config.secretCosts;
  if (imitatesHash(costs)) return imitateHashCheck(costs, credential.secret, nowSeconds).then(notFound);
  const entries = unknownClientEntries(costs);
  noteCost(costs, entries, false);
  return after(checkSecret(entries, credential.secret, nowSeconds, costs.hashes), notFound);
};
