/**
 * RFC 7591 client metadata validation for what client authentication reads: the method, its keys,
 * secrets, signing algorithm and mTLS identifier, checked against a profile. Every problem is
 * returned (not only the first), each in the RFC 7591 §3.2.2 `invalid_client_metadata` form, so a
 * registration endpoint can answer with them and a server can refuse to start listing them all.
 */
import { createPublicKey, X509Certificate } from 'node:crypto';
import {
  isAsymmetricAlgorithm,
  isHmacAlgorithm,
  MIN_HMAC_SECRET_OCTETS,
  MIN_RSA_BITS,
  methodAlgorithms,
  rsaModulusBits,
  SIGNING_ALGORITHMS,
} from './algorithms.js';
import { certificateKey, ipAddressBytes, parseDistinguishedName } from './certificates.js';
import { TLS_CLIENT_AUTH_IDENTIFIERS } from './methods/tls_client_auth.js';
import { fail } from './option_checks.js';
import { IMPLEMENTED_METHODS } from './options.js';
import { PROFILE_NAMES, PROFILES, type ProfileName, type ProfileRule } from './policy/profiles.js';
import { enforcedRules } from './policy/rules.js';
import { MAX_RSA_BITS, MAX_RSA_EXPONENT_BITS, rsaJwkExponent, rsaKeyVerdict } from './rsa_keys.js';
import { AUTH_METHODS, type AuthMethod, type ClientJWK } from './types.js';

/** One problem, in the RFC 7591 §3.2.2 error form, with the field it concerns. */
export interface ClientMetadataProblem {
  error: 'invalid_client_metadata';
  error_description: string;
  /** The metadata field at fault. */
  field: string;
}

export interface ClientMetadataValidation {
  valid: boolean;
  problems: ClientMetadataProblem[];
}

/** Options of {@link validateClientMetadata}: the same names as the authenticator's. */
export interface ValidateClientMetadataOptions {
  /** Hold the client to a profile's methods, algorithms, public-client and key-size rules. */
  profile?: ProfileName;
  /** Methods the server enables (default: every implemented method the profile allows). */
  methods?: readonly AuthMethod[];
  /** Algorithms the server enables for assertions (default: every one the profile allows). */
  signingAlgorithms?: readonly string[];
  /** Accept an `http` jwks_uri (local development only; never under FAPI 1 Advanced or FAPI 2). */
  allowHttpJwksUri?: boolean;
  /** Smallest EC key in bits (default 160, or the profile's). */
  minEcBits?: number;
}

const TLS_IDENTIFIERS = TLS_CLIENT_AUTH_IDENTIFIERS;

const CURVE_BITS: Record<string, number> = { 'P-256': 256, 'P-384': 384, 'P-521': 521, Ed25519: 256, Ed448: 448 };
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];
// RFC 1123 host names (letters, digits, hyphens; dots between labels), no wildcard.
const DNS_NAME =
  /^(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/**
 * Validate registered client metadata for client authentication. Returns every problem found.
 *
 * @example
 * ```ts
 * const { valid, problems } = validateClientMetadata(client, { profile: 'fapi2' })
 * if (!valid) res.status(400).json(problems[0]) // RFC 7591 §3.2.2
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-2
 */
export function validateClientMetadata(
  metadata: unknown,
  options: ValidateClientMetadataOptions = {},
): ClientMetadataValidation {
  const problems: ClientMetadataProblem[] = [];
  const problem = (field: string, description: string) =>
    problems.push({ error: 'invalid_client_metadata', error_description: description, field });

  if (options.profile !== undefined && !PROFILE_NAMES.includes(options.profile)) {
    fail(`profile must be one of ${PROFILE_NAMES.join(', ')}`);
  }
  const profile = options.profile === undefined ? undefined : PROFILES[options.profile];
  const rules = enforcedRules(profile);

  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
    problem('client_id', 'client metadata must be a JSON object');
    return { valid: false, problems };
  }
  const client = metadata as Record<string, unknown>;
  if (typeof client.client_id !== 'string' || client.client_id === '')
    problem('client_id', 'client_id must be a non-empty string');

  // RFC 7591 §2: token_endpoint_auth_method defaults to client_secret_basic.
  const rawMethod = client.token_endpoint_auth_method ?? 'client_secret_basic';
  const method = AUTH_METHODS.includes(rawMethod as AuthMethod) ? (rawMethod as AuthMethod) : undefined;
  if (method === undefined) {
    problem('token_endpoint_auth_method', `unknown token_endpoint_auth_method ${JSON.stringify(rawMethod)}`);
  } else {
    // The profile's method list and its no-public-clients rule (policy/rules.ts), then the server's.
    const refusing = rules.refusingMethod(method);
    if (refusing.length > 0) {
      const what = refusing[0]?.id === 'methods' ? method : 'public clients';
      problem(
        'token_endpoint_auth_method',
        `${what} is not allowed by ${profile?.title} (${refusing.map((r) => r.section).join(', ')})`,
      );
    } else if (
      options.methods !== undefined ? !options.methods.includes(method) : !IMPLEMENTED_METHODS.includes(method)
    ) {
      problem('token_endpoint_auth_method', `${method} is not enabled on this server`);
    }
  }

  // RFC 7591 §2: jwks and jwks_uri MUST NOT both be present.
  const hasJwks = client.jwks !== undefined;
  const hasJwksUri = client.jwks_uri !== undefined;
  if (hasJwks && hasJwksUri) problem('jwks', 'jwks and jwks_uri must not both be present (RFC 7591 §2)');
  const needsKeys = method === 'private_key_jwt' || method === 'self_signed_tls_client_auth';
  if (needsKeys && !hasJwks && !hasJwksUri) problem('jwks', `${method} needs the client's keys in jwks or jwks_uri`);
  if (hasJwksUri) checkJwksUri(client.jwks_uri, options, rules.rule('jwks-uri-https'), problem);
  // An option may raise the profile's EC floor (FAPI 1 Part 1 §5.2.2-6, FAPI 2 §5.4.1), never lower it.
  const minEcBits = Math.max(options.minEcBits ?? 160, rules.minEcBits ?? 0);
  if (hasJwks) checkJwks(client.jwks, options, minEcBits, method, problem);

  // RFC 8705 §2.1.2: exactly one identifier for tls_client_auth, each well-formed.
  const identifiers = TLS_IDENTIFIERS.filter((field) => client[field] !== undefined);
  if (method === 'tls_client_auth' && identifiers.length !== 1) {
    problem(
      'tls_client_auth_subject_dn',
      `tls_client_auth needs exactly one of ${TLS_IDENTIFIERS.join(', ')} (RFC 8705 §2.1.2), found ${identifiers.length}`,
    );
  }
  for (const field of identifiers) checkIdentifier(field, client[field], problem);

  // Registration §2: token_endpoint_auth_signing_alg binds; "none" MUST NOT be used.
  const alg = client.token_endpoint_auth_signing_alg;
  if (alg !== undefined) {
    if (typeof alg !== 'string' || alg === 'none') {
      problem(
        'token_endpoint_auth_signing_alg',
        'token_endpoint_auth_signing_alg must name a JWS algorithm other than none',
      );
    } else if (!SIGNING_ALGORITHMS.includes(alg as never)) {
      problem('token_endpoint_auth_signing_alg', `unsupported token_endpoint_auth_signing_alg ${alg}`);
    } else {
      if (method === 'client_secret_jwt' && !isHmacAlgorithm(alg)) {
        problem('token_endpoint_auth_signing_alg', 'client_secret_jwt uses HS256, HS384 or HS512');
      }
      if (method === 'private_key_jwt' && !isAsymmetricAlgorithm(alg)) {
        problem('token_endpoint_auth_signing_alg', 'private_key_jwt uses an asymmetric algorithm');
      }
      const algorithmsRule = rules.refusingAlgorithm(alg);
      if (algorithmsRule !== undefined) {
        problem(
          'token_endpoint_auth_signing_alg',
          `${alg} is not allowed by ${profile?.title} (${algorithmsRule.section})`,
        );
      } else if (options.signingAlgorithms !== undefined && !options.signingAlgorithms.includes(alg)) {
        problem('token_endpoint_auth_signing_alg', `${alg} is not enabled on this server`);
      }
    }
  }

  checkSecrets(client, method, alg, problem);
  return { valid: problems.length === 0, problems };
}

type Report = (field: string, description: string) => void;

function checkSecrets(client: Record<string, unknown>, method: AuthMethod | undefined, alg: unknown, problem: Report) {
  const secret = client.client_secret;
  if (secret !== undefined && (typeof secret !== 'string' || secret === '')) {
    problem('client_secret', 'client_secret must be a non-empty string');
  }
  const expires = client.client_secret_expires_at;
  if (expires !== undefined && (typeof expires !== 'number' || !Number.isInteger(expires) || expires < 0)) {
    problem(
      'client_secret_expires_at',
      'client_secret_expires_at is seconds since the epoch, or 0 for never (RFC 7591 §3.2.1)',
    );
  }
  const entries = client.client_secrets;
  if (entries !== undefined) {
    const ok =
      Array.isArray(entries) &&
      entries.every(
        (entry) =>
          entry !== null &&
          typeof entry === 'object' &&
          (typeof entry.value === 'string' || typeof entry.hash === 'string') &&
          (entry.expires_at === undefined || typeof entry.expires_at === 'number'),
      );
    if (!ok) problem('client_secrets', 'client_secrets must be an array of { value | hash, expires_at? }');
  }
  const plain: string[] = [];
  if (typeof secret === 'string') plain.push(secret);
  let hashed = false;
  if (Array.isArray(entries)) {
    for (const entry of entries) {
      if (typeof entry?.value === 'string') plain.push(entry.value);
      if (typeof entry?.hash === 'string') hashed = true;
    }
  }
  if ((method === 'client_secret_basic' || method === 'client_secret_post') && plain.length === 0 && !hashed) {
    problem('client_secret', `${method} needs a client_secret`);
  }
  if (method === 'client_secret_jwt') {
    // OpenID Connect Core §16.19 (FAPI 1 Part 1 §5.2.2-3): the secret is the HMAC key, retrievable
    // and at least as long as the hash: 32/48/64 octets for HS256/384/512.
    if (plain.length === 0)
      problem('client_secret', 'client_secret_jwt needs a retrievable (not hashed) client_secret');
    const needed = typeof alg === 'string' && isHmacAlgorithm(alg) ? MIN_HMAC_SECRET_OCTETS[alg] : 32;
    if (plain.some((value) => Buffer.byteLength(value, 'utf8') < needed)) {
      problem(
        'client_secret',
        `client_secret_jwt needs a secret of at least ${needed} octets (OpenID Connect Core §16.19)`,
      );
    }
  }
}

function checkJwksUri(
  value: unknown,
  options: ValidateClientMetadataOptions,
  httpsRule: ProfileRule | undefined,
  problem: Report,
) {
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (url === undefined) {
    problem('jwks_uri', 'jwks_uri must be an absolute URL');
    return;
  }
  if (url.protocol === 'https:') return;
  if (url.protocol === 'http:' && options.allowHttpJwksUri === true && httpsRule === undefined) return;
  problem('jwks_uri', `jwks_uri must use https${httpsRule ? ` (${httpsRule.section})` : ''}`);
}

function checkJwks(
  value: unknown,
  _options: ValidateClientMetadataOptions,
  minEcBits: number,
  method: AuthMethod | undefined,
  problem: Report,
) {
  const keys = (value as { keys?: unknown } | null)?.keys;
  if (value === null || typeof value !== 'object' || !Array.isArray(keys)) {
    problem('jwks', 'jwks must be a JWK Set: an object with a "keys" array (RFC 7517 §5)');
    return;
  }
  keys.forEach((jwk: unknown, index: number) => {
    const at = `jwks.keys[${index}]`;
    if (jwk === null || typeof jwk !== 'object' || typeof (jwk as ClientJWK).kty !== 'string') {
      problem('jwks', `${at} must be a JWK with a kty (RFC 7517 §4.1)`);
      return;
    }
    const key = jwk as ClientJWK;
    if (PRIVATE_MEMBERS.some((member) => key[member] !== undefined)) {
      problem('jwks', `${at} holds private key material: register public keys only`);
    }
    if (key.kty === 'RSA') checkRsaKey(rsaModulusBits(key), rsaJwkExponent(key), at, problem);
    if (key.kty === 'EC' || key.kty === 'OKP') {
      const bits = CURVE_BITS[String(key.crv)];
      if (bits === undefined) problem('jwks', `${at}: unsupported curve ${JSON.stringify(key.crv)}`);
      else if (bits < minEcBits) problem('jwks', `${at}: elliptic curve keys must be at least ${minEcBits} bits`);
    }
    if (key.alg !== undefined && method !== undefined && methodAlgorithms(method).length > 0) {
      if (!methodAlgorithms(method).includes(key.alg as never))
        problem('jwks', `${at}: alg ${key.alg} cannot serve ${method}`);
    }
    if (key.x5c !== undefined) checkX5c(key, at, problem);
  });
}

/**
 * An RSA key (of a JWK or of its x5c[0]) within the bounds the verifiers apply: RFC 7518 §3.3's
 * 2048-bit floor, and the exponent and modulus bounds of rsa_keys.ts (FIPS 186-4 §B.3.1 tightened),
 * so that a registration is refused for a key that would never be tried.
 */
function checkRsaKey(bits: number, exponent: bigint | undefined, at: string, problem: Report) {
  const verdict = rsaKeyVerdict(bits, exponent, MIN_RSA_BITS);
  if (verdict === 'too-weak') problem('jwks', `${at}: RSA keys must be at least ${MIN_RSA_BITS} bits (RFC 7518 §3.3)`);
  else if (bits > MAX_RSA_BITS) problem('jwks', `${at}: RSA keys must be at most ${MAX_RSA_BITS} bits`);
  else if (verdict === 'unsuitable') {
    problem(
      'jwks',
      `${at}: the RSA public exponent must be odd, above 2^16 (FIPS 186-4 §B.3.1) and below 2^${MAX_RSA_EXPONENT_BITS}`,
    );
  }
}

/** RFC 7517 §4.7 / RFC 8705 §2.2.2: the key in the first x5c certificate must be the JWK's key. */
function checkX5c(key: ClientJWK, at: string, problem: Report) {
  const first = Array.isArray(key.x5c) ? key.x5c[0] : undefined;
  if (typeof first !== 'string') {
    problem('jwks', `${at}: x5c must be an array of base64 DER certificates`);
    return;
  }
  try {
    const certificate = new X509Certificate(Buffer.from(first, 'base64'));
    const fromCertificate = certificate.publicKey.export({ format: 'jwk' });
    const { kty, n, e, crv, x, y } = key;
    const fromJwk = createPublicKey({ key: { kty, n, e, crv, x, y } as never, format: 'jwk' }).export({
      format: 'jwk',
    });
    if (JSON.stringify(fromCertificate) !== JSON.stringify(fromJwk)) {
      problem('jwks', `${at}: the key of x5c[0] is not the JWK's key (RFC 7517 §4.7)`);
    }
    const size = certificateKey(certificate);
    if (size.family === 'rsa') checkRsaKey(size.bits, size.publicExponent, `${at}: x5c[0]`, problem);
  } catch {
    problem('jwks', `${at}: x5c[0] is not a parsable certificate matching its JWK`);
  }
}

function checkIdentifier(field: (typeof TLS_IDENTIFIERS)[number], value: unknown, problem: Report) {
  if (typeof value !== 'string' || value === '') {
    problem(field, `${field} must be a non-empty string`);
    return;
  }
  switch (field) {
    case 'tls_client_auth_subject_dn':
      try {
        if (parseDistinguishedName(value).length === 0) problem(field, 'the subject DN is empty');
      } catch {
        problem(field, 'tls_client_auth_subject_dn is not a valid RFC 4514 distinguished name');
      }
      break;
    case 'tls_client_auth_san_dns':
      if (!DNS_NAME.test(value)) problem(field, 'tls_client_auth_san_dns must be a DNS name (no wildcards)');
      break;
    case 'tls_client_auth_san_uri':
      try {
        new URL(value);
      } catch {
        problem(field, 'tls_client_auth_san_uri must be an absolute URI');
      }
      break;
    case 'tls_client_auth_san_ip':
      if (ipAddressBytes(value) === undefined) problem(field, 'tls_client_auth_san_ip must be an IPv4 or IPv6 address');
      break;
    case 'tls_client_auth_san_email':
      if (!/^[^@\s]+@[^@\s]+$/.test(value)) problem(field, 'tls_client_auth_san_email must be an email address');
      break;
  }
}
