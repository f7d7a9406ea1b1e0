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

/**
 * Returns when the client proved its identity, else throws; a verifier whose work is asynchronous
 * returns a promise instead (the authenticator then continues once it settles).
 */
export type MethodVerifier = (context: VerifyContext) => void | Promise<void>;
