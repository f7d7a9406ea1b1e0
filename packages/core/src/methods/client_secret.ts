/**
 * `client_secret_basic` and `client_secret_post` (RFC 6749 §2.3.1, OpenID Connect Core §9), with
 * every rule of the secret methods: TLS is required, the presented secret is compared in constant
 * time against every active secret of the client, and a request that cannot be checked against a
 * real secret (an unknown client_id, a client registered for another method or without a secret)
 * still costs what a check does (DESIGN.md §3: "an unknown client costs the same as a wrong
 * secret"; secrets/unknown_client.ts).
 */
import type { Config } from '../config.js';
import type { PresentedCredential, SecretCredential } from '../credentials/credential.js';
import { type ErrorCodeOf, InvalidClient, InvalidRequest } from '../errors.js';
import { forwardedOverTls } from '../proxy/forwarded_protocol.js';
import { checkSecret, type SecretCheck, secretEntries } from '../secrets/check.js';
import {
  dummySecretCheck,
  imitateHashCheck,
  imitatesHash,
  noteCost,
  unknownClientEntries,
} from '../secrets/unknown_client.js';
import type { ClientAuthRequest, ClientSecretEntry } from '../types.js';
import { type Awaitable, andThen, type VerifyContext } from './method.js';

function isSecret(credential: PresentedCredential): credential is SecretCredential {
  return credential.mechanism === 'client_secret_basic' || credential.mechanism === 'client_secret_post';
}

/** A trusted TLS-terminating proxy says the client spoke TLS to it (options.ts `trustedProxies`). */
function viaTlsProxy(request: ClientAuthRequest, config: Config): boolean {
  const peers = config.forwardedProtoPeers;
  return peers?.(request.peerAddress) === true && forwardedOverTls(request);
}

/**
 * RFC 6749 §2.3.1: "The authorization server MUST require the use of TLS … when sending requests
 * using password authentication." Checked before the client is looked up: a secret sent in the
 * clear is refused whoever it names. TLS is the socket's (or the framework's verdict, through the
 * adapter), or that of a trusted TLS-terminating proxy (`trustedProxies`).
 */
export function requireTlsForSecrets(
  credential: PresentedCredential,
  request: ClientAuthRequest,
  config: Config,
): void {
  if (
    isSecret(credential) &&
    !config.allowInsecureTransport &&
    request.secure !== true &&
    !viaTlsProxy(request, config)
  ) {
    throw new InvalidRequest('ERR_INSECURE_TRANSPORT', 'client secrets may only be sent over TLS');
  }
}

function refuseSecret(outcome: SecretCheck): undefined {
  if (outcome === 'expired') throw new InvalidClient('ERR_SECRET_EXPIRED');
  if (outcome !== 'match') throw new InvalidClient('ERR_SECRET_MISMATCH');
  return undefined;
}

function notFound(): never {
  throw new InvalidClient('ERR_CLIENT_NOT_FOUND');
}

/**
 * The raw reading of the same Basic pair, when it names the same client_id: a second candidate
 * secret (opt-in `basic.acceptUnencoded`, for clients that do not form-encode: curl `-u`, Authlib).
 */
function unencodedSecret(credential: SecretCredential): string | undefined {
  if (credential.mechanism !== 'client_secret_basic') return undefined;
  const raw = credential.unencoded;
  return raw !== undefined && raw.clientId === credential.clientId ? raw.secret : undefined;
}

/**
 * Check every candidate secret against `entries`: a match of any is a match, else the first
 * candidate's outcome is the one reported (the decoded reading is the standard one).
 */
function checkCandidates(
  entries: readonly ClientSecretEntry[],
  credential: SecretCredential,
  { config, nowSeconds }: VerifyContext,
): Awaitable<SecretCheck> {
  const costs = config.secretCosts;
  const outcome = checkSecret(entries, credential.secret, nowSeconds, costs.encoded, costs.hashes);
  const second = unencodedSecret(credential);
  if (second === undefined) return outcome;
  return andThen(outcome, (decoded) =>
    andThen(checkSecret(entries, second, nowSeconds, costs.encoded, costs.hashes), (raw) =>
      raw === 'match' ? raw : decoded,
    ),
  );
}

/** Verify a client_secret_basic / client_secret_post credential against the registered secrets. */
export function verifyClientSecret(credential: SecretCredential, context: VerifyContext): Awaitable<undefined> {
  const costs = context.config.secretCosts;
  const entries = secretEntries(context.client);
  // A secret client without a secret is misregistered; its stand-in check keeps it from being told apart.
  if (entries.length === 0) return refuseWithStandIn(credential, context, 'ERR_CLIENT_METADATA_INVALID');
  // What this check costs decides what the stand-in checks of this authenticator cost.
  noteCost(costs, entries);
  return andThen(checkCandidates(entries, credential, context), refuseSecret);
}

/**
 * The unknown-client path. Where plain secrets are checked it is step for step
 * {@link verifyClientSecret} on a stand-in entry list (the same candidates, the same comparison,
 * the error thrown at the same depth), so that an unknown client_id costs what a known client
 * with a wrong secret does (`pnpm test:timing`, comparisons (a), (e) and (f)); where only hashed
 * secrets are, it waits as long as a hash check takes, on a timer, without spending the hash
 * budget (comparison (d); secrets/unknown_client.ts). Always refuses `ERR_CLIENT_NOT_FOUND`.
 */
export function verifyUnknownClient(credential: PresentedCredential, context: VerifyContext): Awaitable<never> {
  if (!isSecret(credential)) notFound();
  const costs = context.config.secretCosts;
  if (imitatesHash(costs)) return imitateHashCheck(costs, credential.secret, context.nowSeconds).then(notFound);
  const entries = unknownClientEntries(costs);
  noteCost(costs, entries, false);
  return andThen(checkCandidates(entries, credential, context), notFound);
}

/**
 * Refuse with `code`; a request that presented a secret first pays the stand-in check of an
 * unknown client (it never spends the hash budget), so that a refusal before verification (a
 * client registered for another method, a client without a secret) is not told apart by its time.
 */
export function refuseWithStandIn(
  credential: PresentedCredential,
  { config, nowSeconds }: VerifyContext,
  code: ErrorCodeOf<'InvalidClient'>,
): Awaitable<never> {
  const refuse = (): never => {
    throw new InvalidClient(code);
  };
  if (!isSecret(credential)) return refuse();
  const check = dummySecretCheck(config.secretCosts, credential.secret, nowSeconds);
  return check instanceof Promise ? check.then(refuse) : refuse();
}
