/**
 * The built-in demo clients: one per method, with fixed, published credentials. They exist so that
 * a new user can get a token with curl in a minute; never use them outside local development.
 */
import { generateKeyPairSync } from 'node:crypto';
import type { ClientJWK, ClientMetadata } from '@client-auth/core';
import { DEMO_SELF_SIGNED_ID } from './demo-certificate.js';

/** RFC 6749 §2.3.1's own example credentials. */
export const RFC6749_EXAMPLE = { client_id: 's6BhdRkqt3', client_secret: '7Fjfp0ZBr1KtDRbnfVdmIw' } as const;

/**
 * The published secret of the `client_secret_jwt` demo client: 64 octets, long enough for HS256,
 * HS384 and HS512 (OpenID Connect Core §16.19).
 */
export const DEMO_SECRET_JWT = {
  client_id: 'demo-secret-jwt',
  client_secret: 'demo-client-secret-jwt-0123456789abcdefghijklmnopqrstuvwxyzABCDEF',
} as const;

/**
 * The `attest_jwt_client_auth` demo client's id: the `sub` of the Client Attestations a wallet's
 * attester (one of `ATTESTATION_ISSUERS`) issues to its instances
 * (draft-ietf-oauth-attestation-based-client-auth-10 §4). Registered only when attesters are set.
 */
export const DEMO_WALLET_ID = 'demo-wallet';

/** The `private_key_jwt` demo client's id. Its key pair is made at each start (see {@link demoKeyPair}). */
export const DEMO_PRIVATE_KEY_JWT_ID = 'demo-private-key-jwt';

/** An ES256 key pair for the `private_key_jwt` demo client, made at start-up. */
export function demoKeyPair(): { publicJwk: ClientJWK; privateJwk: ClientJWK } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = `demo-${Date.now().toString(36)}`;
  const publicJwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' } as ClientJWK;
  const privateJwk = { ...privateKey.export({ format: 'jwk' }), kid, alg: 'ES256' } as ClientJWK;
  return { publicJwk, privateJwk };
}

/**
 * @param demoKey the `private_key_jwt` demo client's public JWK (made at start)
 * @param selfSignedJwk the `self_signed_tls_client_auth` demo client's JWK with `x5c` (made at start)
 */
export function demoClients(demoKey?: ClientJWK, selfSignedJwk?: ClientJWK, attestation = false): ClientMetadata[] {
  const jwtClients: ClientMetadata[] = [
    {
      ...DEMO_SECRET_JWT,
      client_name: 'Demo client_secret_jwt',
      token_endpoint_auth_method: 'client_secret_jwt',
    },
  ];
  if (demoKey !== undefined) {
    jwtClients.push({
      client_id: DEMO_PRIVATE_KEY_JWT_ID,
      client_name: 'Demo private_key_jwt',
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [demoKey] },
    });
  }
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
    ...jwtClients,
    ...(attestation
      ? [
          {
            client_id: DEMO_WALLET_ID,
            client_name: 'Demo wallet (attest_jwt_client_auth, attested by ATTESTATION_ISSUERS)',
            token_endpoint_auth_method: 'attest_jwt_client_auth',
          },
        ]
      : []),
    ...(selfSignedJwk === undefined
      ? []
      : [
          {
            client_id: DEMO_SELF_SIGNED_ID,
            client_name: 'Demo self_signed_tls_client_auth (a self-signed certificate made at start)',
            token_endpoint_auth_method: 'self_signed_tls_client_auth',
            jwks: { keys: [selfSignedJwk] },
          } satisfies ClientMetadata,
        ]),
  ];
}
