/**
 * What every section shares: the issuer, the clients (one per method, the same in the core, the
 * inline routes and node-oidc-provider), their keys, and pre-signed client assertions with unique
 * `jti`, so that signing never runs inside what is being measured.
 */
import { randomUUID } from 'node:crypto';
import type { ClientMetadata } from '@client-auth/core';
import * as core from '@client-auth/core';
import { encodeFormComponent } from '@client-auth/core/adapter';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

/** Issuer of every server in the benchmark: plain HTTP on loopback, as the examples allow it. */
export const ISSUER = 'http://localhost:3000';
export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export const BASIC_CLIENT = { client_id: 'bench-basic', client_secret: 'bench-basic-secret-0123456789abcdef' };
export const POST_CLIENT = { client_id: 'bench-post', client_secret: 'bench-post-secret-0123456789abcdef' };
/** 64 octets: enough for HS512 too. */
export const HS_SECRET = 'bench-hs-secret-0123456789abcdef0123456789abcdef0123456789abcdef';

export type JwtAlg = 'ES256' | 'PS256' | 'HS256';

export interface JwtClient {
  alg: JwtAlg;
  clientId: string;
  method: 'private_key_jwt' | 'client_secret_jwt';
  /** Signs assertions. */
  signingKey: CryptoKey | Uint8Array;
  /** Verifies them (what the bare jose baseline uses, imported once). */
  verifyKey: CryptoKey | Uint8Array;
  publicJwk?: JWK;
  metadata: ClientMetadata;
}

/** Methods the core implements in this checkout (rows of the others print "not implemented"). */
export function implemented(method: core.AuthMethod): boolean {
  return core.IMPLEMENTED_METHODS.includes(method);
}

/**
 * Options of a replay store that one bench client fills alone: the whole default store is its
 * quota (the default 10,000 live jti per client would refuse part of a long run).
 */
export const ONE_CLIENT_STORE = { maxEntries: 100_000, maxEntriesPerClient: 100_000 };

/** `memoryReplayStore` when the core exports it, else undefined (the rows that need it say so). */
export function memoryReplayStoreFactory():
  | ((options?: core.MemoryReplayStoreOptions) => core.ReplayStore)
  | undefined {
  const factory = (core as unknown as Record<string, unknown>).memoryReplayStore;
  return typeof factory === 'function'
    ? (factory as (options?: core.MemoryReplayStoreOptions) => core.ReplayStore)
    : undefined;
}

export async function makeJwtClient(alg: JwtAlg): Promise<JwtClient> {
  const clientId = `bench-${alg.toLowerCase()}`;
  if (alg === 'HS256') {
    const key = new TextEncoder().encode(HS_SECRET);
    return {
      alg,
      clientId,
      method: 'client_secret_jwt',
      signingKey: key,
      verifyKey: key,
      metadata: {
        client_id: clientId,
        client_secret: HS_SECRET,
        token_endpoint_auth_method: 'client_secret_jwt',
        token_endpoint_auth_signing_alg: alg,
      },
    };
  }
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid: `${clientId}-key`, alg, use: 'sig' };
  return {
    alg,
    clientId,
    method: 'private_key_jwt',
    signingKey: privateKey,
    verifyKey: publicKey,
    publicJwk,
    metadata: {
      client_id: clientId,
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: alg,
      jwks: { keys: [publicJwk as core.ClientJWK] },
    },
  };
}

/** One RFC 7523 client assertion with a fresh `jti`, audience = the issuer, 60 s lifetime. */
export async function signAssertion(client: JwtClient, audience: string = ISSUER): Promise<string> {
  const header: { alg: string; kid?: string } = { alg: client.alg };
  if (client.publicJwk?.kid !== undefined) header.kid = client.publicJwk.kid;
  return new SignJWT({})
    .setProtectedHeader(header)
    .setIssuer(client.clientId)
    .setSubject(client.clientId)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime('60s')
    .setJti(randomUUID())
    .sign(client.signingKey);
}

export async function signAssertions(client: JwtClient, count: number, audience: string = ISSUER): Promise<string[]> {
  const out: string[] = new Array(count);
  for (let i = 0; i < count; i++) out[i] = await signAssertion(client, audience);
  return out;
}

export function basicHeader(clientId: string, secret: string): string {
  const encode = (value: string) => encodeFormComponent(value);
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString('base64')}`;
}

/** The secret clients registered with the core, the inline routes and oidc-provider. */
export function secretClients(): ClientMetadata[] {
  return [
    { ...BASIC_CLIENT, token_endpoint_auth_method: 'client_secret_basic' },
    { ...POST_CLIENT, token_endpoint_auth_method: 'client_secret_post' },
  ];
}
