/**
 * The built-in demo clients: one per method, with fixed, published credentials. They exist so that
 * a new user can get a token with curl in a minute; never use them outside local development.
 */
import type { ClientMetadata } from '@client-auth/core';

/** RFC 6749 §2.3.1's own example credentials. */
export const RFC6749_EXAMPLE = { client_id: 's6BhdRkqt3', client_secret: '7Fjfp0ZBr1KtDRbnfVdmIw' } as const;

export function demoClients(): ClientMetadata[] {
  return [
    {
      ...RFC6749_EXAMPLE,
      client_name: 'RFC 6749 example client (client_secret_basic)',
      token_endpoint_auth_method: 'client_secret_basic',
    },
    {
      client_id: 'demo-basic',
      client_secret: 'demo-basic-secret',
      client_name: 'Demo client_secret_basic',
      token_endpoint_auth_method: 'client_secret_basic',
    },
    {
      client_id: 'demo-post',
      client_secret: 'demo-post-secret',
      client_name: 'Demo client_secret_post',
      token_endpoint_auth_method: 'client_secret_post',
    },
    {
      // Works with any dev PKI: a certificate with subject CN=demo-mtls issued by the TLS_CA bundle.
      client_id: 'demo-mtls',
      client_name: 'Demo tls_client_auth (subject CN=demo-mtls, issued by TLS_CA)',
      token_endpoint_auth_method: 'tls_client_auth',
      tls_client_auth_subject_dn: 'CN=demo-mtls',
    },
    {
      client_id: 'demo-public',
      client_name: 'Demo public client (none)',
      token_endpoint_auth_method: 'none',
    },
  ];
}
