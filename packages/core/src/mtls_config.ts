/**
 * The RFC 8705 part of the authenticator options: where certificates come from, which trust
 * anchors validate them, minimum key sizes, and the mTLS endpoint aliases. Normalised once at
 * setup; bad values throw `TypeError`.
 */
import type { X509Certificate } from 'node:crypto';
import { fail } from './option_checks.js';
import { checkOptionNames, optionNames } from './option_names.js';
import {
  type CertificateSource,
  type CertificateSourceOptions,
  normalizeCertificateSource,
} from './proxy/certificate_source.js';
import { MAX_RSA_BITS } from './rsa_keys.js';
import { ENDPOINT_NAMES, type EndpointName } from './types.js';
import { createPathValidator, type PathValidator } from './x509/path_validation.js';
import { readPemBundle } from './x509/pem.js';

/**
 * Minimum key sizes, in bits, of the keys in client certificates (`minimumKeySizes`). The
 * defaults are floors: they can only be raised.
 *
 * @example
 * ```ts
 * const minimumKeySizes: MinimumKeySizes = { rsa: 3072, ec: 224 }
 * createClientAuthenticator({ issuer, getClient, minimumKeySizes })
 * ```
 * @see https://openid.net/specs/fapi-2_0-security-profile.html
 */
export interface MinimumKeySizes {
  /** RSA modulus length. Default and floor 2048 (FAPI 1 Part 1 §5.2.2-5, FAPI 2 §5.4.1, RFC 7518 §3.3). */
  rsa?: number;
  /**
   * Elliptic-curve field size; Ed25519 counts as 256. Default and floor 160 (FAPI 1 Part 1 §5.2.2-6); FAPI 2
   * (§5.4.1) asks for 224.
   */
  ec?: number;
}

/**
 * The mTLS options of {@link ClientAuthenticatorOptions}, documented field by field: where the
 * client certificate comes from, the trust anchors, key sizes and the RFC 8705 metadata.
 *
 * @example
 * ```ts
 * const mtls: MtlsOptions = {
 *   trustAnchors: readFileSync('client-ca.pem', 'utf8'),
 *   certificates: { from: 'nginx', trustedProxies: ['10.0.0.0/8'], chainValidated: true },
 *   mtlsEndpointAliases: { token: 'https://mtls.as.example.com/token' },
 *   tlsClientCertificateBoundAccessTokens: true,
 * }
 * createClientAuthenticator({ issuer, getClient, ...mtls })
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc8705#section-2
 */
export interface MtlsOptions {
  /**
   * Where the client certificate comes from. Default `{ from: 'socket' }`: the TLS connection the
   * adapter reports. Behind a TLS-terminating proxy, name its header format and the proxy
   * addresses allowed to set it; the header is ignored from any other peer. `chainValidated: true`
   * says that the TLS server (through its own `ca` option) or the proxy validates client
   * certificates against the CAs you trust for client authentication: one of the two trust
   * sources `tls_client_auth` needs, `trustAnchors` being the other. Without either,
   * `tls_client_auth` is not enabled (RFC 8705 §7.4): Node validates client certificates against
   * its bundled public roots when the server has no `ca`.
   */
  certificates?: CertificateSourceOptions;
  /**
   * PEM bundle (or several) of the CAs trusted for `tls_client_auth` (RFC 8705 §7.4: limit the
   * trust anchors). When set, a presented chain must also pass RFC 5280 path validation to one of
   * these anchors here (PKI.js plus the checks it lacks: name constraints per CA, path length,
   * clientAuth key usage, unknown critical extensions, SHA-1/MD5 signatures). A certificate from
   * the TLS socket needs the TLS layer's verdict as well (`socket.authorized`): this check only
   * narrows OpenSSL's, never overrides it. A certificate from a proxy header is judged here alone.
   * When absent, `tls_client_auth` is enabled only with `certificates.chainValidated: true`, and
   * the chain must then have been validated by the TLS layer (`socket.authorized`) or by the
   * trusted proxy.
   */
  trustAnchors?: string | readonly string[];
  /** Minimum sizes of the keys in client certificates; they can only be raised above the defaults. */
  minimumKeySizes?: MinimumKeySizes;
  /**
   * RFC 8705 §5 `mtls_endpoint_aliases`: the URLs at which the endpoints also accept mutual TLS,
   * by endpoint name. Published in the metadata, and accepted as assertion audiences like the
   * endpoints themselves.
   */
  mtlsEndpointAliases?: Partial<Record<EndpointName, string>>;
  /**
   * RFC 8705 §3.3 `tls_client_certificate_bound_access_tokens` in the metadata: set it when the
   * host binds its access tokens to `result.certificate.thumbprint` (`cnf.x5t#S256`). Default false.
   */
  tlsClientCertificateBoundAccessTokens?: boolean;
}

/** The option names of {@link MinimumKeySizes}. */
const KEY_SIZE_OPTION_NAMES = optionNames<MinimumKeySizes>({ rsa: true, ec: true });

/** The normalised mTLS configuration. */
export interface MtlsConfig {
  certificateSource: CertificateSource;
  /** Path validation against `trustAnchors`, when they are configured. */
  trustAnchors: PathValidator | undefined;
  /**
   * Whether the configuration names who validates `tls_client_auth` chains ({@link chainTrustConfigured}):
   * without it the method is neither enabled by default nor allowed in `methods`.
   */
  chainTrustConfigured: boolean;
  minimumKeySizes: Readonly<Required<MinimumKeySizes>>;
  mtlsEndpointAliases: Readonly<Partial<Record<EndpointName, string>>>;
  tlsClientCertificateBoundAccessTokens: boolean;
}

export const DEFAULT_MINIMUM_KEY_SIZES: Readonly<Required<MinimumKeySizes>> = Object.freeze({ rsa: 2048, ec: 160 });

/** The defaults are floors (DESIGN §3: "RSA ≥ 2048 always"): the minimums can only be raised. */
function checkBits(value: unknown, name: string, floor: number): number {
  if (value === undefined) return floor;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value > 16384) {
    fail(`${name} must be a whole number of bits`);
  }
  if (value < floor) fail(`${name} must not be below ${floor}`);
  return value;
}

function readAnchors(value: MtlsOptions['trustAnchors']): PathValidator | undefined {
  if (value === undefined) return undefined;
  const bundles = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(bundles) || bundles.length === 0 || bundles.some((item) => typeof item !== 'string')) {
    fail('trustAnchors must be a PEM string or an array of PEM strings');
  }
  const anchors: X509Certificate[] = [];
  for (const bundle of bundles) {
    try {
      anchors.push(...readPemBundle(bundle));
    } catch {
      fail('trustAnchors must hold PEM certificates');
    }
  }
  for (const anchor of anchors) if (!anchor.ca) fail('trustAnchors must be CA certificates');
  return createPathValidator(anchors);
}

function readAliases(value: MtlsOptions['mtlsEndpointAliases']): Partial<Record<EndpointName, string>> {
  const aliases: Partial<Record<EndpointName, string>> = {};
  if (value === undefined) return aliases;
  if (value === null || typeof value !== 'object') fail('mtlsEndpointAliases must be an object');
  for (const [name, url] of Object.entries(value)) {
    if (!ENDPOINT_NAMES.includes(name as EndpointName)) {
      fail(`mtlsEndpointAliases: unknown endpoint ${JSON.stringify(name)}`);
    }
    if (url === undefined) continue;
    let parsed: URL | undefined;
    try {
      parsed = typeof url === 'string' ? new URL(url) : undefined;
    } catch {
      parsed = undefined;
    }
    // RFC 8705 §5: the aliases are where mutual TLS is spoken, so https only.
    if (parsed === undefined || parsed.protocol !== 'https:' || parsed.hash !== '') {
      fail(`mtlsEndpointAliases.${name} must be an https URL`);
    }
    aliases[name as EndpointName] = url as string;
  }
  return aliases;
}

/**
 * Whether `tls_client_auth` has a trust source the deployer chose: `trustAnchors`, or a TLS
 * terminator said to validate against the client CAs (`certificates.chainValidated`: the proxy,
 * or the TLS server through its own `ca`). The TLS layer's verdict alone is not one: without `ca`,
 * Node accepts any certificate issued by one of its bundled public roots, and RFC 8705 §7.4 ("the
 * authorization server SHOULD only accept as trust anchors a limited number of CAs") warns that a
 * certificate with the client's subject from another trusted CA then impersonates the client.
 */
export function chainTrustConfigured(trustAnchors: PathValidator | undefined, source: CertificateSource): boolean {
  return trustAnchors !== undefined || source.chainValidated;
}

/** Validate and normalise the mTLS options. Throws `TypeError` on the first problem. */
export function normalizeMtlsOptions(options: MtlsOptions): MtlsConfig {
  const sizes = options.minimumKeySizes;
  if (sizes !== undefined) {
    if (sizes === null || typeof sizes !== 'object') fail('minimumKeySizes must be an object');
    checkOptionNames(sizes, KEY_SIZE_OPTION_NAMES, 'minimumKeySizes');
  }
  const rsa = checkBits(sizes?.rsa, 'minimumKeySizes.rsa', DEFAULT_MINIMUM_KEY_SIZES.rsa);
  // Above MAX_RSA_BITS no RSA key would ever be accepted (rsa_keys.ts): a configuration mistake.
  if (rsa > MAX_RSA_BITS) fail(`minimumKeySizes.rsa must not be above ${MAX_RSA_BITS} (MAX_RSA_BITS)`);
  const bound = options.tlsClientCertificateBoundAccessTokens;
  if (bound !== undefined && typeof bound !== 'boolean')
    fail('tlsClientCertificateBoundAccessTokens must be a boolean');
  const certificateSource = normalizeCertificateSource(options.certificates);
  const trustAnchors = readAnchors(options.trustAnchors);
  return {
    certificateSource,
    trustAnchors,
    chainTrustConfigured: chainTrustConfigured(trustAnchors, certificateSource),
    minimumKeySizes: Object.freeze({
      rsa,
      ec: checkBits(sizes?.ec, 'minimumKeySizes.ec', DEFAULT_MINIMUM_KEY_SIZES.ec),
    }),
    mtlsEndpointAliases: Object.freeze(readAliases(options.mtlsEndpointAliases)),
    tlsClientCertificateBoundAccessTokens: bound === true,
  };
}
