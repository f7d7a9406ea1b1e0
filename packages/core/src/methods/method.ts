/**
 * The contract between the request path and one method family. A verifier receives the credential
 * of exactly its mechanism and the context of the client already found by its registered metadata;
 * it returns normally when the client proved its identity and throws an {@link OAuthError}
 * otherwise.
 */
import type { Config } from '../config.js';
import type { PresentedCredential } from '../credentials/credential.js';
import type { AuthMethod, ClientAuthRequest, ClientMetadata, EndpointName } from '../types.js';
import type { AssertionKeys } from './client_assertion/keys.js';

/** What one verification knows, built once after the client lookup and never changed. */
export interface VerifyContext {
  readonly request: ClientAuthRequest;
  /** The client found (for the unknown-client stand-in: an empty stand-in, never returned). */
  readonly client: ClientMetadata;
  readonly clientId: string;
  /** The client's *registered* method (RFC 6749 §2.3.2), never what the request seems to use. */
  readonly method: AuthMethod;
  readonly endpoint: EndpointName;
  readonly config: Config;
  /** The imported assertion keys of this authenticator. */
  readonly keys: AssertionKeys;
  /** Seconds since the epoch, read once per request. */
  readonly nowSeconds: number;
}

/** What a verifier may report about how the client proved its identity. */
export interface VerifiedDetail {
  /**
   * `'compatible'`: a client assertion whose `aud` is not the issuer as sole value, accepted only
   * because the authenticator runs with `audience: 'compatible'`.
   */
  audience?: 'compatible';
  /** `attest_jwt_client_auth`: the verified Client Instance Key and its attester. */
  attestation?: { jwk: Readonly<Record<string, unknown>>; attester?: string };
  /** `attest_jwt_client_auth` with challenges: the challenge for the client's next PoP (§6.2). */
  attestationChallenge?: string;
}

/** A value now, or a promise of it: a check that needs no I/O answers at once. */
export type Awaitable<T> = T | Promise<T>;

/**
 * Returns (nothing, or a {@link VerifiedDetail}) when the client proved its identity, else throws
 * (or rejects). Typed by the credential it accepts.
 */
export type Verifier<C extends PresentedCredential> = (
  credential: C,
  context: VerifyContext,
) => Awaitable<VerifiedDetail | undefined>;

/**
 * True when a check answered with a promise. The request path awaits only then: awaiting a value
 * that is already there still costs a turn of the microtask queue, which the plain-secret path,
 * with no I/O at all, does not pay (bench/README.md, in-process rows).
 */
export function isPending<T>(value: Awaitable<T>): value is Promise<T> {
  return value instanceof Promise;
}

/**
 * Continue with `next` once `value` is known: at once when it is (no promise is made: the plain
 * secret path stays synchronous, bench/README.md), else when its promise settles. The one place
 * the request path tells a value from a promise of one.
 */
export function andThen<T, R>(value: Awaitable<T>, next: (value: T) => Awaitable<R>): Awaitable<R> {
  return isPending(value) ? value.then(next) : next(value);
}
