/**
 * `attest_jwt_client_auth` (draft-ietf-oauth-attestation-based-client-auth-10): the Client
 * Attestation JWT (§4, checked as §7.1 says) signed by a trusted attester, and the Client
 * Attestation PoP JWT (§5.1, checked as §7.2 says) signed by the attested Client Instance Key.
 *
 * Order: attestation header → attester key (configuration only) → signature → claims and
 * `cnf.jwk` → PoP header → signature with `cnf.jwk` → PoP claims (audience, `iat` window,
 * challenge) → the PoP `jti`, then the challenge, recorded in the replay store last, so that a
 * forged or invalid PoP can never burn a legitimate one.
 */
import { compactVerify, importJWK } from 'jose';
import { keyFitsAlgorithm } from '../../algorithms.js';
import { isPlainObject } from '../../credentials/assertion.js';
import type { AttestationCredential } from '../../credentials/credential.js';
import { AttestationRefused, type ErrorCodeOf, isOAuthError, TemporarilyUnavailable } from '../../errors.js';
import type { ClientJWK } from '../../types.js';
import { MAX_JTI_LENGTH, verifiedClaims } from '../client_assertion/claims.js';
import { MAX_KEY_CANDIDATES, type VerificationKey } from '../client_assertion/keys.js';
import { refuse } from '../client_assertion/refuse.js';
import type { VerifiedDetail, VerifyContext } from '../method.js';
import type { AttestationConfig, Attester } from './options.js';
import { publicKeyProblem, publicMembers } from './public_key.js';

/** `typ` of each JWT (§4, §5.1), compared as RFC 7515 §4.1.9 says (case-insensitive, `application/` optional). */
const ATTESTATION_TYP = 'oauth-client-attestation+jwt';
const POP_TYP = 'oauth-client-attestation-pop+jwt';

/**
 * The replay-store "client" under which challenges are recorded: a control character cannot be in
 * a client_id (credentials/credential.ts), so it names no client.
 */
const CHALLENGE_NAMESPACE = '\u0000attestation-challenge';
/** Prefix of a PoP `jti` in its client's replay entries, apart from its assertions' `jti`. */
const POP_JTI_PREFIX = 'attestation-pop:';

/** The codes of one JWT's checks, so that the same header rules serve both. */
interface JwtCodes {
  header: 'ERR_ATTESTATION_HEADER_INVALID' | 'ERR_ATTESTATION_POP_HEADER_INVALID';
  typ: 'ERR_ATTESTATION_TYP_INVALID' | 'ERR_ATTESTATION_POP_TYP_INVALID';
  alg: 'ERR_ATTESTATION_ALG_NOT_ALLOWED' | 'ERR_ATTESTATION_POP_ALG_NOT_ALLOWED';
}
const ATTESTATION_CODES: JwtCodes = {
  header: 'ERR_ATTESTATION_HEADER_INVALID',
  typ: 'ERR_ATTESTATION_TYP_INVALID',
  alg: 'ERR_ATTESTATION_ALG_NOT_ALLOWED',
};
const POP_CODES: JwtCodes = {
  header: 'ERR_ATTESTATION_POP_HEADER_INVALID',
  typ: 'ERR_ATTESTATION_POP_TYP_INVALID',
  alg: 'ERR_ATTESTATION_POP_ALG_NOT_ALLOWED',
};

/**
 * The header rules both JWTs share: no `crit` extension (RFC 7515 §4.1.11, none is understood),
 * the exact explicit type (§4, §5.1 "MUST be"; RFC 8725 §3.11), and an allowed asymmetric `alg`
 * (§7.1 item 3, §7.2 item 3: registered, not `none`, acceptable per local policy).
 */
function checkHeader(
  header: Readonly<Record<string, unknown>>,
  typ: string,
  allowed: readonly string[],
  codes: JwtCodes,
): { alg: string; kid: string | undefined } {
  if (header.crit !== undefined) refuse(codes.header);
  if (typeof header.typ !== 'string') refuse(header.typ === undefined ? codes.typ : codes.header);
  if (header.typ.toLowerCase().replace(/^application\//, '') !== typ) refuse(codes.typ);
  if (typeof header.alg !== 'string') refuse(codes.header);
  if (!allowed.includes(header.alg)) refuse(codes.alg);
  if (header.kid !== undefined && typeof header.kid !== 'string') refuse(codes.header);
  return { alg: header.alg, kid: header.kid as string | undefined };
}

function numericDate(claims: Record<string, unknown>, name: string, invalid: ErrorCodeOf<'InvalidClient'>) {
  const value = claims[name];
  if (value === undefined) return undefined;
  // RFC 7519 §2: NumericDate is a JSON number.
  if (typeof value !== 'number' || !Number.isFinite(value)) refuse(invalid);
  return value;
}

/**
 * The attester keys that may have signed the attestation: those of the attester its `iss` names
 * (refused when none is configured by that name), else of every attester; fitting `kid` and `alg`.
 */
function attesterCandidates(
  config: AttestationConfig,
  iss: unknown,
  alg: string,
  kid: string | undefined,
): { attester: Attester; jwk: ClientJWK }[] {
  let pool: readonly { attester: Attester; jwk: ClientJWK }[];
  if (iss === undefined) pool = config.allKeys;
  else {
    if (typeof iss !== 'string') refuse('ERR_ATTESTATION_CLAIMS_INVALID');
    const attester = config.attesters.get(iss);
    if (attester === undefined) refuse('ERR_ATTESTATION_ISSUER_UNTRUSTED');
    pool = attester.keys.map((jwk) => ({ attester, jwk }));
  }
  const fitting = pool.filter(({ jwk }) => keyFitsAlgorithm(jwk, alg) && (kid === undefined || jwk.kid === kid));
  if (fitting.length === 0) refuse('ERR_ATTESTATION_KEY_NOT_FOUND');
  return fitting.slice(0, MAX_KEY_CANDIDATES);
}

/** §7.1 item 4: the signature verifies with the key of a known and trusted Client Attester. */
async function verifyAttestationSignature(
  credential: AttestationCredential,
  context: VerifyContext,
  config: AttestationConfig,
): Promise<{ payload: Uint8Array; attester: Attester }> {
  const header = credential.attestationHeader;
  const { alg, kid } = checkHeader(header, ATTESTATION_TYP, config.signingAlgorithms, ATTESTATION_CODES);
  // Keys come from configuration only: a token that brings its own (jwk, jku, x5u, x5c) is refused
  // rather than silently verified otherwise (RFC 8725 §3.10; -10 §9.8 leaves x5c to profiles).
  if (header.jwk !== undefined || header.jku !== undefined || header.x5u !== undefined || header.x5c !== undefined) {
    refuse('ERR_ATTESTATION_KEY_IN_HEADER');
  }
  const candidates = attesterCandidates(config, credential.attestationClaims.iss, alg, kid);
  let lastError: unknown;
  for (const { attester, jwk } of candidates) {
    try {
      const key = await context.keys.importKey(jwk, alg);
      const { payload } = await compactVerify(credential.attestation, key, { algorithms: [alg] });
      return { payload, attester };
    } catch (error) {
      lastError = error;
    }
  }
  refuse('ERR_ATTESTATION_SIGNATURE_INVALID', lastError);
}

/** §4 and §7.1: the verified attestation's claims, and its Client Instance Key (`cnf.jwk`). */
function checkAttestationClaims(
  payload: Uint8Array,
  context: VerifyContext,
  config: AttestationConfig,
): Record<string, unknown> {
  const claims = verifiedClaims(payload, 'ERR_ATTESTATION_CLAIMS_INVALID');
  const { nowSeconds } = context;
  const tolerance = context.config.clockTolerance;
  // §4: sub "MUST specify client_id value of the OAuth Client" (the client was found by it).
  if (claims.sub !== context.clientId) refuse('ERR_ATTESTATION_CLAIMS_INVALID');
  const exp = numericDate(claims, 'exp', 'ERR_ATTESTATION_CLAIMS_INVALID');
  const iat = numericDate(claims, 'iat', 'ERR_ATTESTATION_CLAIMS_INVALID');
  const nbf = numericDate(claims, 'nbf', 'ERR_ATTESTATION_CLAIMS_INVALID');
  // §4: exp is REQUIRED, and a passed one "MUST" be rejected, subject to allowable clock skew;
  // §7.4: a stale attestation is use_fresh_attestation.
  if (exp === undefined) refuse('ERR_ATTESTATION_CLAIMS_INVALID');
  if (nowSeconds - tolerance >= exp) throw new AttestationRefused('ERR_ATTESTATION_EXPIRED');
  // RFC 7519 §4.1.5 and §4.1.6: not before nbf, nor issued in the future.
  if ((nbf !== undefined && nbf > nowSeconds + tolerance) || (iat !== undefined && iat > nowSeconds + tolerance)) {
    refuse('ERR_ATTESTATION_NOT_YET_VALID');
  }
  // §7.1 item 6: "fresh enough per local policy ... by checking the iat or exp claims".
  const maxAge = config.maxAttestationAge;
  if (maxAge !== undefined && (iat === undefined || iat < nowSeconds - maxAge - tolerance)) {
    throw new AttestationRefused('ERR_ATTESTATION_TOO_OLD');
  }
  // §4: cnf is REQUIRED, a key "expressed using the jwk representation" (RFC 7800 §3.2).
  const cnf = claims.cnf;
  if (!isPlainObject(cnf) || !isPlainObject(cnf.jwk) || typeof cnf.jwk.kty !== 'string') {
    refuse('ERR_ATTESTATION_CNF_INVALID');
  }
  // §7.1 item 5: "The key contained in the cnf claim ... is not a private key".
  const problem = publicKeyProblem(cnf.jwk, context.config.minimumKeySizes);
  if (problem === 'private') refuse('ERR_ATTESTATION_CNF_PRIVATE_KEY');
  if (problem === 'too-weak') refuse('ERR_ATTESTATION_CNF_KEY_TOO_WEAK');
  if (problem !== undefined) refuse('ERR_ATTESTATION_CNF_INVALID');
  return claims;
}

/** §7.2 items 2–4: the PoP header, and its signature by the Client Instance Key. */
async function verifyPopSignature(
  credential: AttestationCredential,
  instanceKey: ClientJWK,
  config: AttestationConfig,
): Promise<Uint8Array> {
  const { alg } = checkHeader(credential.popHeader, POP_TYP, config.popSigningAlgorithms, POP_CODES);
  // §5.1 rule 3: "The public key used to verify the JWT MUST be the key located in the cnf claim".
  if (!keyFitsAlgorithm(instanceKey, alg)) refuse('ERR_ATTESTATION_POP_ALG_NOT_ALLOWED');
  let key: VerificationKey;
  try {
    key = (await importJWK(publicMembers(instanceKey), alg)) as VerificationKey;
  } catch (cause) {
    refuse('ERR_ATTESTATION_CNF_INVALID', cause);
  }
  try {
    return (await compactVerify(credential.pop, key, { algorithms: [alg] })).payload;
  } catch (cause) {
    refuse('ERR_ATTESTATION_POP_SIGNATURE_INVALID', cause);
  }
}

/** A `use_attestation_challenge` refusal, with the fresh challenge it "MUST" carry (§7.4). */
function useChallenge(
  code: ErrorCodeOf<'AttestationRefused'> & `ERR_ATTESTATION_CHALLENGE_${string}`,
  config: AttestationConfig,
): never {
  throw new AttestationRefused(code, { attestationChallenge: config.challenges?.issue() });
}

interface PopRecord {
  jti: string;
  /** Until when the PoP could still be accepted (ms): how long its jti is remembered. */
  jtiExpiresAt: number;
  challenge?: { id: string; expiresAt: number };
}

/** §5.1 and §7.2 items 5–8: audience, identifier, the iat window and the server's challenge. */
function checkPopClaims(payload: Uint8Array, context: VerifyContext, config: AttestationConfig): PopRecord {
  const claims = verifiedClaims(payload, 'ERR_ATTESTATION_POP_CLAIMS_INVALID');
  const { nowSeconds } = context;
  const tolerance = context.config.clockTolerance;
  // §5.1 / §7.2 item 7: aud MUST be the issuer identifier of the Authorization Server (RFC 8414),
  // "intended for a single audience": the issuer as a string or as a one-element array.
  const aud = claims.aud;
  const audiences = typeof aud === 'string' ? [aud] : aud;
  if (!Array.isArray(audiences) || audiences.some((value) => typeof value !== 'string')) {
    refuse(aud === undefined ? 'ERR_ATTESTATION_POP_AUD_MISMATCH' : 'ERR_ATTESTATION_POP_CLAIMS_INVALID');
  }
  if (audiences.length !== 1 || audiences[0] !== context.config.issuer) refuse('ERR_ATTESTATION_POP_AUD_MISMATCH');
  // §5.1: jti REQUIRED, "a unique identifier for the Client Attestation PoP".
  if (claims.jti === undefined || claims.jti === '') refuse('ERR_ATTESTATION_POP_JTI_MISSING');
  if (typeof claims.jti !== 'string' || claims.jti.length > MAX_JTI_LENGTH)
    refuse('ERR_ATTESTATION_POP_CLAIMS_INVALID');
  // §5.1: iat REQUIRED; §9.7: "MUST first evaluate the iat ... and reject any Client Attestation
  // PoP whose iat falls outside this time window".
  const iat = numericDate(claims, 'iat', 'ERR_ATTESTATION_POP_CLAIMS_INVALID');
  const exp = numericDate(claims, 'exp', 'ERR_ATTESTATION_POP_CLAIMS_INVALID');
  const nbf = numericDate(claims, 'nbf', 'ERR_ATTESTATION_POP_CLAIMS_INVALID');
  if (iat === undefined) refuse('ERR_ATTESTATION_POP_CLAIMS_INVALID');
  if (iat > nowSeconds + tolerance || (nbf !== undefined && nbf > nowSeconds + tolerance)) {
    refuse('ERR_ATTESTATION_POP_NOT_YET_VALID');
  }
  if (iat < nowSeconds - config.maxPopAge - tolerance || (exp !== undefined && nowSeconds - tolerance >= exp)) {
    refuse('ERR_ATTESTATION_POP_STALE');
  }
  const record: PopRecord = { jti: claims.jti, jtiExpiresAt: (iat + config.maxPopAge + tolerance) * 1000 };
  // §6.1: once this server offers challenges the client MUST use one; §7.2 items 5 and 8: the
  // challenge claim "is present ... and matches the server-provided challenge value".
  const challenges = config.challenges;
  if (challenges !== undefined) {
    const challenge = claims.challenge;
    if (challenge === undefined) useChallenge('ERR_ATTESTATION_CHALLENGE_MISSING', config);
    if (typeof challenge !== 'string') useChallenge('ERR_ATTESTATION_CHALLENGE_INVALID', config);
    const checked = challenges.check(challenge);
    if (!checked.ok) {
      useChallenge(
        checked.reason === 'expired' ? 'ERR_ATTESTATION_CHALLENGE_EXPIRED' : 'ERR_ATTESTATION_CHALLENGE_INVALID',
        config,
      );
    }
    record.challenge = { id: checked.id, expiresAt: checked.expiresAt };
  }
  return record;
}

/** Record one single-use value; fail closed when the store cannot answer. */
async function consume(context: VerifyContext, namespace: string, value: string, expiresAt: number): Promise<boolean> {
  try {
    return (await context.config.replayStore.consume(namespace, value, expiresAt)) === true;
  } catch (cause) {
    if (isOAuthError(cause)) throw cause;
    throw new TemporarilyUnavailable('ERR_REPLAY_STORE_UNAVAILABLE', { cause });
  }
}

/**
 * Verify an `attest_jwt_client_auth` credential of the client found by the attestation's `sub`.
 * The detail holds the Client Instance Key and the attester, for binding tokens to the instance
 * (§9.3, §9.4), and the next challenge when challenges are configured (§6.2).
 */
export async function verifyAttestation(
  credential: AttestationCredential,
  context: VerifyContext,
): Promise<VerifiedDetail | undefined> {
  const config = context.config.attestation;
  // The method is enabled only with the attestation option (config.ts): this is a guard.
  if (config === undefined) refuse('ERR_METHOD_NOT_ALLOWED');
  const { payload, attester } = await verifyAttestationSignature(credential, context, config);
  const claims = checkAttestationClaims(payload, context, config);
  const instanceKey = publicMembers((claims.cnf as { jwk: Record<string, unknown> }).jwk) as unknown as ClientJWK;
  const popPayload = await verifyPopSignature(credential, instanceKey, config);
  const record = checkPopClaims(popPayload, context, config);
  // §12.1: the witnessed jti of the PoP, for its iat window; recorded only now that all else held.
  if (!(await consume(context, context.clientId, `${POP_JTI_PREFIX}${record.jti}`, record.jtiExpiresAt))) {
    refuse('ERR_ATTESTATION_POP_REPLAYED');
  }
  // §12.1: "manage a list of witnessed challenge values": single use, until the challenge expires.
  if (
    record.challenge !== undefined &&
    !(await consume(context, CHALLENGE_NAMESPACE, record.challenge.id, record.challenge.expiresAt))
  ) {
    useChallenge('ERR_ATTESTATION_CHALLENGE_REUSED', config);
  }
  const detail: VerifiedDetail = {
    attestation: {
      jwk: Object.freeze(publicMembers(instanceKey)),
      ...(typeof claims.iss === 'string' ? { attester: attester.issuer } : {}),
    },
  };
  if (config.challenges !== undefined) detail.attestationChallenge = config.challenges.issue();
  return detail;
}
