/**
 * Security profiles, written once as data: FAPI 1.0 Baseline (Part 1), FAPI 1.0 Advanced (Part 2)
 * and the FAPI 2.0 Security Profile. Each profile is a list of declarative rules, each tagged with
 * the section it comes from, so that the rules can be listed in documentation (docs/PROFILES.md is
 * generated from this table), checked in tests, and reported by `authenticator.policy()`. Both the
 * authenticator's options (config.ts) and client metadata validation (client_metadata.ts) read
 * this table through rules.ts; neither restates a rule. Options may tighten a profile freely;
 * loosening a rule needs an explicit `profileOverrides` entry, which is reported at setup (a
 * Node.js process warning), never silent.
 */
import type { SigningAlgorithm } from '../algorithms.js';
import type { AuthMethod } from '../types.js';

/**
 * The profiles this library implements.
 *
 * @example
 * ```ts
 * const profile: ProfileName = 'fapi2'
 * createClientAuthenticator({ issuer, getClient, profile })
 * ```
 * @see https://openid.net/specs/fapi-security-profile-2_0-final.html#section-5.3.2.1
 */
export type ProfileName = 'fapi1-baseline' | 'fapi1-advanced' | 'fapi2';

/**
 * Every {@link ProfileName}, for checking a configuration value.
 *
 * @example
 * ```ts
 * if (!PROFILE_NAMES.includes(process.env.PROFILE as ProfileName)) throw new Error('unknown PROFILE')
 * ```
 * @see https://openid.net/specs/fapi-security-profile-2_0-final.html#section-5.3.2.1
 */
export const PROFILE_NAMES: readonly ProfileName[] = ['fapi1-baseline', 'fapi1-advanced', 'fapi2'];

/**
 * Assertion audience modes, from the most compatible to the strictest (the `audience` option).
 *
 * @example
 * ```ts
 * const audience: AudienceMode = 'issuer' // the issuer as sole value, string or one-element array
 * createClientAuthenticator({ issuer, getClient, audience })
 * ```
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-oauth-rfc7523bis#section-4
 */
export type AudienceMode = 'compatible' | 'issuer' | 'issuer-string';

/**
 * Identifiers of the rules a profile can hold (also the names `profileOverrides` takes).
 *
 * @example
 * ```ts
 * const overrides: RuleId[] = ['jwks-uri-https'] // reported as a process warning at setup
 * createClientAuthenticator({ issuer, getClient, profile: 'fapi2', profileOverrides: overrides })
 * ```
 * @see https://openid.net/specs/fapi-security-profile-2_0-final.html#section-5.3.2.1
 */
export type RuleId =
  | 'methods'
  | 'confidential-clients'
  | 'algorithms'
  | 'audience'
  | 'clock-window'
  | 'rsa-key-size'
  | 'ec-key-size'
  | 'jwks-uri-https'
  | 'hmac-secret-length';

interface RuleBase {
  id: RuleId;
  /** Where the rule comes from. */
  section: string;
  /** What the rule requires, in one sentence. */
  summary: string;
}

/**
 * One rule of a profile: its id, the section it comes from, a one-sentence summary, and the data
 * it holds (a method list, an algorithm list, a key size, …).
 *
 * @example
 * ```ts
 * const rule: ProfileRule | undefined = PROFILES.fapi2.rules.find((r) => r.id === 'algorithms')
 * console.log(rule?.section, rule?.summary)
 * ```
 * @see https://openid.net/specs/fapi-security-profile-2_0-final.html#section-5.3.2.1
 */
export type ProfileRule = RuleBase &
  (
    | { id: 'methods'; methods: readonly AuthMethod[] }
    | { id: 'confidential-clients' }
    | { id: 'algorithms'; algorithms: readonly SigningAlgorithm[] }
    | { id: 'audience'; audience: AudienceMode }
    | { id: 'clock-window'; minTolerance: number; maxTolerance: number }
    | { id: 'rsa-key-size'; minBits: number }
    | { id: 'ec-key-size'; minBits: number }
    | { id: 'jwks-uri-https' }
    | { id: 'hmac-secret-length' }
  );

/**
 * A profile: its name, its title and its rules, as listed in docs/PROFILES.md.
 *
 * @example
 * ```ts
 * const profile: Profile = PROFILES['fapi1-advanced']
 * for (const rule of profile.rules) console.log(rule.id, rule.section)
 * ```
 * @see https://openid.net/specs/openid-financial-api-part-2-1_0.html#authorization-server
 */
export interface Profile {
  name: ProfileName;
  title: string;
  rules: readonly ProfileRule[];
}

const FAPI1_METHODS: readonly AuthMethod[] = [
  'client_secret_jwt',
  'private_key_jwt',
  'tls_client_auth',
  'self_signed_tls_client_auth',
  'none',
];
const FAPI_ADVANCED_METHODS: readonly AuthMethod[] = [
  'private_key_jwt',
  'tls_client_auth',
  'self_signed_tls_client_auth',
];

// FAPI 1.0 Part 1's key sizes, which Part 2 inherits.
const FAPI1_RSA_KEY_SIZE: ProfileRule = {
  id: 'rsa-key-size',
  section: 'FAPI 1.0 Part 1 §5.2.2-5',
  summary: 'RSA keys (JWKs and TLS certificates) are at least 2048 bits',
  minBits: 2048,
};
const FAPI1_EC_KEY_SIZE: ProfileRule = {
  id: 'ec-key-size',
  section: 'FAPI 1.0 Part 1 §5.2.2-6',
  summary: 'elliptic curve keys (JWKs and TLS certificates) are at least 160 bits',
  minBits: 160,
};

/**
 * Every profile, rule by rule: the one table that options checking, client metadata validation,
 * `authenticator.policy()` and docs/PROFILES.md all read.
 *
 * @example
 * ```ts
 * PROFILES.fapi2.rules.map((rule) => `${rule.id}: ${rule.section}`)
 * ```
 * @see https://openid.net/specs/fapi-security-profile-2_0-final.html#section-5.3.2.1
 */
export const PROFILES: Readonly<Record<ProfileName, Profile>> = {
  'fapi1-baseline': {
    name: 'fapi1-baseline',
    title: 'FAPI 1.0 Part 1: Baseline',
    rules: [
      {
        id: 'methods',
        section: 'FAPI 1.0 Part 1 §5.2.2-4',
        summary:
          'confidential clients authenticate with mutual TLS (RFC 8705 §2), client_secret_jwt or private_key_jwt; client_secret_basic and client_secret_post are not allowed',
        methods: FAPI1_METHODS,
      },
      {
        id: 'hmac-secret-length',
        section: 'FAPI 1.0 Part 1 §5.2.2-3, OpenID Connect Core §16.19',
        summary: 'a client secret used as an HMAC key holds at least as many octets as the hash (32 for HS256)',
      },
      FAPI1_RSA_KEY_SIZE,
      FAPI1_EC_KEY_SIZE,
    ],
  },
  'fapi1-advanced': {
    name: 'fapi1-advanced',
    title: 'FAPI 1.0 Part 2: Advanced',
    rules: [
      {
        id: 'methods',
        section: 'FAPI 1.0 Part 2 §5.2.2-14',
        summary: 'only tls_client_auth, self_signed_tls_client_auth or private_key_jwt',
        methods: FAPI_ADVANCED_METHODS,
      },
      {
        id: 'confidential-clients',
        section: 'FAPI 1.0 Part 2 §5.2.2-16',
        summary: 'public clients (none) are not supported',
      },
      {
        id: 'algorithms',
        section: 'FAPI 1.0 Part 2 §8.6',
        summary: 'assertions are signed with PS256 or ES256',
        algorithms: ['PS256', 'ES256'],
      },
      FAPI1_RSA_KEY_SIZE,
      FAPI1_EC_KEY_SIZE,
      {
        id: 'jwks-uri-https',
        section: 'FAPI 1.0 Part 2 §8.9',
        summary: 'a client jwks_uri is fetched over TLS only',
      },
    ],
  },
  fapi2: {
    name: 'fapi2',
    title: 'FAPI 2.0 Security Profile',
    rules: [
      {
        id: 'methods',
        section: 'FAPI 2.0 Security Profile §5.3.2.1-6',
        summary: 'only mutual TLS (RFC 8705 §2) or private_key_jwt',
        methods: FAPI_ADVANCED_METHODS,
      },
      {
        id: 'confidential-clients',
        section: 'FAPI 2.0 Security Profile §5.3.2.1-3',
        summary: 'only confidential clients',
      },
      {
        id: 'algorithms',
        section: 'FAPI 2.0 Security Profile §5.4.1',
        summary: 'assertions are signed with PS256, ES256 or EdDSA using Ed25519',
        algorithms: ['PS256', 'ES256', 'EdDSA', 'Ed25519'],
      },
      {
        id: 'audience',
        section: 'FAPI 2.0 Security Profile §5.3.2.1-8',
        summary: 'the assertion aud is the issuer identifier, as a string',
        audience: 'issuer-string',
      },
      {
        id: 'clock-window',
        section: 'FAPI 2.0 Security Profile §5.3.2.1-13',
        summary:
          'iat and nbf up to 10 seconds in the future are accepted and beyond 60 seconds refused: the clock tolerance lies between 10 and 60 seconds',
        minTolerance: 10,
        maxTolerance: 60,
      },
      {
        id: 'rsa-key-size',
        section: 'FAPI 2.0 Security Profile §5.4.1',
        summary: 'RSA keys (JWKs and TLS certificates) are at least 2048 bits',
        minBits: 2048,
      },
      {
        id: 'ec-key-size',
        section: 'FAPI 2.0 Security Profile §5.4.1',
        summary: 'elliptic curve keys (JWKs and TLS certificates) are at least 224 bits',
        minBits: 224,
      },
      {
        id: 'jwks-uri-https',
        section: 'FAPI 2.0 Security Profile §5.4.2',
        summary: 'a client jwks_uri is fetched over TLS only',
      },
    ],
  },
};
