/**
 * A JWT client assertion as RFC 7523 §3 asks: `iss` and `sub` the client_id, `aud`, a fresh `jti`,
 * `iat` now and `exp` a minute later, signed with `key` (a private key, or the HMAC secret's octets).
 */
import { randomUUID } from 'node:crypto';
import { type CryptoKey, SignJWT } from 'jose';

export interface AssertionOptions {
  alg: string;
  /** The JOSE header `kid`; none when absent. */
  kid?: string;
  /** Default: a fresh UUID. */
  jti?: string;
}

export function clientAssertion(
  clientId: string,
  aud: string,
  key: CryptoKey | Uint8Array,
  { alg, kid, jti = randomUUID() }: AssertionOptions,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ jti })
    .setProtectedHeader({ alg, ...(kid === undefined ? {} : { kid }) })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(aud)
    .setIssuedAt(now)
    .setExpirationTime(now + 60)
    .sign(key);
}
