/**
 * node-oidc-provider as the reference: the same clients, the same issuer, its RFC 7009 revocation
 * endpoint served at `/revoke`. Only what the benchmark needs is configured.
 */
import type { RequestListener } from 'node:http';
import type { ClientMetadata } from '@client-auth/core';
import Provider from 'oidc-provider';
import { ISSUER } from './fixtures.js';

export function oidcProviderListener(clients: ClientMetadata[]): RequestListener {
  const provider = new Provider(ISSUER, {
    clients: clients.map((client) => ({
      ...client,
      // A client that only authenticates at revocation: no grants, no redirect URIs.
      grant_types: [],
      response_types: [],
      redirect_uris: [],
    })),
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt', 'none'],
    enabledJWA: { clientAuthSigningAlgValues: ['ES256', 'PS256', 'HS256'] },
    features: { revocation: { enabled: true }, devInteractions: { enabled: false } },
    routes: { revocation: '/revoke' },
  });
  // oidc-provider logs configuration warnings (dev keys, http issuer) that say nothing here.
  return provider.callback();
}
