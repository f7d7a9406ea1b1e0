/**
 * Where the client certificate comes from: the TLS socket (default), or a header set by a
 * TLS-terminating reverse proxy. A header is read only when its format is configured AND the
 * connection comes from an address in `trustedProxies`; from anyone else it is ignored, because
 * any client can send any header. A malformed header means "no certificate", never a 500.
 */
import { X509Certificate } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import { pemToDer } from './certificates.js';
import { InvalidRequest } from './errors.js';
import { fail } from './option_checks.js';
import type { ClientAuthRequest, PresentedCertificate } from './types.js';

/** Proxy header formats understood. */
export type CertificateHeaderFormat = 'rfc9440' | 'nginx' | 'envoy' | 'traefik' | 'aws-alb';

export const CERTIFICATE_HEADER_FORMATS: readonly CertificateHeaderFormat[] = [
  'rfc9440',
  'nginx',
  'envoy',
  'traefik',
  'aws-alb',
];

/** The header each format reads by default (lower-case). */
export const DEFAULT_CERTIFICATE_HEADERS: Record<CertificateHeaderFormat, string> = {
  // RFC 9440 §2.2
  rfc9440: 'client-cert',
  // `proxy_set_header ssl-client-cert $ssl_client_escaped_cert;` (the name Keycloak documents)
  nginx: 'ssl-client-cert',
  // Envoy `forward_client_cert_details`
  envoy: 'x-forwarded-client-cert',
  // Traefik `passTLSClientCert: { pem: true }`
  traefik: 'x-forwarded-tls-client-cert',
  // AWS Application Load Balancer, mTLS passthrough mode
  'aws-alb': 'x-amzn-mtls-clientcert',
};

/** Options of a certificate source: `certificates` in the authenticator options. */
export type CertificateSourceOptions =
  | {
      /** Read the peer certificate of the TLS connection (the adapter's `request.certificate`). */
      from: 'socket';
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

/** The normalised certificate source. */
export interface CertificateSource {
  from: 'socket' | CertificateHeaderFormat;
  header: string;
  chainValidated: boolean;
  isTrusted: (address: string | undefined) => boolean;
}

/** Largest certificate header value decoded, in characters (certificate chains are a few KiB). */
export const MAX_CERTIFICATE_HEADER_LENGTH = 64 * 1024;
const MAX_HEADER_LENGTH = MAX_CERTIFICATE_HEADER_LENGTH;
/**
 * Most chain certificates (besides the end-entity one) a header may carry; a longer chain means no
 * certificate. Counted before anything is decoded.
 */
export const MAX_CERTIFICATE_CHAIN = 10;

function pemBlocks(text: string): number {
  return text.split('-----BEGIN CERTIFICATE-----').length - 1;
}

function unmapped(address: string): string {
  // IPv4-mapped IPv6 (RFC 4291 §2.5.5.2), as dual-stack sockets report IPv4 peers.
  const match = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return match ? (match[1] as string) : address;
}

/** Build the matcher of `trustedProxies`. Throws `TypeError` on a malformed entry. */
export function trustedProxyMatcher(entries: readonly string[]): (address: string | undefined) => boolean {
  if (!Array.isArray(entries) || entries.length === 0) {
    fail('certificates.trustedProxies must be a non-empty array of addresses or CIDR ranges');
  }
  const list = new BlockList();
  for (const entry of entries) {
    if (typeof entry !== 'string') fail('certificates.trustedProxies entries must be strings');
    const [address = '', prefix, extra] = entry.trim().split('/');
    const host = unmapped(address);
    const family = isIP(host);
    if (family === 0 || extra !== undefined)
      fail(`certificates.trustedProxies: invalid entry ${JSON.stringify(entry)}`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (prefix === undefined) {
      list.addAddress(host, type);
      continue;
    }
    const bits = Number(prefix);
    if (!/^\d{1,3}$/.test(prefix) || bits > (family === 4 ? 32 : 128)) {
      fail(`certificates.trustedProxies: invalid prefix length in ${JSON.stringify(entry)}`);
    }
    list.addSubnet(host, bits, type);
  }
  return (address) => {
    if (address === undefined) return false;
    const host = unmapped(address);
    const family = isIP(host);
    if (family === 0) return false;
    return list.check(host, family === 4 ? 'ipv4' : 'ipv6');
  };
}

/** Normalise `certificates`. Throws `TypeError` on bad values. */
export function normalizeCertificateSource(options: CertificateSourceOptions | undefined): CertificateSource {
  if (options === undefined) return { from: 'socket', header: '', chainValidated: false, isTrusted: () => false };
  if (options === null || typeof options !== 'object') fail('certificates must be an object');
  if (options.from === 'socket') return { from: 'socket', header: '', chainValidated: false, isTrusted: () => false };
  if (!CERTIFICATE_HEADER_FORMATS.includes(options.from)) {
    fail(`certificates.from must be 'socket' or one of ${CERTIFICATE_HEADER_FORMATS.join(', ')}`);
  }
  if (options.chainValidated !== undefined && typeof options.chainValidated !== 'boolean') {
    fail('certificates.chainValidated must be a boolean');
  }
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

/** A certificate decoded from a header: the end-entity DER and the rest of the chain. */
export interface DecodedCertificate {
  der: Uint8Array;
  chain: Uint8Array[];
}

/** RFC 8941 §3.3.5 sf-binary: `:base64:`. */
const SF_BINARY = /^:([A-Za-z0-9+/]*={0,2}):$/;

function sfBinary(item: string): Uint8Array | undefined {
  const match = SF_BINARY.exec(item.trim());
  if (match === null || match[1] === '') return undefined;
  return new Uint8Array(Buffer.from(match[1] as string, 'base64'));
}

/** Percent-decode (not form-decode: `+` is a base64 character here). */
function percentDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

function single(value: string | string[] | undefined): string | undefined {
  if (Array.isArray(value)) return value.length === 1 ? value[0] : undefined;
  return value;
}

function fromPem(text: string | undefined, allowChain: boolean): DecodedCertificate | undefined {
  if (text === undefined || pemBlocks(text) > MAX_CERTIFICATE_CHAIN + 1) return undefined;
  const ders = pemToDer(text);
  const [der, ...chain] = ders;
  if (der === undefined || (!allowChain && chain.length > 0)) return undefined;
  return { der, chain };
}

/** RFC 9440 `Client-Cert` and `Client-Cert-Chain`. */
function decodeRfc9440(headers: ClientAuthRequest['headers'], name: string): DecodedCertificate | undefined {
  const value = headers[name];
  if (value === undefined) return undefined;
  // RFC 9440 §2.2: "Client-Cert … MUST NOT … have a list of values or occur multiple times in a
  // request." Node joins repeated headers with ", ", so a comma reveals either.
  if ((Array.isArray(value) && value.length > 1) || single(value)?.includes(',')) {
    throw new InvalidRequest('ERR_CERTIFICATE_HEADER_REPEATED', `the ${name} header must not be repeated`);
  }
  const der = sfBinary(single(value) ?? '');
  if (der === undefined) return undefined;
  const chain: Uint8Array[] = [];
  const chainHeader = headers[`${name}-chain`];
  const chainValue = Array.isArray(chainHeader) ? chainHeader.join(',') : chainHeader;
  if (chainValue !== undefined && chainValue.trim() !== '') {
    const items = chainValue.split(',');
    if (items.length > MAX_CERTIFICATE_CHAIN) return undefined;
    for (const item of items) {
      const link = sfBinary(item);
      if (link === undefined) return undefined;
      chain.push(link);
    }
  }
  return { der, chain };
}

/** Split on `separator` outside double quotes. */
function splitQuoted(text: string, separator: string): string[] | undefined {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i] as string;
    if (quoted && char === '\\') {
      current += char + (text[i + 1] ?? '');
      i += 1;
    } else if (char === '"') {
      quoted = !quoted;
      current += char;
    } else if (!quoted && char === separator) {
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  if (quoted) return undefined;
  parts.push(current);
  return parts;
}

function unquote(value: string): string {
  const trimmed = value.trim();
  if (trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"')) {
    return trimmed.slice(1, -1).replace(/\\(.)/g, '$1');
  }
  return trimmed;
}

/**
 * Envoy `x-forwarded-client-cert`: `By=…;Hash=…;Cert="<url-encoded PEM>";Chain="…"`. Only a
 * single element is accepted (the proxy configured with `SANITIZE_SET`): with several, which one
 * describes the client depends on the hops, so none is trusted.
 */
function decodeEnvoy(value: string): DecodedCertificate | undefined {
  const elements = splitQuoted(value, ',');
  if (elements === undefined || elements.length !== 1) return undefined;
  const pairs = splitQuoted(elements[0] as string, ';');
  if (pairs === undefined) return undefined;
  let cert: string | undefined;
  let chain: string | undefined;
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    if (equals === -1) continue;
    const key = pair.slice(0, equals).trim().toLowerCase();
    if (key === 'cert') cert = unquote(pair.slice(equals + 1));
    else if (key === 'chain') chain = unquote(pair.slice(equals + 1));
  }
  if (cert === undefined) return undefined;
  const decoded = fromPem(percentDecode(cert), false);
  if (decoded === undefined) return undefined;
  if (chain !== undefined) {
    // Envoy's Chain includes the end-entity certificate first.
    const links = fromPem(percentDecode(chain), true);
    if (links === undefined) return undefined;
    decoded.chain = [links.der, ...links.chain].filter((der) => !Buffer.from(der).equals(Buffer.from(decoded.der)));
  }
  return decoded;
}

/** Traefik `passTLSClientCert` with `pem: true`: base64 DER without armour, chain comma-separated. */
function decodeTraefik(value: string): DecodedCertificate | undefined {
  const text = value.includes('%') ? percentDecode(value) : value;
  if (text === undefined) return undefined;
  const ders: Uint8Array[] = [];
  const items = text.split(',');
  if (items.length > MAX_CERTIFICATE_CHAIN + 1) return undefined;
  for (const item of items) {
    const body = item.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) return undefined;
    ders.push(new Uint8Array(Buffer.from(body, 'base64')));
  }
  const [der, ...chain] = ders;
  return der === undefined ? undefined : { der, chain };
}

/**
 * Decode a proxy certificate header. Returns undefined when the header is absent or malformed;
 * throws `invalid_request` only for a repeated RFC 9440 `Client-Cert` (RFC 9440 §2.2).
 */
export function decodeCertificateHeader(
  format: CertificateHeaderFormat,
  headers: ClientAuthRequest['headers'],
  name: string = DEFAULT_CERTIFICATE_HEADERS[format],
): DecodedCertificate | undefined {
  const raw = headers[name];
  if (raw === undefined) return undefined;
  const lengths = Array.isArray(raw) ? raw.reduce((sum, item) => sum + item.length, 0) : raw.length;
  if (lengths > MAX_HEADER_LENGTH) return undefined;
  if (format === 'rfc9440') return decodeRfc9440(headers, name);
  const value = single(raw);
  if (value === undefined || value.trim() === '') return undefined;
  switch (format) {
    case 'nginx':
      // $ssl_client_escaped_cert: the end-entity certificate, URL-escaped PEM.
      return fromPem(percentDecode(value), false);
    case 'aws-alb':
      // Passthrough mode: URL-encoded PEM, the end-entity certificate first, then the chain.
      return fromPem(percentDecode(value), true);
    case 'envoy':
      return decodeEnvoy(value);
    case 'traefik':
      return decodeTraefik(value);
  }
}

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
