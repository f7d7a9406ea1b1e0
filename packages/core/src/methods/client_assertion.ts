/**
 * `client_secret_jwt` and `private_key_jwt`: JWT client assertions (RFC 7523 §2.2 and §3,
 * draft-ietf-oauth-rfc7523bis, OpenID Connect Core §9), verified with `jose`.
 *
 * Order: envelope (type, size, compact syntax, header) → algorithm and key selection from the
 * client's *registration* only → signature → claims → `jti` recorded in the replay store. The
 * `jti` is recorded last, so that a forged or invalid assertion can never burn a legitimate one.
 */
import { type CryptoKey, compactVerify, importJWK } from 'jose';
import {
  isAsymmetricAlgorithm,
  isHmacAlgorithm,
  keyFitsAlgorithm,
  MIN_HMAC_SECRET_OCTETS,
  methodAlgorithms,
  rsaModulusBits,
  type SigningAlgorithm,
  sameAlgorithm,
} from '../algorithms.js';
import type { AudienceMode, Config } from '../config.js';
import { JWT_BEARER_ASSERTION_TYPE, MAX_CLIENT_ID_LENGTH, type PresentedCredential } from '../credentials.js';
import { type ErrorCodeOf, InvalidClient, isOAuthError, TemporarilyUnavailable } from '../errors.js';
import { registeredKeys } from '../keys.js';
import { rsaJwkExponent, rsaKeyVerdict } from '../rsa_keys.js';
import { isExpired, secretEntries } from '../secrets.js';
import type { AuthMethod, ClientJWK, ClientMetadata, EndpointName } from '../types.js';
import type { MethodVerifier, VerifiedDetail, VerifyContext } from './method.js';

const COMPATIBLE_AUDIENCE: VerifiedDetail = Object.freeze({ audience: 'compatible' });

/** Longest `client_assertion` accepted, checked before any decoding or crypto: 8 KiB. */
export const MAX_ASSERTION_LENGTH = 8 * 1024;
/** Most registered keys (or secrets) tried for one assertion without a usable `kid`. */
export const MAX_KEY_CANDIDATES = 8;
/** Longest `jti` accepted (characters). */
export const MAX_JTI_LENGTH = 1024;

// RFC 7515 §7.1: three base64url segments; an empty signature would be an unsecured JWS.
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find them
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/** Header parameters jose understands as `crit` extensions; none of them is accepted here. */
const REGISTERED_HEADER_PARAMETERS = new Set([
  'alg',
  'jku',
  'jwk',
  'kid',
  'x5u',
  'x5c',
  'x5t',
  'x5t#S256',
  'typ',
  'cty',
  'crit',
]);

/**
 * `typ` values accepted, compared case-insensitively without an `application/` prefix
 * (RFC 7515 §4.1.9). rfc7523bis §4 registers `client-authentication+jwt`; absent and `JWT` stay
 * accepted (rfc7523bis §4: "NOT RECOMMENDED for servers to reject JWTs that do not have explicit
 * types"). Any other explicit type (`dpop+jwt`, `at+jwt`, …) is another kind of token.
 */
const EXPLICIT_TYPE = 'client-authentication+jwt';

function fail(code: ErrorCodeOf<'InvalidClient'>, cause?: unknown): never {
  throw new InvalidClient(code, cause === undefined ? undefined : { cause });
}

function decodeJson(segment: string): unknown {
  return JSON.parse(utf8.decode(Buffer.from(segment, 'base64url')));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The last assertion split (the client lookup and the verifier both need its parts). */
let lastSplit: { assertion: string; parts: [string, string, string] } | undefined;

/** Split and syntax-check an assertion; the size cap comes first (no work on oversized input). */
function splitAssertion(assertion: string): [string, string, string] {
  if (lastSplit !== undefined && lastSplit.assertion === assertion) return lastSplit.parts;
  if (assertion.length > MAX_ASSERTION_LENGTH) fail('ERR_ASSERTION_TOO_LARGE');
  // RFC 7523 §2.2: a single JWT, "MUST NOT contain more than one"; a JWE or JSON serialization is not one.
  if (!COMPACT_JWS.test(assertion)) fail('ERR_ASSERTION_MALFORMED');
  const parts = assertion.split('.') as [string, string, string];
  lastSplit = { assertion, parts };
  return parts;
}

/**
 * The client an assertion names, read *without* verifying it: `sub`, else `iss` (RFC 7523 §3
 * items 1 and 2: both are the client_id). Used only to find the client whose registered keys
 * then verify the signature. Bounded: the size cap is checked before decoding.
 */
export function assertionClientId(assertion: string): string {
  const [, payload] = splitAssertion(assertion);
  let claims: unknown;
  try {
    claims = decodeJson(payload);
  } catch (cause) {
    fail('ERR_ASSERTION_MALFORMED', cause);
  }
  if (!isPlainObject(claims)) fail('ERR_ASSERTION_MALFORMED');
  const named = typeof claims.sub === 'string' ? claims.sub : claims.iss;
  if (typeof named !== 'string') fail('ERR_ASSERTION_SUB_MISMATCH');
  if (named === '' || named.length > MAX_CLIENT_ID_LENGTH || CONTROL_CHARACTERS.test(named)) {
    fail('ERR_ASSERTION_CLAIMS_INVALID');
  }
  return named;
}

interface ProtectedHeader {
  alg: string;
  kid: string | undefined;
  explicitlyTyped: boolean;
}

/** Check the JOSE header (RFC 7515 §4, RFC 7519 §5). */
function checkHeader(
  segment: string,
  config: Config,
  client: ClientMetadata,
  method: AuthMethod,
  endpoint: EndpointName,
): ProtectedHeader {
  let header: unknown;
  try {
    header = decodeJson(segment);
  } catch (cause) {
    fail('ERR_ASSERTION_HEADER_INVALID', cause);
  }
  if (!isPlainObject(header)) fail('ERR_ASSERTION_HEADER_INVALID');

  if (header.crit !== undefined) {
    // RFC 7515 §4.1.11: a non-empty array of unique names, none of them registered header
    // parameters; we understand no extension, so any well-formed crit is refused too.
    const crit = header.crit;
    if (
      !Array.isArray(crit) ||
      crit.length === 0 ||
      crit.some((name) => typeof name !== 'string' || REGISTERED_HEADER_PARAMETERS.has(name)) ||
      new Set(crit).size !== crit.length
    ) {
      fail('ERR_ASSERTION_HEADER_INVALID');
    }
    fail('ERR_ASSERTION_CRIT_UNSUPPORTED');
  }

  const alg = header.alg;
  if (typeof alg !== 'string') fail('ERR_ASSERTION_HEADER_INVALID');
  // RFC 7523 §3 item 9: signed or MACed — never `none`. The allow-list is split by method.
  if (
    !methodAlgorithms(method).includes(alg as SigningAlgorithm) ||
    !config.endpointAlgorithms[endpoint].has(alg as SigningAlgorithm)
  ) {
    fail('ERR_ASSERTION_ALG_NOT_ALLOWED');
  }
  // OpenID Connect Registration §2: token_endpoint_auth_signing_alg — "All Token Requests using
  // these authentication methods from this Client MUST be rejected, if the JWT is not signed with
  // this algorithm."
  const bound = client.token_endpoint_auth_signing_alg;
  if (bound !== undefined && !sameAlgorithm(bound, alg)) fail('ERR_ASSERTION_ALG_MISMATCH');

  let explicitlyTyped = false;
  if (header.typ !== undefined) {
    if (typeof header.typ !== 'string') fail('ERR_ASSERTION_HEADER_INVALID');
    const typ = header.typ.toLowerCase().replace(/^application\//, '');
    explicitlyTyped = typ === EXPLICIT_TYPE;
    if (!explicitlyTyped && typ !== 'jwt') fail('ERR_ASSERTION_TYP_INVALID');
  }
  if (header.kid !== undefined && typeof header.kid !== 'string') fail('ERR_ASSERTION_HEADER_INVALID');
  // Header jwk/jku/x5u/x5c are never read: keys come only from the client's registration.
  return { alg, kid: header.kid as string | undefined, explicitlyTyped };
}

type VerificationKey = Uint8Array | CryptoKey;

/**
 * Imported public keys, per registered JWK object and algorithm (imports cost more than a
 * verify): the import while it runs, then the key itself (no promise to await afterwards).
 */
const importedKeys = new WeakMap<object, Map<string, VerificationKey | Promise<VerificationKey>>>();

/** Only the public members: a registered JWK that carries private parts is still used as public. */
function publicJwk(jwk: ClientJWK): Record<string, unknown> {
  if (jwk.kty === 'RSA') return { kty: 'RSA', n: jwk.n, e: jwk.e };
  if (jwk.kty === 'EC') return { kty: 'EC', crv: jwk.crv, x: jwk.x, y: jwk.y };
  return { kty: jwk.kty, crv: jwk.crv, x: jwk.x };
}

function importKey(jwk: ClientJWK, alg: string): VerificationKey | Promise<VerificationKey> {
  let byAlg = importedKeys.get(jwk);
  if (byAlg === undefined) {
    byAlg = new Map();
    importedKeys.set(jwk, byAlg);
  }
  let key = byAlg.get(alg);
  if (key === undefined) {
    const pending = importJWK(publicJwk(jwk), alg) as Promise<VerificationKey>;
    byAlg.set(alg, pending);
    pending.then(
      (imported) => {
        if (byAlg.get(alg) === pending) byAlg.set(alg, imported);
      },
      () => byAlg.delete(alg),
    );
    key = pending;
  }
  return key;
}

/** Registered keys that may verify `alg` (and carry `kid`, when the header names one). */
function candidates(keys: readonly ClientJWK[], alg: string, kid: string | undefined): ClientJWK[] {
  return keys.filter((jwk) => keyFitsAlgorithm(jwk, alg) && (kid === undefined || jwk.kid === kid));
}

/**
 * The verification keys of a `private_key_jwt` assertion, from the client's registration only.
 * Synchronous for inline `jwks` whose keys were imported before (the usual case under load).
 */
function asymmetricKeys(
  client: ClientMetadata,
  config: Config,
  alg: string,
  kid: string | undefined,
): VerificationKey[] | Promise<VerificationKey[]> {
  // A private_key_jwt client with no registered keys at all is misregistered (RFC 7591 §2).
  if (client.jwks === undefined && client.jwks_uri === undefined) fail('ERR_CLIENT_METADATA_INVALID');
  const registered = registeredKeys(client, config);
  if (registered instanceof Promise) return registered.then((keys) => keysOf(keys, client, config, alg, kid));
  return keysOf(registered, client, config, alg, kid);
}

function keysOf(
  registered: readonly ClientJWK[],
  client: ClientMetadata,
  config: Config,
  alg: string,
  kid: string | undefined,
): VerificationKey[] | Promise<VerificationKey[]> {
  const fitting = candidates(registered, alg, kid);
  if (fitting.length === 0 && client.jwks_uri !== undefined) {
    // An unknown kid (or no key of this type): the client may have rotated. One re-fetch per cool-down.
    return Promise.resolve(registeredKeys(client, config, { refresh: true })).then((keys) =>
      importFitting(candidates(keys, alg, kid), config, alg),
    );
  }
  return importFitting(fitting, config, alg);
}

function importFitting(
  fitting: readonly ClientJWK[],
  config: Config,
  alg: string,
): VerificationKey[] | Promise<VerificationKey[]> {
  if (fitting.length === 0) fail('ERR_ASSERTION_KEY_NOT_FOUND');
  // RSA keys below the minimum size, or outside the exponent and modulus bounds (rsa_keys.ts), are
  // never imported nor tried: their verification would cost what the attacker chose.
  let tooWeak = false;
  const usable = fitting.filter((jwk) => {
    if (jwk.kty !== 'RSA') return true;
    const verdict = rsaKeyVerdict(rsaModulusBitsCached(jwk), rsaJwkExponent(jwk), config.minimumKeySizes.rsa);
    if (verdict === 'too-weak') tooWeak = true;
    return verdict === 'ok';
  });
  if (usable.length === 0) fail(tooWeak ? 'ERR_ASSERTION_KEY_TOO_WEAK' : 'ERR_ASSERTION_KEY_UNSUITABLE');
  const imports = usable.slice(0, MAX_KEY_CANDIDATES).map((jwk) => importKey(jwk, alg));
  if (!imports.some((key) => key instanceof Promise)) return imports as VerificationKey[];
  return Promise.allSettled(imports).then((settled) => {
    // A malformed registered key verifies nothing; the others may still do.
    const keys = settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    if (keys.length === 0) fail('ERR_CLIENT_METADATA_INVALID');
    return keys;
  });
}

const modulusBits = new WeakMap<object, number>();
function rsaModulusBitsCached(jwk: ClientJWK): number {
  let bits = modulusBits.get(jwk);
  if (bits === undefined) {
    bits = rsaModulusBits(jwk);
    modulusBits.set(jwk, bits);
  }
  return bits;
}

const encoder = new TextEncoder();

/** Imported MAC keys, per client object and algorithm + secret (an import costs more than the MAC). */
const importedSecrets = new WeakMap<object, Map<string, Promise<VerificationKey>>>();

function importSecret(client: ClientMetadata, alg: string, secret: Uint8Array, text: string): Promise<VerificationKey> {
  let byClient = importedSecrets.get(client);
  if (byClient === undefined) {
    byClient = new Map();
    importedSecrets.set(client, byClient);
  }
  const cacheKey = `${alg}\n${text}`;
  let key = byClient.get(cacheKey);
  if (key === undefined) {
    const hash = `SHA-${alg.slice(2)}`;
    key = crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash }, false, ['verify']);
    byClient.set(cacheKey, key);
    key.catch(() => byClient.delete(cacheKey));
  }
  return key;
}

/** The MAC keys of a `client_secret_jwt` assertion: the client's retrievable, unexpired secrets. */
async function hmacKeys(client: ClientMetadata, alg: string, nowSeconds: number): Promise<VerificationKey[]> {
  const plain = secretEntries(client).filter(
    (entry): entry is { value: string; expires_at?: number } => 'value' in entry && typeof entry.value === 'string',
  );
  // A hashed secret cannot be a MAC key (DESIGN.md §3: a retrievable secret is needed).
  if (plain.length === 0) fail('ERR_CLIENT_METADATA_INVALID');
  const active = plain.filter((entry) => !isExpired(entry, nowSeconds));
  if (active.length === 0) fail('ERR_SECRET_EXPIRED');
  const minimum = MIN_HMAC_SECRET_OCTETS[alg as keyof typeof MIN_HMAC_SECRET_OCTETS];
  // OpenID Connect Core §16.19: at least as many octets as the hash output.
  const long = active
    .map((entry) => ({ text: entry.value, bytes: encoder.encode(entry.value) }))
    .filter((secret) => secret.bytes.length >= minimum);
  if (long.length === 0) fail('ERR_ASSERTION_SECRET_TOO_SHORT');
  return Promise.all(
    long.slice(0, MAX_KEY_CANDIDATES).map((secret) => importSecret(client, alg, secret.bytes, secret.text)),
  );
}

function signatureInvalid(cause: unknown): never {
  fail('ERR_ASSERTION_SIGNATURE_INVALID', cause);
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
  fail('ERR_ASSERTION_SIGNATURE_INVALID', lastError);
}

/**
 * Whether `aud` names this server, comparing only URLs from configuration (never from the
 * request): `'issuer'` when it is the issuer as sole value (rfc7523bis §4), `'compatible'` when
 * only the compatible mode accepts it, false when it names another audience.
 */
function audienceMatches(
  aud: unknown,
  mode: AudienceMode,
  config: Config,
  endpoint: EndpointName,
): 'issuer' | 'compatible' | false | 'invalid' {
  const values = typeof aud === 'string' ? [aud] : aud;
  if (!Array.isArray(values) || values.length === 0 || values.some((value) => typeof value !== 'string')) {
    return aud === undefined ? false : 'invalid';
  }
  if (mode === 'issuer-string') return typeof aud === 'string' && aud === config.issuer ? 'issuer' : false;
  // rfc7523bis §4: the issuer "as its sole value"; Document History -03: a one-element array too.
  if (values.length === 1 && values[0] === config.issuer) return 'issuer';
  if (mode === 'issuer') return false;
  // RFC 7523 §3 item 3, CIBA §7.1, RFC 9126 §2 (as published; rfc7523bis §4 and §5 replace them):
  // the issuer, the token endpoint URL or the URL of the endpoint called, alone or among others.
  const accepted = new Set([config.issuer]);
  const token = config.endpoints.token;
  const called = config.endpoints[endpoint];
  if (token !== undefined) accepted.add(token);
  if (called !== undefined) accepted.add(called);
  // RFC 8705 §5: the mTLS aliases are the same endpoints at another URL (also from configuration).
  const tokenAlias = config.mtlsEndpointAliases.token;
  const calledAlias = config.mtlsEndpointAliases[endpoint];
  if (tokenAlias !== undefined) accepted.add(tokenAlias);
  if (calledAlias !== undefined) accepted.add(calledAlias);
  return values.some((value) => accepted.has(value)) ? 'compatible' : false;
}

function numericDate(claims: Record<string, unknown>, name: string): number | undefined {
  const value = claims[name];
  if (value === undefined) return undefined;
  // RFC 7519 §2: NumericDate is a JSON number; a string "exp" is invalid.
  if (typeof value !== 'number' || !Number.isFinite(value)) fail('ERR_ASSERTION_CLAIMS_INVALID');
  return value;
}

interface VerifiedClaims {
  jti: string;
  exp: number;
  /** `'compatible'` when the `aud` passed only because of `audience: 'compatible'`. */
  audience: 'issuer' | 'compatible';
}

/** RFC 7523 §3 and OpenID Connect Core §9 claim rules. */
function checkClaims(
  payload: Uint8Array,
  clientId: string,
  bodyClientId: string | undefined,
  header: ProtectedHeader,
  config: Config,
  endpoint: EndpointName,
  nowSeconds: number,
): VerifiedClaims {
  let claims: unknown;
  try {
    claims = JSON.parse(utf8.decode(payload));
  } catch (cause) {
    fail('ERR_ASSERTION_CLAIMS_INVALID', cause);
  }
  // RFC 7519 §7.2 item 10: the payload of a JWT is a JSON object.
  if (!isPlainObject(claims)) fail('ERR_ASSERTION_CLAIMS_INVALID');
  const tolerance = config.clockTolerance;

  // RFC 7523 §3 items 1 and 2: iss and sub are the client_id (Simple String Comparison); the body
  // client_id, when sent, already chose this client (RFC 7521 §4.2: it "MUST identify the same client").
  if (claims.iss !== undefined && typeof claims.iss !== 'string') fail('ERR_ASSERTION_CLAIMS_INVALID');
  if (claims.sub !== undefined && typeof claims.sub !== 'string') fail('ERR_ASSERTION_CLAIMS_INVALID');
  if (bodyClientId !== undefined && typeof claims.iss === 'string' && claims.iss !== bodyClientId) {
    fail('ERR_CLIENT_ID_MISMATCH');
  }
  if (claims.iss !== clientId) fail('ERR_ASSERTION_ISS_MISMATCH');
  if (claims.sub !== clientId) fail('ERR_ASSERTION_SUB_MISMATCH');

  // rfc7523bis §4: an assertion explicitly typed for client authentication is held to the issuer.
  const mode: AudienceMode = header.explicitlyTyped && config.audience === 'compatible' ? 'issuer' : config.audience;
  const audience = audienceMatches(claims.aud, mode, config, endpoint);
  if (audience === 'invalid') fail('ERR_ASSERTION_CLAIMS_INVALID');
  if (audience === false) fail('ERR_ASSERTION_AUD_MISMATCH');

  // RFC 7523 §3 item 4: exp MUST be present and in the future, allowing for clock skew.
  const exp = numericDate(claims, 'exp');
  const nbf = numericDate(claims, 'nbf');
  const iat = numericDate(claims, 'iat');
  if (exp === undefined) fail('ERR_ASSERTION_EXP_MISSING');
  if (nowSeconds - tolerance >= exp) fail('ERR_ASSERTION_EXPIRED');
  // RFC 7523 §3 item 5: not accepted before nbf.
  if (nbf !== undefined && nowSeconds + tolerance < nbf) fail('ERR_ASSERTION_NOT_YET_VALID');
  // RFC 7519 §4.1.6 / FAPI 2 §5.3.2.1 item 13: an iat beyond the tolerance ahead is refused.
  if (iat !== undefined && iat > nowSeconds + tolerance) fail('ERR_ASSERTION_IAT_IN_FUTURE');
  // DESIGN.md §3: lifetime cap, inclusive; exp − iat when iat is present (both on the client's
  // clock, so no skew to allow for), else exp − now with the tolerance.
  const lifetime = iat !== undefined ? exp - iat : exp - nowSeconds;
  const allowance = iat !== undefined ? 0 : tolerance;
  if (lifetime > config.maxAssertionLifetime + allowance) fail('ERR_ASSERTION_LIFETIME_TOO_LONG');

  // OpenID Connect Core §9: jti is REQUIRED.
  if (claims.jti === undefined || claims.jti === '') fail('ERR_ASSERTION_JTI_MISSING');
  if (typeof claims.jti !== 'string' || claims.jti.length > MAX_JTI_LENGTH) fail('ERR_ASSERTION_CLAIMS_INVALID');
  return { jti: claims.jti, exp, audience };
}

/** Record the jti: once per (client, jti) until the assertion could no longer be accepted. */
async function consumeJti(config: Config, clientId: string, claims: VerifiedClaims): Promise<void> {
  let first: boolean;
  try {
    first = await config.replayStore.consume(clientId, claims.jti, (claims.exp + config.clockTolerance) * 1000);
  } catch (cause) {
    // Fail closed: an assertion whose jti cannot be recorded is refused, never accepted.
    if (isOAuthError(cause)) throw cause;
    throw new TemporarilyUnavailable('ERR_REPLAY_STORE_UNAVAILABLE', { cause });
  }
  // OpenID Connect Core §9: the jti "MUST only be used once".
  if (first !== true) fail('ERR_ASSERTION_REPLAYED');
}

/** Verify a `client_secret_jwt` or `private_key_jwt` credential of the client found. */
export const verifyClientAssertion: MethodVerifier = (context): Promise<VerifiedDetail | undefined> => {
  const { credential, client, method, endpoint, config, nowSeconds } = context;
  if (credential.mechanism !== 'client_assertion') fail('ERR_METHOD_MISMATCH');
  const { assertion, assertionType } = credential as PresentedCredential & { mechanism: 'client_assertion' };
  // RFC 7523 §2.2: compared exactly.
  if (assertionType !== JWT_BEARER_ASSERTION_TYPE) fail('ERR_ASSERTION_TYPE_UNSUPPORTED');
  const [headerSegment] = splitAssertion(assertion);
  const header = checkHeader(headerSegment, config, client, method, endpoint);

  const keys =
    method === 'client_secret_jwt' && isHmacAlgorithm(header.alg)
      ? hmacKeys(client, header.alg, nowSeconds)
      : isAsymmetricAlgorithm(header.alg)
        ? asymmetricKeys(client, config, header.alg, header.kid)
        : fail('ERR_ASSERTION_ALG_NOT_ALLOWED');
  if (keys instanceof Promise) return keys.then((found) => verifyWith(context, assertion, header, found));
  return verifyWith(context, assertion, header, keys);
};

/** Signature, then claims, then the jti: recorded last, once everything else held. */
async function verifyWith(
  { credential, clientId, endpoint, config, nowSeconds }: VerifyContext,
  assertion: string,
  header: ProtectedHeader,
  keys: VerificationKey[],
): Promise<VerifiedDetail | undefined> {
  const payload = await verifySignature(assertion, header.alg, keys);
  const bodyClientId = (credential as PresentedCredential & { mechanism: 'client_assertion' }).clientId;
  const claims = checkClaims(payload, clientId, bodyClientId, header, config, endpoint, nowSeconds);
  await consumeJti(config, clientId, claims);
  // Operators see which clients still rely on the compatible audiences (rfc7523bis §6).
  return claims.audience === 'compatible' ? COMPATIBLE_AUDIENCE : undefined;
}
