/**
 * Server-provided challenges of attestation-based client authentication
 * (draft-ietf-oauth-attestation-based-client-auth-10 §6, §12.1): opaque to the client, they carry
 * their own expiry and an HMAC-SHA-256 of this authenticator's key, so that any instance holding
 * the key recognises them without shared state; single use is recorded in the replay store (the
 * "list of witnessed challenge values" of §12.1), shared through Redis when that store is.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Octets of randomness in a challenge (its identity in the replay store). */
const RANDOM_OCTETS = 16;
// base64url(16 random ‖ 8 expiry) "." base64url(HMAC-SHA-256).
const CHALLENGE_SYNTAX = /^[A-Za-z0-9_-]{32}\.[A-Za-z0-9_-]{43}$/;

/** What a challenge presented in a PoP turned out to be. */
export type ChallengeCheck = { ok: true; id: string; expiresAt: number } | { ok: false; reason: 'invalid' | 'expired' };

/** The challenges of one authenticator: its key, its clock, its lifetime. */
export class AttestationChallenges {
  readonly #key: Uint8Array;
  readonly #context: string;
  readonly #lifetimeMs: number;
  readonly #now: () => number;

  constructor(issuer: string, key: Uint8Array | undefined, lifetimeSeconds: number, now: () => number) {
    // A copy: the caller's buffer may change after setup.
    this.#key = key === undefined ? randomBytes(32) : Uint8Array.from(key);
    // Bound to this issuer: a challenge of another server with the same key is not one of ours.
    this.#context = `client-auth attestation challenge\n${issuer}\n`;
    this.#lifetimeMs = Math.round(lifetimeSeconds * 1000);
    this.#now = now;
  }

  #mac(payload: string): Buffer {
    return createHmac('sha256', this.#key).update(this.#context).update(payload).digest();
  }

  /** A fresh challenge (§6.1 `attestation_challenge`, §6.2 `OAuth-Client-Attestation-Challenge`). */
  issue(): string {
    const octets = Buffer.alloc(RANDOM_OCTETS + 8);
    randomBytes(RANDOM_OCTETS).copy(octets);
    octets.writeBigUInt64BE(BigInt(this.#now() + this.#lifetimeMs), RANDOM_OCTETS);
    const payload = octets.toString('base64url');
    return `${payload}.${this.#mac(payload).toString('base64url')}`;
  }

  /** Whether `value` is a challenge this authenticator issued and that has not expired yet. */
  check(value: string): ChallengeCheck {
    if (!CHALLENGE_SYNTAX.test(value)) return { ok: false, reason: 'invalid' };
    const dot = value.indexOf('.');
    const payload = value.slice(0, dot);
    const presented = Buffer.from(value.slice(dot + 1), 'base64url');
    // Constant time: the MAC of a guess tells nothing of the right one.
    if (presented.length !== 32 || !timingSafeEqual(presented, this.#mac(payload))) {
      return { ok: false, reason: 'invalid' };
    }
    const octets = Buffer.from(payload, 'base64url');
    const expiresAt = Number(octets.readBigUInt64BE(RANDOM_OCTETS));
    // The server's own clock on both sides (§12.1): no skew to allow for.
    if (this.#now() >= expiresAt) return { ok: false, reason: 'expired' };
    return { ok: true, id: octets.subarray(0, RANDOM_OCTETS).toString('base64url'), expiresAt };
  }
}
