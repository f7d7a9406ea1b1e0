/**
 * The contract between the authenticator and one method family. A verifier receives the client
 * already found by its registered metadata and the credential the request presented; it returns
 * normally when the client proved its identity and throws an {@link OAuthError} otherwise.
 */
import type { Config } from '../config.js';
import type { PresentedCredential } from '../credentials.js';
import type { AuthMethod, ClientAuthRequest, ClientMetadata, EndpointName } from '../types.js';

export interface VerifyContext {
  request: ClientAuthRequest;
  credential: PresentedCredential;
  client: ClientMetadata;
  clientId: string;
  method: AuthMethod;
  endpoint: EndpointName;
  config: Config;
  /** Seconds since the epoch, read once per request. */
  nowSeconds: number;
}

/** What a verifier may report about how the client proved its identity. */
export interface VerifiedDetail {
  /**
   * `'compatible'`: a client assertion whose `aud` is not the issuer as sole value, accepted only
   * because the authenticator runs with `audience: 'compatible'`.
   */
  audience?: 'compatible';
}

/**
 * Returns (nothing, or a {@link VerifiedDetail}) when the client proved its identity, else throws;
 * a verifier whose work is asynchronous returns a promise instead (the authenticator then
 * continues once it settles).
 */
export type MethodVerifier = (
  context: VerifyContext,
) => VerifiedDetail | void | Promise<VerifiedDetail | undefined> | Promise<void>;
