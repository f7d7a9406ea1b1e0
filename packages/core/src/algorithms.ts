/**
 * JWS algorithms for client assertions (RFC 7518 §3, RFC 8037 §3.1, RFC 9864), split by method:
 * HMAC only for `client_secret_jwt`, asymmetric only for `private_key_jwt` (DESIGN.md §3). `none`
 * is never among them (RFC 7523 §3 item 9: the JWT MUST be signed or MACed).
 */
import type { AuthMethod, ClientJWK } from './types.js';

/**
 * HMAC algorithms: `client_secret_jwt` (OpenID Connect Core §9). A client's `client_secret` keys
 * them, so it must be at least 32, 48 or 64 octets long for HS256, HS384 or HS512.
 *
 * @example
 * ```ts
 * createClientAuthenticator({ issuer, getClient, signingAlgorithms: [...HMAC_ALGORITHMS, 'ES256'] })
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc7518#section-3.2
 */
export const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const;

/**
 * Asymmetric algorithms: `private_key_jwt`. `EdDSA` and `Ed25519` (RFC 9864) both mean Ed25519 here.
 * The keys that verify them come from the client's registered `jwks` or `jwks_uri` only.
 *
 * @example
 * ```ts
 * // no shared-secret assertions: private_key_jwt algorithms only
 * createClientAuthenticator({ issuer, getClient, signingAlgorithms: ASYMMETRIC_ALGORITHMS })
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-3
 */
export const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;

export type HmacAlgorithm = (typeof HMAC_ALGORITHMS)[number];
export type AsymmetricAlgorithm = (typeof ASYMMETRIC_ALGORITHMS)[number];
/**
 * Every JWS algorithm a client assertion may use, when enabled: the values of `signingAlgorithms`,
 * `endpointSigningAlgorithms` and a client's `token_endpoint_auth_signing_alg`.
 *
 * @example
 * ```ts
 * const fapi: SigningAlgorithm[] = ['PS256', 'ES256']
 * createClientAuthenticator({ issuer, getClient, signingAlgorithms: fapi })
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc7518#section-3.1
 */
export type SigningAlgorithm = HmacAlgorithm | AsymmetricAlgorithm;

/**
 * Every supported algorithm, in the order metadata lists them (`none` is never among them: the
 * assertion MUST be signed or MACed). The default of `signingAlgorithms`.
 *
 * @example
 * ```ts
 * const signingAlgorithms = SIGNING_ALGORITHMS.filter((alg) => !alg.startsWith('RS'))
 * createClientAuthenticator({ issuer, getClient, signingAlgorithms })
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-3
 */
export const SIGNING_ALGORITHMS: readonly SigningAlgorithm[] = [...HMAC_ALGORITHMS, ...ASYMMETRIC_ALGORITHMS];

/**
 * OpenID Connect Core §16.19: the secret used as a MAC key must hold at least as many octets as the
 * hash output (RFC 7518 §3.2: "A key of the same size as the hash output … or larger MUST be used").
 */
export const MIN_HMAC_SECRET_OCTETS: Readonly<Record<HmacAlgorithm, number>> = { HS256: 32, HS384: 48, HS512: 64 };

/** Smallest RSA modulus accepted, in bits (RFC 7518 §3.3, FAPI 1 Part 2 §5.2.2-5, FAPI 2 §5.4.1). */
export const MIN_RSA_BITS = 2048;

export function isHmacAlgorithm(alg: string): alg is HmacAlgorithm {
  return (HMAC_ALGORITHMS as readonly string[]).includes(alg);
}

export function isAsymmetricAlgorithm(alg: string): alg is AsymmetricAlgorithm {
  return (ASYMMETRIC_ALGORITHMS as readonly string[]).includes(alg);
}

/** The algorithms a method may use at all, before the allow-list narrows them. */
export function methodAlgorithms(method: AuthMethod): readonly SigningAlgorithm[] {
  if (method === 'client_secret_jwt') return HMAC_ALGORITHMS;
  if (method === 'private_key_jwt') return ASYMMETRIC_ALGORITHMS;
  return [];
}

const CURVE_OF: Partial<Record<string, string>> = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' };

/** True when `alg` is the registered algorithm; `EdDSA` and `Ed25519` name the same one (RFC 9864 §2). */
export function sameAlgorithm(registered: string, alg: string): boolean {
  if (registered === alg) return true;
  // "Ed25519" is the fully-specified name of what "EdDSA" with crv Ed25519 means.
  return (registered === 'EdDSA' || registered === 'Ed25519') && (alg === 'EdDSA' || alg === 'Ed25519');
}

/**
 * True when a registered JWK can verify `alg`: its `kty` (and `crv`) fit the algorithm, its `alg`
 * (when present) is the same, it is not an encryption key (`use: enc`, RFC 7517 §4.2) and its
 * `key_ops` (when present) allow `verify` (RFC 7517 §4.3). Also resolves duplicate `kid`s
 * (FAPI 1 Part 2 §8.9, FAPI 2 §5.4.3: consider `kty`, `use`, `alg` and `crv`).
 */
export function keyFitsAlgorithm(jwk: ClientJWK, alg: string): boolean {
  if (jwk.use !== undefined && jwk.use !== 'sig') return false;
  if (jwk.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.includes('verify'))) return false;
  if (jwk.alg !== undefined && !sameAlgorithm(jwk.alg, alg)) return false;
  if (alg.startsWith('RS') || alg.startsWith('PS')) return jwk.kty === 'RSA';
  if (alg.startsWith('ES')) return jwk.kty === 'EC' && jwk.crv === CURVE_OF[alg];
  if (alg === 'EdDSA' || alg === 'Ed25519') return jwk.kty === 'OKP' && jwk.crv === 'Ed25519';
  return false;
}

/** Bits of an RSA JWK's modulus `n`, or 0 when it is not a base64url string. */
export function rsaModulusBits(jwk: ClientJWK): number {
  if (typeof jwk.n !== 'string' || !/^[A-Za-z0-9_-]+$/.test(jwk.n)) return 0;
  const n = Buffer.from(jwk.n, 'base64url');
  let start = 0;
  while (start < n.length && n[start] === 0) start += 1;
  if (start === n.length) return 0;
  return (n.length - start - 1) * 8 + (32 - Math.clz32(n[start] as number));
}
