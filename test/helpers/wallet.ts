/**
 * A wallet-like client of attestation-based client authentication
 * (draft-ietf-oauth-attestation-based-client-auth-10): a Client Attester with its own key, and a
 * Client Instance whose key the attester binds through `cnf.jwk`; both generated per run. It
 * signs the two JWTs of §4 and §5.1 and the two request headers that carry them.
 */
import { randomUUID } from 'node:crypto';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';

export interface Wallet {
  clientId: string;
  /** The attester's identifier (the `iss` of its attestations) and its key pair. */
  attester: { iss: string; privateKey: CryptoKey; publicJwk: JWK };
  /** The Client Instance Key. */
  instance: { privateKey: CryptoKey; publicJwk: JWK };
}

/** A wallet: attester key (ES256, `kid` `attester-1`) and instance key (ES256), fresh for each call. */
export async function createWallet(clientId: string, iss = 'https://attester.example.test'): Promise<Wallet> {
  const [attester, instance] = await Promise.all([
    generateKeyPair('ES256', { extractable: true }),
    generateKeyPair('ES256', { extractable: true }),
  ]);
  return {
    clientId,
    attester: {
      iss,
      privateKey: attester.privateKey,
      publicJwk: { ...(await exportJWK(attester.publicKey)), kid: 'attester-1', alg: 'ES256', use: 'sig' },
    },
    instance: { privateKey: instance.privateKey, publicJwk: await exportJWK(instance.publicKey) },
  };
}

/** The attesters option (and `ATTESTATION_ISSUERS` file content) that trusts this wallet's attester. */
export function attestersOf(...wallets: Wallet[]): Record<string, { jwks: { keys: JWK[] } }> {
  return Object.fromEntries(
    wallets.map((wallet) => [wallet.attester.iss, { jwks: { keys: [wallet.attester.publicJwk] } }]),
  );
}

export interface AttestationOverrides {
  /** Claims merged over the defaults (`undefined` removes one). */
  claims?: Record<string, unknown>;
  /** JOSE header merged over `{ alg: 'ES256', typ: 'oauth-client-attestation+jwt', kid }`. */
  header?: Record<string, unknown>;
  /** Sign with this key instead of the attester's. */
  signingKey?: CryptoKey;
}

function withoutUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

async function sign(
  payload: Record<string, unknown>,
  header: Record<string, unknown>,
  key: CryptoKey,
): Promise<string> {
  return new SignJWT(withoutUndefined(payload) as JWTPayload)
    .setProtectedHeader(withoutUndefined(header) as { alg: string })
    .sign(key);
}

/** The Client Attestation JWT (§4): `iss`, `sub`, `iat`, `exp` an hour on, `cnf.jwk`. */
export function attestationJwt(wallet: Wallet, overrides: AttestationOverrides = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return sign(
    {
      iss: wallet.attester.iss,
      sub: wallet.clientId,
      iat: now,
      exp: now + 3600,
      cnf: { jwk: wallet.instance.publicJwk },
      ...overrides.claims,
    },
    { alg: 'ES256', typ: 'oauth-client-attestation+jwt', kid: 'attester-1', ...overrides.header },
    overrides.signingKey ?? wallet.attester.privateKey,
  );
}

/** The Client Attestation PoP JWT (§5.1): `aud`, `jti`, `iat`, and `challenge` when given. */
export function popJwt(
  wallet: Wallet,
  audience: string,
  overrides: AttestationOverrides & { challenge?: string } = {},
): Promise<string> {
  return sign(
    {
      aud: audience,
      jti: randomUUID(),
      iat: Math.floor(Date.now() / 1000),
      challenge: overrides.challenge,
      ...overrides.claims,
    },
    { alg: 'ES256', typ: 'oauth-client-attestation-pop+jwt', ...overrides.header },
    overrides.signingKey ?? wallet.instance.privateKey,
  );
}

/** The two request headers (§4, §5.1) of one authentication. */
export async function attestationHeaders(
  wallet: Wallet,
  audience: string,
  options: { attestation?: AttestationOverrides; pop?: AttestationOverrides & { challenge?: string } } = {},
): Promise<[string, string][]> {
  return [
    ['OAuth-Client-Attestation', await attestationJwt(wallet, options.attestation)],
    ['OAuth-Client-Attestation-PoP', await popJwt(wallet, audience, options.pop)],
  ];
}
