/**
 * Helpers for the client assertion suites: keys generated per run, assertions signed with jose
 * (or by hand, for headers jose refuses to produce), and requests in the core's neutral shape.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';
import {
  type ClientAuthenticatorOptions,
  type ClientAuthRequest,
  type ClientMetadata,
  createClientAuthenticator,
  type EndpointName,
  isOAuthError,
  JWT_BEARER_ASSERTION_TYPE,
} from '../src/index.js';

export const ISSUER = 'https://as.example.com';
/** The fixed "now" (seconds) of every authenticator made by {@link authenticatorFor} unless given a clock. */
export const NOW = Math.floor(Date.now() / 1000);
export const ENDPOINTS: Partial<Record<EndpointName, string>> = {
  token: `${ISSUER}/token`,
  introspection: `${ISSUER}/introspect`,
  revocation: `${ISSUER}/revoke`,
  pushed_authorization_request: `${ISSUER}/par`,
  backchannel_authentication: `${ISSUER}/bc-authorize`,
};
/** A 64-octet secret: long enough for HS256, HS384 and HS512. */
export const SECRET = 'x'.repeat(32) + randomUUID().replaceAll('-', '');

export interface KeyPair {
  alg: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function keyPair(alg: string, kid: string | undefined = randomUUID(), crv?: string): Promise<KeyPair> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, ...(crv ? { crv } : {}) });
  const publicJwk = await exportJWK(publicKey);
  if (kid !== undefined) publicJwk.kid = kid;
  return { alg, privateKey, publicJwk };
}

/** Standard claims of a valid assertion for `clientId` at `now` (seconds). */
export function claims(clientId: string, now: number, extra: JWTPayload = {}): JWTPayload {
  return { iss: clientId, sub: clientId, aud: ISSUER, jti: randomUUID(), iat: now, exp: now + 60, ...extra };
}

/** Sign with jose; `undefined` values in `payload` remove the claim. */
export async function sign(
  payload: JWTPayload,
  key: CryptoKey | Uint8Array,
  header: Record<string, unknown> & { alg: string },
): Promise<string> {
  const body = Object.fromEntries(Object.entries(payload).filter(([, value]) => value !== undefined));
  return new SignJWT(body).setProtectedHeader(header).sign(key);
}

export function b64(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

/** HMAC-sign arbitrary header and payload segments by hand (for headers jose will not produce). */
export function hmacRaw(headerSegment: string, payloadSegment: string, secret: string, hash = 'sha256'): string {
  const input = `${headerSegment}.${payloadSegment}`;
  return `${input}.${createHmac(hash, secret).update(input).digest('base64url')}`;
}

export function assertionRequest(assertion: string, extra: Record<string, string> = {}): ClientAuthRequest {
  const body: Record<string, string[]> = {
    client_assertion_type: [JWT_BEARER_ASSERTION_TYPE],
    client_assertion: [assertion],
  };
  for (const [name, value] of Object.entries(extra)) body[name] = [value];
  return { headers: {}, body, secure: true };
}

/** An authenticator over a fixed client list, with a controllable clock (milliseconds). */
export function authenticatorFor(
  clients: ClientMetadata[],
  options: Partial<ClientAuthenticatorOptions> = {},
  clock = { now: NOW * 1000 },
) {
  const byId = new Map(clients.map((client) => [client.client_id, client]));
  const auth = createClientAuthenticator({
    issuer: ISSUER,
    endpoints: ENDPOINTS,
    getClient: (id) => byId.get(id),
    now: () => clock.now,
    ...options,
  });
  return { auth, clock };
}

/** The `code` an authentication attempt failed with, or 'ok'. */
export async function outcome(
  auth: ReturnType<typeof createClientAuthenticator>,
  request: ClientAuthRequest,
  endpoint: EndpointName = 'token',
): Promise<string> {
  try {
    await auth.authenticate(request, { endpoint });
    return 'ok';
  } catch (error) {
    if (isOAuthError(error)) return error.code;
    throw error;
  }
}
