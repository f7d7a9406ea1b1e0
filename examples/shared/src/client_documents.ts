/**
 * Client ID Metadata Documents in the example servers (DESIGN.md §5, `CLIENT_ID_METADATA_DOCUMENTS`):
 * with `1`, a client whose `client_id` is an https URL that `CLIENTS_FILE` (or the demo clients)
 * does not hold is described by the document at that URL (draft-ietf-oauth-client-id-metadata-document),
 * fetched through the same guarded fetcher and `JWKS_URI_ALLOW` list as every `jwks_uri`. What a
 * document client may do is what its document says: the token endpoint issues it a token only for
 * a grant type its `grant_types` lists.
 */
import type { ClientAuthenticatorOptions, ClientAuthResult } from '@client-auth/core';

/** `CLIENT_ID_METADATA_DOCUMENTS`: `1` on, unset, empty or `0` off. */
export function readClientIdMetadataDocuments(value: string | undefined): boolean {
  if (value === undefined || value === '' || value === '0') return false;
  if (value === '1') return true;
  throw new Error(`configuration: CLIENT_ID_METADATA_DOCUMENTS must be 1 or 0, got ${JSON.stringify(value)}`);
}

/** The authenticator option: the core's defaults (5 KB documents, 8 fetches at once, 2 per host). */
export function clientDocumentOptions(enabled: boolean): Pick<ClientAuthenticatorOptions, 'clientIdMetadataDocuments'> {
  return enabled ? { clientIdMetadataDocuments: {} } : {};
}

/**
 * Whether the client may use `grantType`: always for a registered client (the examples grant what
 * their endpoints serve), and for a document client only when its `grant_types` lists it
 * (RFC 7591 §2: the default is `["authorization_code"]`); otherwise RFC 6749 §5.2
 * `unauthorized_client`.
 */
export function registeredForGrant(auth: ClientAuthResult | undefined, grantType: string): boolean {
  if (auth?.clientIdMetadataDocument !== true) return true;
  const grantTypes = auth.client.grant_types ?? ['authorization_code'];
  return Array.isArray(grantTypes) && grantTypes.includes(grantType);
}
