/**
 * RFC 7591 client metadata validation for what client authentication reads: the method, its keys,
 * secrets, signing algorithm and mTLS identifier, checked against a profile. Every problem is
 * returned (not only the first), each in the RFC 7591 §3.2.2 `invalid_client_metadata` form, so a
 * registration endpoint can answer with them and a server can refuse to start listing them all.
 */
import { isAsymmetricAlgorithm, isHmacAlgorithm, MIN_HMAC_SECRET_OCTETS, SIGNING_ALGORITHMS } from './algorithms.js';
import { checkJwks, checkJwksUri, type Report } from './client_metadata_keys.js';
import { addressOctets } from './ip/address.js';
import { TLS_CLIENT_AUTH_IDENTIFIERS } from './methods/tls_client_auth.js';
import { fail } from './option_checks.js';
import { IMPLEMENTED_METHODS } from './options.js';
import { PROFILE_NAMES, PROFILES, type ProfileName } from './policy/profiles.js';
import { enforcedRules } from './policy/rules.js';
import { AUTH_METHODS, type AuthMethod } from './types.js';
import { parseDistinguishedName } from './x509/distinguished_name.js';

/**
 * One problem, in the RFC 7591 §3.2.2 error form, with the field it concerns.
 *
 * @example
 * ```ts
 * const problem: ClientMetadataProblem | undefined = validateClientMetadata(client).problems[0]
 * if (problem) res.status(400).json({ error: problem.error, error_description: problem.error_description })
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-3.2.2
 */
export interface ClientMetadataProblem {
  error: 'invalid_client_metadata';
  error_description: string;
  /** The metadata field at fault. */
  field: string;
}

/**
 * What {@link validateClientMetadata} returns: whether the metadata is valid, and every problem.
 *
 * @example
 * ```ts
 * const { valid, problems }: ClientMetadataValidation = validateClientMetadata(client, { profile: 'fapi2' })
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-3.2.2
 */
export interface ClientMetadataValidation {
  valid: boolean;
  problems: ClientMetadataProblem[];
}

/**
 * Options of {@link validateClientMetadata}: the same names as the authenticator's.
 *
 * @example
 * ```ts
 * const options: ValidateClientMetadataOptions = { profile: 'fapi1-advanced', methods: ['private_key_jwt'] }
 * validateClientMetadata(client, options)
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-2
 */
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
  if (hasJwksUri) checkJwksUri(client.jwks_uri, options.allowHttpJwksUri, rules.rule('jwks-uri-https'), problem);
  // An option may raise the profile's EC floor (FAPI 1 Part 1 §5.2.2-6, FAPI 2 §5.4.1), never lower it.
  const minEcBits = Math.max(options.minEcBits ?? 160, rules.minEcBits ?? 0);
  if (hasJwks) checkJwks(client.jwks, minEcBits, method, problem);

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
      if (addressOctets(value) === undefined) problem(field, 'tls_client_auth_san_ip must be an IPv4 or IPv6 address');
      break;
    case 'tls_client_auth_san_email':
      if (!/^[^@\s]+@[^@\s]+$/.test(value)) problem(field, 'tls_client_auth_san_email must be an email address');
      break;
  }
}
