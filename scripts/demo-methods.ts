/**
 * The rows of the demo table: one client authentication method each, with the built-in demo
 * client of the examples that is registered with it and the openid-client method that speaks it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CryptoKey, importJWK, type JWK } from 'jose';
import * as client from 'openid-client';
import type { DevPki, PemPair } from './dev-pki.js';

/** One row of the table: a client authentication method and the demo client that uses it. */
export interface MethodRow {
  /** IANA name (RFC 8414 token_endpoint_auth_methods_supported). */
  method: string;
  /** A built-in demo client of the examples registered with this method. */
  clientId: string;
  /** How openid-client authenticates: ClientSecretBasic, PrivateKeyJwt(key), TlsClientAuth(), … */
  clientAuth(pki: DevPki): client.ClientAuth | Promise<client.ClientAuth>;
  /** Client metadata for openid-client (for example `use_mtls_endpoint_aliases: true`). */
  metadata?: Partial<client.ClientMetadata>;
  /**
   * What the row asks for: a client_credentials token (the default), or — for a public client, which
   * RFC 6749 §4.4 refuses that grant — a pushed authorization request (RFC 9126).
   */
  request?: 'token' | 'par';
  /** A client certificate to present over TLS (mTLS rows; needs HTTPS). */
  certificate?(pki: DevPki): PemPair;
}

/**
 * Where `pnpm demo` keeps the self_signed_tls_client_auth demo client's certificate and key, shared
 * by the three examples (DEMO_CERT_FILE, DEMO_CERT_KEY_FILE).
 */
export function demoCertFiles(pki: DevPki): { cert: string; key: string } {
  return { cert: join(pki.dir, 'demo-self-signed.crt'), key: join(pki.dir, 'demo-self-signed.key') };
}

/** Where `pnpm demo` keeps the private_key_jwt demo client's key, shared by the three examples. */
export function demoKeyFile(pki: DevPki): string {
  return join(pki.dir, 'demo-private-key-jwt.json');
}

export const METHODS: MethodRow[] = [
  {
    method: 'client_secret_basic',
    clientId: 's6BhdRkqt3',
    clientAuth: () => client.ClientSecretBasic('7Fjfp0ZBr1KtDRbnfVdmIw'),
  },
  {
    method: 'client_secret_post',
    clientId: 'demo-post',
    clientAuth: () => client.ClientSecretPost('demo-post-secret'),
  },
  { method: 'none', clientId: 'demo-public', clientAuth: () => client.None(), request: 'par' },
  {
    method: 'client_secret_jwt',
    clientId: 'demo-secret-jwt',
    clientAuth: () => client.ClientSecretJwt('demo-client-secret-jwt-0123456789abcdefghijklmnopqrstuvwxyzABCDEF'),
  },
  {
    method: 'private_key_jwt',
    clientId: 'demo-private-key-jwt',
    // The examples share this key through DEMO_KEY_FILE (see demoKeyFile in scripts/demo.ts).
    clientAuth: async (pki) => {
      const jwk = JSON.parse(readFileSync(demoKeyFile(pki), 'utf8')) as JWK;
      return client.PrivateKeyJwt({ key: (await importJWK(jwk, 'ES256')) as CryptoKey, kid: jwk.kid as string });
    },
  },
  {
    method: 'tls_client_auth',
    clientId: 'demo-mtls',
    clientAuth: () => client.TlsClientAuth(),
    metadata: { use_mtls_endpoint_aliases: true },
    certificate: (pki) => pki.issueClient('demo-mtls'),
  },
  {
    method: 'self_signed_tls_client_auth',
    clientId: 'demo-self-signed',
    clientAuth: () => client.TlsClientAuth(),
    metadata: { use_mtls_endpoint_aliases: true },
    // The examples share this self-signed certificate through DEMO_CERT_FILE / DEMO_CERT_KEY_FILE.
    certificate: (pki) => {
      const files = demoCertFiles(pki);
      return { cert: readFileSync(files.cert, 'utf8'), key: readFileSync(files.key, 'utf8') };
    },
  },
];
