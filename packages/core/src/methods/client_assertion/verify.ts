/**
 * `client_secret_jwt` and `private_key_jwt`: JWT client assertions (RFC 7523 §2.2 and §3,
 * draft-ietf-oauth-rfc7523bis, OpenID Connect Core §9), verified with `jose`.
 *
 * Order: the envelope was parsed with the credentials (credentials/assertion.ts) → header rules
 * and key selection from the client's *registration* only → signature → claims → `jti` recorded in
 * the replay store. The `jti` is recorded last, so that a forged or invalid assertion can never
 * burn a legitimate one.
 */
import { compactVerify } from 'jose';
import { isAsymmetricAlgorithm, isHmacAlgorithm } from '../../algorithms.js';
import type { AssertionCredential } from '../../credentials/credential.js';
import { type Awaitable, andThen, type VerifiedDetail, type VerifyContext } from '../method.js';
import { checkClaims, consumeJti } from './claims.js';
import { checkHeader, type ProtectedHeader } from './header.js';
import { asymmetricKeys, hmacKeys, type VerificationKey } from './keys.js';
import { refuse } from './refuse.js';

const COMPATIBLE_AUDIENCE: VerifiedDetail = Object.freeze({ audience: 'compatible' });

function signatureInvalid(cause: unknown): never {
  refuse('ERR_ASSERTION_SIGNATURE_INVALID', cause);
}

/** Verify the signature with each candidate key in turn; resolves the verified payload. */
function verifySignature(assertion: string, alg: string, keys: VerificationKey[]): Promise<Uint8Array> {
  if (keys.length === 1) {
    // The usual case (a kid, or one key): no loop to await.
    return compactVerify(assertion, keys[0] as VerificationKey, { algorithms: [alg] }).then(
      ({ payload }) => payload,
      signatureInvalid,
    );
  }
  return verifyWithEach(assertion, alg, keys);
}

async function verifyWithEach(assertion: string, alg: string, keys: VerificationKey[]): Promise<Uint8Array> {
  let lastError: unknown;
  for (const key of keys) {
    try {
      const { payload } = await compactVerify(assertion, key, { algorithms: [alg] });
      return payload;
    } catch (error) {
      lastError = error;
    }
  }
  refuse('ERR_ASSERTION_SIGNATURE_INVALID', lastError);
}

/** Verify a `client_secret_jwt` or `private_key_jwt` credential of the client found. */
export function verifyClientAssertion(
  credential: AssertionCredential,
  context: VerifyContext,
): Promise<VerifiedDetail | undefined> {
  const { client, method, endpoint, config, nowSeconds } = context;
  const header = checkHeader(credential.header, config, client, method, endpoint);
  const keys: Awaitable<VerificationKey[]> =
    method === 'client_secret_jwt' && isHmacAlgorithm(header.alg)
      ? hmacKeys(client, context.keys, header.alg, nowSeconds)
      : isAsymmetricAlgorithm(header.alg)
        ? asymmetricKeys(client, config, context.keys, header.alg, header.kid)
        : refuse('ERR_ASSERTION_ALG_NOT_ALLOWED');
  return Promise.resolve(andThen(keys, (found) => verifyWith(credential, context, header, found)));
}

/** Signature, then claims, then the jti: recorded last, once everything else held. */
async function verifyWith(
  credential: AssertionCredential,
  { clientId, endpoint, config, nowSeconds }: VerifyContext,
  header: ProtectedHeader,
  keys: VerificationKey[],
): Promise<VerifiedDetail | undefined> {
  const payload = await verifySignature(credential.assertion, header.alg, keys);
  const claims = checkClaims(payload, clientId, credential.bodyClientId, header, config, endpoint, nowSeconds);
  await consumeJti(config, clientId, claims);
  // Operators see which clients still rely on the compatible audiences (rfc7523bis §6).
  return claims.audience === 'compatible' ? COMPATIBLE_AUDIENCE : undefined;
}
