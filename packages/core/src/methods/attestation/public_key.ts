/**
 * What a public key of attestation-based client authentication must be: an attester's key (set
 * up by the deployer) and the Client Instance Key of `cnf.jwk`
 * (draft-ietf-oauth-attestation-based-client-auth-10 §7.1 item 5: "not a private key"), each held
 * to the key-size floors of the configuration (RFC 7518 §3.3; FAPI 1 Part 1 §5.2.2-6, FAPI 2 §5.4.1).
 */
import { rsaModulusBits } from '../../algorithms.js';
import { rsaJwkExponent, rsaKeyVerdict } from '../../rsa_keys.js';
import type { ClientJWK } from '../../types.js';

/** RFC 7518 §6.2.2, §6.3.2, RFC 8037 §2: the members only a private (or symmetric) key has. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

/** Bits of the EC curves a JWS may use (RFC 7518 §3.4). */
const EC_CURVE_BITS: Readonly<Record<string, number>> = { 'P-256': 256, 'P-384': 384, 'P-521': 521 };

/** Why a JWK is not a usable public signing key, or `undefined` when it is one. */
export type PublicKeyProblem = 'private' | 'too-weak' | 'unsuitable';

/** Check one JWK: public only, of a signing key type, and above the size floors. */
export function publicKeyProblem(
  jwk: Readonly<Record<string, unknown>>,
  minimum: { rsa: number; ec: number },
): PublicKeyProblem | undefined {
  if (jwk.kty === 'oct' || PRIVATE_MEMBERS.some((member) => jwk[member] !== undefined)) return 'private';
  if (jwk.kty === 'RSA') {
    const key = jwk as unknown as ClientJWK;
    const verdict = rsaKeyVerdict(rsaModulusBits(key), rsaJwkExponent(key), minimum.rsa);
    return verdict === 'ok' ? undefined : verdict;
  }
  if (jwk.kty === 'EC') {
    const bits = typeof jwk.crv === 'string' ? EC_CURVE_BITS[jwk.crv] : undefined;
    if (bits === undefined || typeof jwk.x !== 'string' || typeof jwk.y !== 'string') return 'unsuitable';
    return bits < minimum.ec ? 'too-weak' : undefined;
  }
  if (jwk.kty === 'OKP') return jwk.crv === 'Ed25519' && typeof jwk.x === 'string' ? undefined : 'unsuitable';
  return 'unsuitable';
}

/** The public members of a checked JWK (and its `kid`/`alg`/`use`, which key selection reads). */
export function publicMembers(jwk: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const names =
    jwk.kty === 'RSA' ? ['kty', 'n', 'e'] : jwk.kty === 'EC' ? ['kty', 'crv', 'x', 'y'] : ['kty', 'crv', 'x'];
  const result: Record<string, unknown> = {};
  for (const name of [...names, 'kid', 'alg', 'use', 'key_ops']) {
    if (jwk[name] !== undefined) result[name] = jwk[name];
  }
  return result;
}
