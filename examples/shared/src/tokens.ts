/**
 * RFC 9068 JWT access tokens for the examples: signed with an ES256 key made at start-up, carrying
 * `client_id` and, when the client presented a certificate, `cnf: {"x5t#S256": …}` (RFC 8705 §3.1).
 */
import { randomUUID } from 'node:crypto';
import type { ClientAuthResult } from '@client-auth/core';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, jwtVerify, SignJWT } from 'jose';

const ACCESS_TOKEN_LIFETIME = 300;
const MAX_TRACKED_TOKENS = 100_000;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export interface IssuedToken {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

export interface TokenInfo {
  active: boolean;
  [claim: string]: unknown;
}

export class TokenService {
  readonly #issuer: string;
  readonly #privateKey: CryptoKey;
  readonly #publicKey: CryptoKey;
  readonly #kid = randomUUID();
  /** jti → expiry (seconds); only revocations need remembering, until the token expires anyway. */
  readonly #revoked = new Map<string, number>();

  private constructor(issuer: string, privateKey: CryptoKey, publicKey: CryptoKey) {
    this.#issuer = issuer;
    this.#privateKey = privateKey;
    this.#publicKey = publicKey;
  }

  static async create(issuer: string): Promise<TokenService> {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    return new TokenService(issuer, privateKey, publicKey);
  }

  /** The public key set, for a `jwks_uri` of the example server. */
  async jwks(): Promise<{ keys: JWK[] }> {
    return { keys: [{ ...(await exportJWK(this.#publicKey)), kid: this.#kid, alg: 'ES256', use: 'sig' }] };
  }

  /** Mint an RFC 9068 access token for an authenticated client (client_credentials grant). */
  async issue(auth: ClientAuthResult, scope: string | undefined): Promise<IssuedToken> {
    const claims: Record<string, unknown> = { client_id: auth.clientId };
    if (scope !== undefined && scope !== '') claims.scope = scope;
    if (auth.certificate !== undefined) claims.cnf = { 'x5t#S256': auth.certificate.thumbprint };
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: this.#kid })
      .setIssuer(this.#issuer)
      .setSubject(auth.clientId)
      .setAudience(this.#issuer)
      .setIssuedAt()
      .setExpirationTime(`${ACCESS_TOKEN_LIFETIME}s`)
      .setJti(randomUUID())
      .sign(this.#privateKey);
    return { access_token: token, token_type: 'Bearer', expires_in: ACCESS_TOKEN_LIFETIME };
  }

  /** RFC 7662 §2.2 introspection response for a token string. */
  async introspect(token: string): Promise<TokenInfo> {
    // Not a compact JWS at all: inactive, without paying for the exception jose would throw.
    if (!COMPACT_JWS.test(token)) return { active: false };
    try {
      const { payload } = await jwtVerify(token, this.#publicKey, { issuer: this.#issuer, typ: 'at+jwt' });
      if (typeof payload.jti !== 'string' || this.#revoked.has(payload.jti)) return { active: false };
      return { active: true, token_type: 'Bearer', ...payload };
    } catch {
      return { active: false };
    }
  }

  /** RFC 7009 §2.1: revoke a token issued to this client; anything else is ignored (§2.2: 200). */
  async revoke(token: string, clientId: string): Promise<void> {
    const info = await this.introspect(token);
    if (!info.active || info.client_id !== clientId || typeof info.jti !== 'string') return;
    if (this.#revoked.size >= MAX_TRACKED_TOKENS) this.#prune();
    this.#revoked.set(info.jti, Number(info.exp));
  }

  #prune(): void {
    const now = Math.floor(Date.now() / 1000);
    for (const [jti, exp] of this.#revoked) if (exp < now) this.#revoked.delete(jti);
  }
}
