/**
 * Make a client assertion (RFC 7523 §2.2) for the demo clients, from the command line:
 *
 *   make-assertion <client_id> <audience> --key <private JWK file> [--alg ES256]
 *   make-assertion <client_id> <audience> --secret <client_secret> [--alg HS256]
 *
 * Prints the compact JWT: `iss` = `sub` = client_id, `aud` = audience, a fresh `jti`, 60 s of life.
 * A demo tool: a real client uses its OAuth library (openid-client, oauth4webapi, Authlib, …).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { importJWK, type JWK, SignJWT } from 'jose';

function usage(): never {
  console.error(
    'usage: make-assertion <client_id> <audience> (--key <private JWK file> | --secret <client_secret>) [--alg <alg>]',
  );
  process.exit(2);
}

const [clientId, audience, ...rest] = process.argv.slice(2);
if (clientId === undefined || audience === undefined) usage();
const options = new Map<string, string>();
for (let i = 0; i < rest.length; i += 2) {
  const name = rest[i];
  const value = rest[i + 1];
  if (name === undefined || value === undefined || !name.startsWith('--')) usage();
  options.set(name.slice(2), value);
}

let key: Awaited<ReturnType<typeof importJWK>>;
let alg: string;
const keyFile = options.get('key');
const secret = options.get('secret');
if (keyFile !== undefined) {
  const jwk = JSON.parse(readFileSync(keyFile, 'utf8')) as JWK;
  alg = options.get('alg') ?? jwk.alg ?? 'ES256';
  key = await importJWK(jwk, alg);
} else if (secret !== undefined) {
  alg = options.get('alg') ?? 'HS256';
  key = new TextEncoder().encode(secret);
} else {
  usage();
}

const now = Math.floor(Date.now() / 1000);
const jwt = await new SignJWT({})
  .setProtectedHeader({ alg, typ: 'JWT' })
  .setIssuer(clientId)
  .setSubject(clientId)
  .setAudience(audience)
  .setJti(randomUUID())
  .setIssuedAt(now)
  .setExpirationTime(now + 60)
  .sign(key);
process.stdout.write(`${jwt}\n`);
