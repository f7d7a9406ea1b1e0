/**
 * The client authentication an inline route does by hand, framework-free: the same checks the
 * core makes on the happy path of client_secret_basic and private_key_jwt, written directly. Each
 * inline route (one per framework) reads its body its own way and calls these.
 */
import { timingSafeEqual } from 'node:crypto';
import type { ClientMetadata } from '@client-auth/core';
import { type CryptoKey, decodeJwt, importJWK, type JWK, jwtVerify } from 'jose';
import { ISSUER, JWT_BEARER } from '../fixtures.js';

export class Unauthorized extends Error {}
export class BadRequest extends Error {}

const CREDENTIAL_PARAMETERS = ['client_id', 'client_secret', 'client_assertion', 'client_assertion_type'];

function formDecode(part: string): string {
  if (part.indexOf('%') === -1 && part.indexOf('+') === -1) return part;
  try {
    return decodeURIComponent(part.replace(/\+/g, ' '));
  } catch {
    throw new BadRequest('malformed');
  }
}

export interface InlineAuth {
  /** Returns the authenticated client_id or throws Unauthorized / BadRequest. */
  authenticate(authorization: string | undefined, params: URLSearchParams): Promise<string>;
}

export async function inlineAuth(clients: ClientMetadata[]): Promise<InlineAuth> {
  const secrets = new Map<string, Buffer>();
  const keys = new Map<string, CryptoKey>();
  for (const client of clients) {
    if (client.token_endpoint_auth_method === 'client_secret_basic' && typeof client.client_secret === 'string') {
      secrets.set(client.client_id, Buffer.from(client.client_secret));
    }
    const jwk = client.jwks?.keys[0];
    if (client.token_endpoint_auth_method === 'private_key_jwt' && jwk !== undefined) {
      keys.set(client.client_id, (await importJWK(jwk as JWK, jwk.alg)) as CryptoKey);
    }
  }
  const seen = new Map<string, number>();

  return {
    async authenticate(authorization, params) {
      for (const name of CREDENTIAL_PARAMETERS) if (params.getAll(name).length > 1) throw new BadRequest('repeated');
      if (authorization !== undefined) {
        if (params.has('client_secret') || params.has('client_assertion')) throw new BadRequest('two mechanisms');
        if (authorization.slice(0, 6).toLowerCase() !== 'basic ') throw new Unauthorized();
        const decoded = Buffer.from(authorization.slice(6), 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        if (colon === -1) throw new BadRequest('malformed');
        const clientId = formDecode(decoded.slice(0, colon));
        const presented = Buffer.from(formDecode(decoded.slice(colon + 1)));
        const expected = secrets.get(clientId);
        if (expected === undefined || presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
          throw new Unauthorized();
        }
        return clientId;
      }
      const assertion = params.get('client_assertion');
      if (assertion !== null) {
        if (params.get('client_assertion_type') !== JWT_BEARER) throw new BadRequest('assertion type');
        let clientId: string;
        try {
          clientId = decodeJwt(assertion).iss as string;
        } catch {
          throw new Unauthorized();
        }
        const key = keys.get(clientId);
        if (key === undefined) throw new Unauthorized();
        const bodyId = params.get('client_id');
        if (bodyId !== null && bodyId !== clientId) throw new Unauthorized();
        let exp: number;
        let jti: string;
        try {
          const { payload } = await jwtVerify(assertion, key, {
            issuer: clientId,
            subject: clientId,
            audience: ISSUER,
            algorithms: ['ES256', 'PS256'],
            requiredClaims: ['exp', 'jti'],
            maxTokenAge: 3600,
            clockTolerance: 15,
          });
          exp = payload.exp as number;
          jti = `${clientId}\u0000${payload.jti}`;
        } catch {
          throw new Unauthorized();
        }
        const now = Date.now() / 1000;
        if ((seen.get(jti) ?? 0) > now) throw new Unauthorized();
        if (seen.size > 1_000_000) for (const [k, e] of seen) if (e <= now) seen.delete(k);
        seen.set(jti, exp + 15);
        return clientId;
      }
      throw new Unauthorized();
    },
  };
}

export const ERROR_HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store', pragma: 'no-cache' };

export function errorOf(error: unknown): { status: number; headers: Record<string, string>; body: string } {
  if (error instanceof Unauthorized) {
    return {
      status: 401,
      headers: { ...ERROR_HEADERS, 'www-authenticate': `Basic realm="${ISSUER}"` },
      body: JSON.stringify({ error: 'invalid_client', error_description: 'client authentication failed' }),
    };
  }
  if (error instanceof BadRequest) {
    return {
      status: 400,
      headers: ERROR_HEADERS,
      body: JSON.stringify({ error: 'invalid_request', error_description: error.message }),
    };
  }
  throw error;
}

export function isForm(contentType: string | undefined): boolean {
  return contentType?.toLowerCase().startsWith('application/x-www-form-urlencoded') === true;
}
