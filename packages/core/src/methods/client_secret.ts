/**
 * `client_secret_basic` and `client_secret_post` (RFC 6749 §2.3.1, OpenID Connect Core §9).
 * The presented secret is compared in constant time against every active secret of the client.
 */
import { InvalidClient } from '../errors.js';
import {
  checkSecret,
  dummyEntries,
  rememberHash,
  type SecretCheck,
  secretEntries,
  unknownClientEntries,
} from '../secrets.js';
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
export const verifyClientSecret: MethodVerifier = ({ credential, client, config, nowSeconds }) => {
  if (credential.mechanism !== 'client_secret_basic' && credential.mechanism !== 'client_secret_post') {
    throw new InvalidClient('ERR_METHOD_MISMATCH');
  }
  const entries = secretEntries(client);
  if (entries.length === 0) {
    // Same work as a client with one secret, so that a misregistered client is not told apart.
    return after(checkSecret(dummyEntries(), credential.secret, nowSeconds, undefined), misregistered);
  }
  // The unknown-client path of this authenticator then costs a hash verification too.
  rememberHash(config, entries);
  return after(checkSecret(entries, credential.secret, nowSeconds, config.verifyHash), refuseSecret);
};

/**
 * The unknown-client path, step for step the shape of {@link verifyClientSecret} (a verifier call,
 * an entry list, the same comparison or hash verification, the error thrown at the same depth), so
 * that an unknown client_id costs what a known client with a wrong secret does
 * (`pnpm test:timing`, comparisons (a) and (d)).
 */
export const verifyUnknownClient: MethodVerifier = ({ credential, config, nowSeconds }) => {
  if (credential.mechanism !== 'client_secret_basic' && credential.mechanism !== 'client_secret_post') {
    throw new InvalidClient('ERR_CLIENT_NOT_FOUND');
  }
  const entries = unknownClientEntries(config);
  rememberHash(config, entries, false);
  return after(checkSecret(entries, credential.secret, nowSeconds, config.verifyHash), notFound);
};
