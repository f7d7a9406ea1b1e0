/**
 * Mutual-TLS client authentication (RFC 8705 §2): `tls_client_auth` (PKI: a validated chain plus
 * exactly one registered subject name) and `self_signed_tls_client_auth` (the certificate itself
 * is registered in the client's JWK Set). In both, the TLS handshake proved possession of the
 * certificate's private key; this module decides whether that certificate is the client's.
 */
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import type { Config } from '../config.js';
import type { ClientIdCredential } from '../credentials/credential.js';
import { InvalidClient } from '../errors.js';
import { registeredKeys } from '../jwks/registered_keys.js';
import { rsaKeyVerdict } from '../rsa_keys.js';
import type { ClientJWK, ClientMetadata, PresentedCertificate } from '../types.js';
import { type ParsedCertificate, parseCertificate } from '../x509/certificate.js';
import { parseDistinguishedName } from '../x509/distinguished_name.js';
import { distinguishedNameMatch } from '../x509/name_match.js';
import type { PathValidator } from '../x509/path_validation.js';
import { dnsNameMatch, emailMatch, ipAddressMatch, uriMatch } from '../x509/subject_alt_name.js';
import type { Verifier } from './method.js';

/**
 * The RFC 8705 §2.1.2 metadata fields, one of which a `tls_client_auth` client registers: the
 * subject DN or one subject alternative name its certificate must carry.
 *
 * @example
 * ```ts
 * const registered = TLS_CLIENT_AUTH_IDENTIFIERS.filter((field) => client[field] !== undefined)
 * if (registered.length !== 1) throw new Error('register exactly one tls_client_auth identifier')
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc8705#section-2.1.2
 */
export const TLS_CLIENT_AUTH_IDENTIFIERS = [
  'tls_client_auth_subject_dn',
  'tls_client_auth_san_dns',
  'tls_client_auth_san_uri',
  'tls_client_auth_san_ip',
  'tls_client_auth_san_email',
] as const;

type Identifier = (typeof TLS_CLIENT_AUTH_IDENTIFIERS)[number];

/** The presented certificate, parsed; `invalid_client` when there is none (RFC 8705 §2). */
function presentedCertificate(certificate: PresentedCertificate | undefined): ParsedCertificate {
  if (certificate === undefined) throw new InvalidClient('ERR_MTLS_CERTIFICATE_MISSING');
  try {
    return parseCertificate(certificate.der);
  } catch (cause) {
    throw new InvalidClient('ERR_MTLS_CERTIFICATE_MALFORMED', { cause });
  }
}

/**
 * RSA ≥ 2048 and EC ≥ 160 bits by default (FAPI 1 Part 1 §5.2.2-5/6); a profile raises them. An
 * RSA key must also have a modulus of at most 8192 bits and an odd exponent with 2^16 < e < 2^33
 * (FIPS 186-4 §B.3.1, tightened: rsa_keys.ts), the bounds its JWK would be held to.
 */
function checkKeySize(certificate: ParsedCertificate, config: Config): void {
  const { family, bits, publicExponent } = certificate.key;
  const minimum =
    family === 'rsa' ? config.minimumKeySizes.rsa : family === 'ec' || family === 'okp' ? config.minimumKeySizes.ec : 0;
  if (minimum === 0 || bits < minimum) throw new InvalidClient('ERR_MTLS_KEY_TOO_WEAK');
  if (family === 'rsa' && rsaKeyVerdict(bits, publicExponent, minimum) !== 'ok') {
    throw new InvalidClient('ERR_MTLS_KEY_UNSUITABLE');
  }
}

/** The single registered identifier; more or fewer is a registration error (RFC 8705 §2.1.2). */
function registeredIdentifier(client: ClientMetadata): [Identifier, string] {
  const present = TLS_CLIENT_AUTH_IDENTIFIERS.filter((name) => client[name] !== undefined && client[name] !== null);
  const name = present[0];
  const value = name === undefined ? undefined : client[name];
  // "Only one subject name value of any type is used for each client." (RFC 8705 §2.1)
  if (present.length !== 1 || name === undefined || typeof value !== 'string' || value === '') {
    throw new InvalidClient('ERR_CLIENT_METADATA_INVALID');
  }
  return [name, value];
}

function identifierMatches(name: Identifier, value: string, certificate: ParsedCertificate): boolean {
  switch (name) {
    case 'tls_client_auth_subject_dn': {
      let registered: ReturnType<typeof parseDistinguishedName>;
      try {
        registered = parseDistinguishedName(value);
      } catch (cause) {
        throw new InvalidClient('ERR_CLIENT_METADATA_INVALID', { cause });
      }
      return distinguishedNameMatch(registered, certificate.subject);
    }
    case 'tls_client_auth_san_dns':
      return certificate.san.dns.some((presented) => dnsNameMatch(value, presented));
    case 'tls_client_auth_san_uri':
      return certificate.san.uri.some((presented) => uriMatch(value, presented));
    case 'tls_client_auth_san_ip':
      return certificate.san.ip.some((presented) => ipAddressMatch(value, presented));
    case 'tls_client_auth_san_email':
      return certificate.san.email.some((presented) => emailMatch(value, presented));
  }
}

/**
 * True when the certificate came from the configured proxy header (`resolveCertificate` marks it
 * with the header format); anything else is a socket certificate and needs the TLS layer's verdict.
 */
function fromProxyHeader(presented: PresentedCertificate, config: Config): boolean {
  const { from } = config.certificateSource;
  return from !== 'socket' && presented.source === from;
}

/**
 * RFC 8705 §2.1 with configured trust anchors: the chain must validate to one of them here (RFC
 * 8705 §7.4: limit the trust anchors). That narrows the TLS layer's verdict and never stands in
 * for it: a socket certificate also needs `socket.authorized` (OpenSSL's full RFC 5280 validation).
 * A proxy-header certificate is judged here alone. Validation runs first, so its precise code wins.
 */
async function validateToAnchors(
  presented: PresentedCertificate,
  certificate: ParsedCertificate,
  validator: PathValidator,
  config: Config,
  now: number,
): Promise<void> {
  const failure = await validator.validate(certificate.x509, presented.chain ?? [], now);
  if (failure !== undefined) throw new InvalidClient(failure);
  if (!fromProxyHeader(presented, config) && !presented.chainValidated) {
    throw new InvalidClient('ERR_MTLS_CHAIN_NOT_VALIDATED');
  }
}

/**
 * `tls_client_auth` (RFC 8705 §2.1): a chain validated to a trust anchor, a certificate within its
 * validity period with a key of sufficient size, and a match of the client's one registered
 * subject DN or SAN. Asynchronous when `trustAnchors` are configured (path validation runs on
 * WebCrypto's promise API); synchronous otherwise.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8705#section-2.1
 */
export const verifyTlsClientAuth: Verifier<ClientIdCredential> = (_credential, { request, client, config }) => {
  const certificate = presentedCertificate(request.certificate);
  const [name, value] = registeredIdentifier(client);
  const now = config.now();
  const presented = request.certificate as PresentedCertificate;
  const validator = config.trustAnchors;
  if (validator === undefined) {
    // No anchors: the method is enabled only with certificates.chainValidated (config.ts), so the
    // TLS layer's (or the trusted proxy's) verdict is the one the deployer chose to trust.
    if (!presented.chainValidated) throw new InvalidClient('ERR_MTLS_CHAIN_NOT_VALIDATED');
    return checkCertificate(certificate, name, value, config, now);
  }
  return validateToAnchors(presented, certificate, validator, config, now).then(() =>
    checkCertificate(certificate, name, value, config, now),
  );
};

/** The checks after the chain: validity period, key size, the registered identifier. */
function checkCertificate(
  certificate: ParsedCertificate,
  name: Identifier,
  value: string,
  config: Config,
  now: number,
): undefined {
  if (now < certificate.notBefore) throw new InvalidClient('ERR_MTLS_CERTIFICATE_NOT_YET_VALID');
  if (now > certificate.notAfter) throw new InvalidClient('ERR_MTLS_CERTIFICATE_EXPIRED');
  checkKeySize(certificate, config);
  if (!identifierMatches(name, value, certificate)) {
    throw new InvalidClient(
      name === 'tls_client_auth_subject_dn' ? 'ERR_MTLS_SUBJECT_DN_MISMATCH' : 'ERR_MTLS_SAN_MISMATCH',
    );
  }
  return undefined;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The DER of a JWK's `x5c[0]` (RFC 7517 §4.7: base64, not base64url), when it has one. */
function firstX5c(jwk: ClientJWK): Buffer | undefined {
  const first = Array.isArray(jwk.x5c) ? jwk.x5c[0] : undefined;
  if (typeof first !== 'string' || !BASE64.test(first)) return undefined;
  return Buffer.from(first, 'base64');
}

/** RFC 7517 §4.7: "The key in the first certificate MUST match the public key represented by other members of the JWK." */
function jwkMatchesCertificateKey(jwk: ClientJWK, certificate: ParsedCertificate): boolean {
  try {
    const { x5c: _x5c, ...members } = jwk;
    const key = createPublicKey({ key: members as JsonWebKey, format: 'jwk' });
    return key.equals(certificate.x509.publicKey);
  } catch {
    return false;
  }
}

/**
 * `self_signed_tls_client_auth` (RFC 8705 §2.2): the presented certificate is, octet for octet,
 * `x5c[0]` of one of the client's registered JWKs. The chain is not validated (§2.2); a JWK whose
 * certificate carries another key than the JWK itself is ignored (§2.2.2, RFC 7517 §4.7).
 *
 * @see https://www.rfc-editor.org/rfc/rfc8705#section-2.2
 */
export const verifySelfSignedTlsClientAuth: Verifier<ClientIdCredential> = async (_credential, context) => {
  const { request, config } = context;
  const certificate = presentedCertificate(request.certificate);
  checkKeySize(certificate, config);
  const presented = Buffer.from(certificate.der);
  const matches = (keys: readonly ClientJWK[]) =>
    keys.some((jwk) => {
      if (jwk === null || typeof jwk !== 'object') return false;
      const registered = firstX5c(jwk);
      return registered?.equals(presented) === true && jwkMatchesCertificateKey(jwk, certificate);
    });
  if (matches(await registeredKeys(context.client, context.config))) return;
  // A certificate rotated at the jwks_uri since the last fetch: one re-fetch (RFC 8705 §2.2).
  if (
    context.client.jwks_uri !== undefined &&
    matches(await registeredKeys(context.client, context.config, { refresh: true }))
  )
    return;
  throw new InvalidClient('ERR_MTLS_SELF_SIGNED_MISMATCH');
};
