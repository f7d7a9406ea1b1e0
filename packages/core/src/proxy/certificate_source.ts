/**
 * Where the client certificate comes from: the TLS socket (default), or a header set by a
 * TLS-terminating reverse proxy. A header is read only when its format is configured AND the
 * connection comes from an address in `trustedProxies`; from anyone else it is ignored, because
 * any client can send any header. A malformed header means "no certificate".
 */
import { X509Certificate } from 'node:crypto';
import { fail } from '../option_checks.js';
import { checkOptionNames, optionNames } from '../option_names.js';
import type { ClientAuthRequest, PresentedCertificate } from '../types.js';
import {
  CERTIFICATE_HEADER_FORMATS,
  type CertificateHeaderFormat,
  DEFAULT_CERTIFICATE_HEADERS,
  decodeCertificateHeader,
} from './certificate_headers.js';
import { trustedProxyMatcher } from './trusted_peers.js';

/**
 * Options of a certificate source: `certificates` in the authenticator options. The TLS socket by
 * default; behind a TLS-terminating proxy, its header format and the proxy addresses trusted to
 * set it.
 *
 * @example
 * ```ts
 * const certificates: CertificateSourceOptions = {
 *   from: 'envoy',
 *   trustedProxies: ['10.0.0.0/8', 'fd00::/8'],
 *   chainValidated: true, // envoy validated the chain against the client CA
 * }
 * createClientAuthenticator({ issuer, getClient, certificates })
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc9440#section-2
 */
export type CertificateSourceOptions =
  | {
      /** Read the peer certificate of the TLS connection (the adapter's `request.certificate`). */
      from: 'socket';
      /**
       * Whether your TLS server validates client certificates against the CAs you trust for
       * client authentication: its `ca` option lists them (and only them). Default false:
       * `tls_client_auth` then needs `trustAnchors`. Node validates client certificates against
       * its bundled public roots when `ca` is absent, so `socket.authorized` alone does not say
       * who issued the certificate (RFC 8705 §7.4). Each connection still needs the TLS layer's
       * verdict (`socket.authorized`); this only says that the verdict is worth trusting.
       */
      chainValidated?: boolean;
    }
  | {
      /** Read the certificate from the header a TLS-terminating proxy sets, in this format. */
      from: CertificateHeaderFormat;
      /**
       * Peer addresses allowed to set the header: IPv4/IPv6 addresses or CIDR ranges
       * (`10.0.0.0/8`, `fd00::/8`). IPv4-mapped IPv6 peers (`::ffff:10.1.2.3`) match IPv4 entries.
       */
      trustedProxies: readonly string[];
      /**
       * Whether the proxy validated the client's certificate chain (for example nginx
       * `ssl_verify_client on` with `ssl_client_certificate`). Default false: `tls_client_auth`
       * then needs `trustAnchors` to validate the chain here.
       */
      chainValidated?: boolean;
      /** Override the header name (case-insensitive). Default per format. */
      header?: string;
    };

/** The option names of each form of {@link CertificateSourceOptions}. */
const SOCKET_OPTION_NAMES = optionNames<Extract<CertificateSourceOptions, { from: 'socket' }>>({
  from: true,
  chainValidated: true,
});
const HEADER_OPTION_NAMES = optionNames<Exclude<CertificateSourceOptions, { from: 'socket' }>>({
  from: true,
  trustedProxies: true,
  chainValidated: true,
  header: true,
});

/** The normalised certificate source. */
export interface CertificateSource {
  from: 'socket' | CertificateHeaderFormat;
  header: string;
  chainValidated: boolean;
  isTrusted: (address: string | undefined) => boolean;
}

/** Normalise `certificates`. Throws `TypeError` on bad values. */
export function normalizeCertificateSource(options: CertificateSourceOptions | undefined): CertificateSource {
  if (options === undefined) return { from: 'socket', header: '', chainValidated: false, isTrusted: () => false };
  if (options === null || typeof options !== 'object') fail('certificates must be an object');
  if (options.chainValidated !== undefined && typeof options.chainValidated !== 'boolean') {
    fail('certificates.chainValidated must be a boolean');
  }
  if (options.from === 'socket') {
    // A proxy's settings beside `from: 'socket'` would be ignored: say so rather than trust no one silently.
    checkOptionNames(options, SOCKET_OPTION_NAMES, "certificates (from: 'socket')");
    return { from: 'socket', header: '', chainValidated: options.chainValidated === true, isTrusted: () => false };
  }
  if (!CERTIFICATE_HEADER_FORMATS.includes(options.from)) {
    fail(`certificates.from must be 'socket' or one of ${CERTIFICATE_HEADER_FORMATS.join(', ')}`);
  }
  checkOptionNames(options, HEADER_OPTION_NAMES, 'certificates');
  const header = options.header ?? DEFAULT_CERTIFICATE_HEADERS[options.from];
  if (typeof header !== 'string' || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(header)) {
    fail('certificates.header must be a header name');
  }
  return {
    from: options.from,
    header: header.toLowerCase(),
    chainValidated: options.chainValidated === true,
    isTrusted: trustedProxyMatcher(options.trustedProxies),
  };
}

/** Normalise `certificates`. Throws `TypeError` on bad values. */

function wellFormed(der: Uint8Array): boolean {
  try {
    new X509Certificate(der);
    return true;
  } catch {
    return false;
  }
}

/**
 * The certificate of a request, from the configured source. For a header source and a peer in
 * `trustedProxies`, only the header counts (the socket certificate, if any, is the proxy's own);
 * from any other peer the header is ignored and the socket certificate is used.
 */
export function resolveCertificate(
  source: CertificateSource,
  request: ClientAuthRequest,
): PresentedCertificate | undefined {
  if (source.from === 'socket' || !source.isTrusted(request.peerAddress)) return request.certificate;
  const decoded = decodeCertificateHeader(source.from, request.headers, source.header);
  if (decoded === undefined || !wellFormed(decoded.der)) return undefined;
  const certificate: PresentedCertificate = {
    der: decoded.der,
    chainValidated: source.chainValidated,
    source: source.from,
  };
  if (decoded.chain.length > 0) certificate.chain = decoded.chain;
  return certificate;
}
