/**
 * Reading the profile table (profiles.ts): which of a profile's rules still apply once
 * `profileOverrides` turned some off, and which of them refuse a method, an algorithm, an
 * audience mode or a key size. The authenticator's options (config.ts: the TypeError for an option
 * that loosens a rule, the defaults a profile narrows) and client metadata validation
 * (client_metadata.ts: the RFC 7591 §3.2.2 problems) both ask these questions here, so that a rule
 * is interpreted in one place.
 */
import type { SigningAlgorithm } from '../algorithms.js';
import type { AuthMethod } from '../types.js';
import type { AudienceMode, Profile, ProfileName, ProfileRule, RuleId } from './profiles.js';

/** A profile's rule of one kind. */
export type RuleOf<Id extends RuleId> = Extract<ProfileRule, { id: Id }>;

const AUDIENCE_STRICTNESS: Record<AudienceMode, number> = { compatible: 0, issuer: 1, 'issuer-string': 2 };

/** True when `mode` is at least as strict as `required`. */
export function audienceAtLeast(mode: AudienceMode, required: AudienceMode): boolean {
  return AUDIENCE_STRICTNESS[mode] >= AUDIENCE_STRICTNESS[required];
}

/** The rule of a profile with this id, if the profile has one. */
export function profileRule<Id extends RuleId>(profile: Profile, id: Id): RuleOf<Id> | undefined {
  return profile.rules.find((rule) => rule.id === id) as RuleOf<Id> | undefined;
}

const NO_OVERRIDES: ReadonlySet<RuleId> = new Set();

/** The rules of a profile that apply, less the overridden ones; no profile enforces nothing. */
export interface EnforcedRules {
  readonly profile: Profile | undefined;
  /** The applying rule with this id, if any. */
  rule<Id extends RuleId>(id: Id): RuleOf<Id> | undefined;
  /**
   * The rules that refuse `method`, in table order: the method list (FAPI 1 Part 1 §5.2.2-4,
   * Part 2 §5.2.2-14, FAPI 2 §5.3.2.1-6) and no public clients (Part 2 §5.2.2-16, FAPI 2
   * §5.3.2.1-3). Empty when the method is allowed.
   */
  refusingMethod(method: AuthMethod): RuleOf<'methods' | 'confidential-clients'>[];
  /** The rule that refuses `alg` for client assertions (FAPI 1 Part 2 §8.6, FAPI 2 §5.4.1), if any. */
  refusingAlgorithm(alg: string): RuleOf<'algorithms'> | undefined;
  /** The smallest EC key in bits the profile asks for (FAPI 1 Part 1 §5.2.2-6, FAPI 2 §5.4.1), if any. */
  readonly minEcBits: number | undefined;
}

/**
 * The rules of `profile` that apply once `overrides` are taken out. Built once per authenticator
 * (and per metadata validation), never per request.
 */
export function enforcedRules(
  profile: Profile | undefined,
  overrides: ReadonlySet<RuleId> = NO_OVERRIDES,
): EnforcedRules {
  const rule = <Id extends RuleId>(id: Id): RuleOf<Id> | undefined =>
    profile === undefined || overrides.has(id) ? undefined : profileRule(profile, id);
  const methods = rule('methods');
  const confidential = rule('confidential-clients');
  const algorithms = rule('algorithms');
  return {
    profile,
    rule,
    refusingMethod(method) {
      const refusing: RuleOf<'methods' | 'confidential-clients'>[] = [];
      if (methods !== undefined && !methods.methods.includes(method)) refusing.push(methods);
      if (confidential !== undefined && method === 'none') refusing.push(confidential);
      return refusing;
    },
    refusingAlgorithm(alg) {
      return algorithms !== undefined && !algorithms.algorithms.includes(alg as SigningAlgorithm)
        ? algorithms
        : undefined;
    },
    minEcBits: rule('ec-key-size')?.minBits,
  };
}

/**
 * True when a server under `profile` may enable `method`: the profile's method list (FAPI 1 Part 1
 * §5.2.2-4, Part 2 §5.2.2-14, FAPI 2 §5.3.2.1-6) and its no-public-clients rule, less `overrides`.
 *
 * @example
 * ```ts
 * profileAllowsMethod(PROFILES.fapi2, 'client_secret_basic') // false
 * profileAllowsMethod(PROFILES['fapi1-baseline'], 'none') // true
 * ```
 * @see https://openid.net/specs/fapi-security-profile-2_0-final.html#section-5.3.2.1
 */
export function profileAllowsMethod(
  profile: Profile | undefined,
  method: AuthMethod,
  overrides: ReadonlySet<RuleId> = NO_OVERRIDES,
): boolean {
  return enforcedRules(profile, overrides).refusingMethod(method).length === 0;
}

/**
 * The effective policy an authenticator enforces, as `authenticator.policy()` reports it.
 *
 * @example
 * ```ts
 * const policy: EffectivePolicy = auth.policy()
 * policy.rules.filter((rule) => rule.overridden) // the profile rules turned off by profileOverrides
 * ```
 * @see https://openid.net/specs/fapi-security-profile-2_0-final.html#section-5.3.2.1
 */
export interface EffectivePolicy {
  profile: ProfileName | undefined;
  /** The profile's rules, each with whether an override turned it off. */
  rules: Array<ProfileRule & { overridden: boolean }>;
  /** Methods enabled per endpoint. */
  methods: Record<string, AuthMethod[]>;
  /** Algorithms client assertions may use per endpoint. */
  signingAlgorithms: Record<string, SigningAlgorithm[]>;
  audience: AudienceMode;
  clockTolerance: number;
  minRsaBits: number;
  minEcBits: number;
}
