/**
 * Compatibility re-exports for the issue-14 merge: the client's registered keys, the `jwks_uri`
 * cache and its guarded fetch now live in `jwks/`. Delete this file once `config.ts` and
 * `methods/*` import from `jwks/` (`clientKeys` is `registeredKeys` behind a promise).
 */

import { type RegisteredKeysConfig, type RegisteredKeysOptions, registeredKeys } from './jwks/registered_keys.js';
import type { ClientJWK, ClientMetadata } from './types.js';

export { registeredKeys } from './jwks/registered_keys.js';

/** {@link registeredKeys}, always as a promise (a malformed registration rejects). */
export async function clientKeys(
  client: ClientMetadata,
  config: RegisteredKeysConfig,
  options: RegisteredKeysOptions = {},
): Promise<ClientJWK[]> {
  return registeredKeys(client, config, options);
}
