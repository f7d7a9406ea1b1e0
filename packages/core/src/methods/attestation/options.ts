/**
 * The `attestation` option of the authenticator: attestation-based client authentication
 * (`attest_jwt_client_auth`, draft-ietf-oauth-attestation-based-client-auth-10), documented field
 * by field and normalised once at setup (bad values throw `TypeError`). Attesters are trusted by
 * configuration only (§9.8: trust management is the deployer's): never a key from a token's own
 * header.
 */
import { ASYMMETRIC_ALGORITHMS, type AsymmetricAlgorithm, type SigningAlgorithm } from '../../algorithms.js';
import { checkList, fail, numberAtLeast } from '../../option_checks.js';
import { checkOptionNames, optionNames } from '../../option_names.js';
import type { ClientJWK } from '../../types.js';
import { AttestationChallenges } from './challenges.js';
import { publicKeyProblem, publicMembers } from './public_key.js';

/**
 * A trusted Client Attester: the public JWK Set (RFC 7517 §5) whose keys sign its Client
 * Attestations.
 *
 * @example
 * ```ts
 * const attester: AttesterOptions = { jwks: { keys: [attesterPublicJwk] } }
 * ```
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-oauth-attestation-based-client-auth-10#section-9.8
 */
export interface AttesterOptions {
  /** The attester's public keys. A private member (`d`, `k`, …) is a `TypeError`. */
  jwks: { keys: readonly Readonly<Record<string, unknown>>[] };
}

/**
 * Server-provided challenges (§6): issued by `auth.attestationChallenge()` (serve it at your
 * challenge endpoint, §6.1) and with every `attest_jwt_client_auth` success and
 * `use_attestation_challenge` refusal (§6.2); once set, every Client Attestation PoP must carry
 * one (§6.1: "If the Authorization Server offers a challenge endpoint, the Client MUST retrieve a
 * challenge and MUST use this challenge"). A challenge is single-use (recorded in the `replayStore`,
 * shared through Redis) and expires.
 *
 * @example
 * ```ts
 * const challenges: AttestationChallengeOptions = {
 *   endpoint: 'https://as.example.com/challenge',
 *   secret: process.env.ATTESTATION_CHALLENGE_SECRET, // the same on every instance
 * }
 * ```
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-oauth-attestation-based-client-auth-10#section-6
 */
export interface AttestationChallengeOptions {
  /** The challenge endpoint's URL, published as `challenge_endpoint` (§8). Default: not published. */
  endpoint?: string;
  /**
   * The key that authenticates the challenges this server issues (HMAC-SHA-256), at least 32
   * octets: give every instance behind one issuer the same one, so that a challenge issued by one
   * is accepted by another. Default: random per authenticator (one instance only).
   */
  secret?: string | Uint8Array;
  /** Seconds a challenge stays usable. Default 300. */
  lifetime?: number;
}

/**
 * Options of attestation-based client authentication (the `attestation` option of the
 * authenticator). Setting it enables `attest_jwt_client_auth` (in the default `methods`, and in
 * metadata with its algorithms).
 *
 * @example
 * ```ts
 * createClientAuthenticator({
 *   issuer: 'https://as.example.com',
 *   getClient,
 *   attestation: { attesters: { 'https://attester.example.com': { jwks: { keys: [attesterPublicJwk] } } } },
 * })
 * ```
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-oauth-attestation-based-client-auth-10
 */
export interface AttestationOptions {
  /**
   * The trusted Client Attesters, by the `iss` their attestations carry. An attestation with an
   * `iss` is verified with that attester's keys only, and refused when no attester has that name
   * (`ERR_ATTESTATION_ISSUER_UNTRUSTED`); one without `iss` (-10 §4 does not define it) with the
   * keys of every attester that fit its `kid` and `alg`.
   */
  attesters: Readonly<Record<string, AttesterOptions>>;
  /**
   * JWS algorithms of the Client Attestation (§7.1 item 3), published as
   * `client_attestation_signing_alg_values_supported`. Asymmetric only (§12.2: "SHOULD default to
   * digital signatures"). Default: the asymmetric ones of `signingAlgorithms`.
   */
  signingAlgorithms?: readonly AsymmetricAlgorithm[];
  /**
   * JWS algorithms of the Client Attestation PoP (§5.1 rule 2: asymmetric), published as
   * `client_attestation_pop_signing_alg_values_supported`. Default: the asymmetric ones of
   * `signingAlgorithms`.
   */
  popSigningAlgorithms?: readonly AsymmetricAlgorithm[];
  /**
   * Seconds a PoP is accepted after its `iat` (§7.2 item 6, §9.7: the `iat` window, within which
   * its `jti` is remembered). Default 60.
   */
  maxPopAge?: number;
  /**
   * Seconds a Client Attestation is accepted after its `iat` (§7.1 item 6: "fresh enough per local
   * policy"); an older one, or one without `iat`, is `use_fresh_attestation`. Default: no limit
   * beyond its `exp`.
   */
  maxAttestationAge?: number;
  /** Server-provided challenges (§6). Default: none (the PoP's `jti` alone protects from replay, §12.1). */
  challenges?: AttestationChallengeOptions;
}

const ATTESTATION_OPTION_NAMES = optionNames<AttestationOptions>({
  attesters: true,
  signingAlgorithms: true,
  popSigningAlgorithms: true,
  maxPopAge: true,
  maxAttestationAge: true,
  challenges: true,
});
const ATTESTER_OPTION_NAMES = optionNames<AttesterOptions>({ jwks: true });
const CHALLENGE_OPTION_NAMES = optionNames<AttestationChallengeOptions>({
  endpoint: true,
  secret: true,
  lifetime: true,
});

/** Most attesters, and keys of one attester: bounded, as a client's JWK Set is. */
const MAX_ATTESTERS = 100;
const MAX_ATTESTER_KEYS = 100;

/** One trusted attester, normalised: its public keys, frozen (the key cache holds them weakly). */
export interface Attester {
  readonly issuer: string;
  readonly keys: readonly ClientJWK[];
}

/** The normalised `attestation` option. */
export interface AttestationConfig {
  readonly attesters: ReadonlyMap<string, Attester>;
  /** Every attester's keys, for an attestation without `iss`. */
  readonly allKeys: readonly { attester: Attester; jwk: ClientJWK }[];
  readonly signingAlgorithms: readonly AsymmetricAlgorithm[];
  readonly popSigningAlgorithms: readonly AsymmetricAlgorithm[];
  readonly maxPopAge: number;
  readonly maxAttestationAge: number | undefined;
  readonly challenges: AttestationChallenges | undefined;
  readonly challengeEndpoint: string | undefined;
}

function algorithms(
  value: unknown,
  name: string,
  enabled: ReadonlySet<SigningAlgorithm>,
): readonly AsymmetricAlgorithm[] {
  const allowed = ASYMMETRIC_ALGORITHMS.filter((alg) => enabled.has(alg));
  if (value === undefined) {
    if (allowed.length === 0) fail(`${name}: signingAlgorithms enables no asymmetric algorithm`);
    return Object.freeze(allowed);
  }
  return Object.freeze(checkList(value, name, allowed, 'unsupported or disabled algorithm'));
}

function attesterKeys(issuer: string, value: unknown, minimum: { rsa: number; ec: number }): ClientJWK[] {
  const label = `attestation.attesters[${JSON.stringify(issuer)}]`;
  if (value === null || typeof value !== 'object') fail(`${label} must be an object`);
  checkOptionNames(value as object, ATTESTER_OPTION_NAMES, label);
  const keys = (value as AttesterOptions).jwks?.keys;
  if (!Array.isArray(keys) || keys.length === 0 || keys.length > MAX_ATTESTER_KEYS) {
    fail(`${label}.jwks must be a JWK Set with 1 to ${MAX_ATTESTER_KEYS} keys`);
  }
  return keys.map((jwk: unknown, index) => {
    if (jwk === null || typeof jwk !== 'object' || Array.isArray(jwk))
      fail(`${label}.jwks.keys[${index}] must be a JWK`);
    const problem = publicKeyProblem(jwk as Record<string, unknown>, minimum);
    if (problem === 'private') fail(`${label}.jwks.keys[${index}] must be a public key (it has private members)`);
    if (problem !== undefined) fail(`${label}.jwks.keys[${index}] is not a usable signing key (${problem})`);
    return Object.freeze(publicMembers(jwk as Record<string, unknown>)) as unknown as ClientJWK;
  });
}

/** Validate and normalise `attestation`; `undefined` when it is not set (the method is off). */
export function normalizeAttestationOptions(
  options: AttestationOptions | undefined,
  context: {
    issuer: string;
    signingAlgorithms: ReadonlySet<SigningAlgorithm>;
    minimumKeySizes: { rsa: number; ec: number };
    now: () => number;
  },
): AttestationConfig | undefined {
  if (options === undefined) return undefined;
  if (options === null || typeof options !== 'object') fail('attestation must be an object');
  checkOptionNames(options, ATTESTATION_OPTION_NAMES, 'attestation');
  const given = options.attesters;
  if (given === null || typeof given !== 'object' || Array.isArray(given)) {
    fail('attestation.attesters must be an object mapping attester iss to { jwks }');
  }
  const entries = Object.entries(given);
  if (entries.length === 0 || entries.length > MAX_ATTESTERS) {
    fail(`attestation.attesters must name 1 to ${MAX_ATTESTERS} attesters`);
  }
  const attesters = new Map<string, Attester>();
  const allKeys: { attester: Attester; jwk: ClientJWK }[] = [];
  for (const [issuer, value] of entries) {
    if (issuer === '') fail('attestation.attesters: an attester iss must not be empty');
    const attester: Attester = Object.freeze({
      issuer,
      keys: Object.freeze(attesterKeys(issuer, value, context.minimumKeySizes)),
    });
    attesters.set(issuer, attester);
    for (const jwk of attester.keys) allKeys.push({ attester, jwk });
  }
  const challenges = normalizeChallenges(options.challenges, context);
  return Object.freeze({
    attesters,
    allKeys: Object.freeze(allKeys),
    signingAlgorithms: algorithms(
      options.signingAlgorithms,
      'attestation.signingAlgorithms',
      context.signingAlgorithms,
    ),
    popSigningAlgorithms: algorithms(
      options.popSigningAlgorithms,
      'attestation.popSigningAlgorithms',
      context.signingAlgorithms,
    ),
    maxPopAge: numberAtLeast(options.maxPopAge, 'attestation.maxPopAge', 60, 1),
    maxAttestationAge:
      options.maxAttestationAge === undefined
        ? undefined
        : numberAtLeast(options.maxAttestationAge, 'attestation.maxAttestationAge', 0, 1),
    challenges: challenges?.challenges,
    challengeEndpoint: challenges?.endpoint,
  });
}

function normalizeChallenges(
  options: AttestationChallengeOptions | undefined,
  context: { issuer: string; now: () => number },
): { challenges: AttestationChallenges; endpoint: string | undefined } | undefined {
  if (options === undefined) return undefined;
  if (options === null || typeof options !== 'object') fail('attestation.challenges must be an object');
  checkOptionNames(options, CHALLENGE_OPTION_NAMES, 'attestation.challenges');
  const { endpoint, secret } = options;
  if (endpoint !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(endpoint);
    } catch {
      url = undefined;
    }
    if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
      fail('attestation.challenges.endpoint must be an absolute http(s) URL');
    }
  }
  const key =
    secret === undefined
      ? undefined
      : typeof secret === 'string'
        ? new TextEncoder().encode(secret)
        : secret instanceof Uint8Array
          ? secret
          : fail('attestation.challenges.secret must be a string or a Uint8Array');
  if (key !== undefined && key.length < 32) fail('attestation.challenges.secret must be at least 32 octets');
  const lifetime = numberAtLeast(options.lifetime, 'attestation.challenges.lifetime', 300, 1);
  return { challenges: new AttestationChallenges(context.issuer, key, lifetime, context.now), endpoint };
}
