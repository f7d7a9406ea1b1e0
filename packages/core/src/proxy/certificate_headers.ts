/**
 * The certificate headers of TLS-terminating proxies, decoded: RFC 9440 `Client-Cert` (+ chain),
 * nginx escaped PEM, Envoy XFCC, Traefik, AWS ALB passthrough. Bounded before decoding; a
 * malformed header means "no certificate", never a 500. Whether a header is read at all (the
 * trusted peers) is decided in certificate_source.ts.
 */
import { InvalidRequest } from '../errors.js';
import type { ClientAuthRequest } from '../types.js';
import { pemBlockCount, pemToDer } from '../x509/pem.js';

/**
 * Proxy header formats understood: how a TLS-terminating proxy forwards the client certificate it
 * received (`certificates.from`).
 *
 * @example
 * ```ts
 * const from: CertificateHeaderFormat = 'rfc9440' // Client-Cert and Client-Cert-Chain
 * createClientAuthenticator({ issuer, getClient, certificates: { from, trustedProxies: ['10.0.0.0/8'] } })
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc9440#section-2
 */
export type CertificateHeaderFormat = 'rfc9440' | 'nginx' | 'envoy' | 'traefik' | 'aws-alb';

/**
 * Every {@link CertificateHeaderFormat}, to check a format read from configuration before the
 * authenticator is created.
 *
 * @example
 * ```ts
 * const from = process.env.CLIENT_CERT_FORMAT as CertificateHeaderFormat
 * if (!CERTIFICATE_HEADER_FORMATS.includes(from)) throw new Error(`unknown certificate header format ${from}`)
 * createClientAuthenticator({ issuer, getClient, certificates: { from, trustedProxies: ['10.0.0.0/8'] } })
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc9440#section-2
 */
export const CERTIFICATE_HEADER_FORMATS: readonly CertificateHeaderFormat[] = [
  'rfc9440',
  'nginx',
  'envoy',
  'traefik',
  'aws-alb',
];

/**
 * The header each format reads by default (lower-case); `certificates.header` overrides it. Have
 * the proxy overwrite that header on every request, so that no client can set it.
 *
 * @example
 * ```ts
 * DEFAULT_CERTIFICATE_HEADERS.nginx // 'ssl-client-cert': proxy_set_header ssl-client-cert $ssl_client_escaped_cert;
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc9440#section-2.2
 */
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

/**
 * Largest certificate header value decoded, in characters (certificate chains are a few KiB); a
 * longer header means no certificate.
 *
 * @example
 * ```ts
 * // nginx: keep large_client_header_buffers above it for the forwarded chain
 * const headerBytes = MAX_CERTIFICATE_HEADER_LENGTH // 65536
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc9440#section-2
 */
export const MAX_CERTIFICATE_HEADER_LENGTH = 64 * 1024;
const MAX_HEADER_LENGTH = MAX_CERTIFICATE_HEADER_LENGTH;
/**
 * Most chain certificates (besides the end-entity one) a header may carry; a longer chain means no
 * certificate. Counted before anything is decoded.
 *
 * @example
 * ```ts
 * const decoded = decodeCertificateHeader('rfc9440', request.headers)
 * decoded?.chain.length // at most MAX_CERTIFICATE_CHAIN
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc9440#section-2.3
 */
export const MAX_CERTIFICATE_CHAIN = 10;

/**
 * A certificate decoded from a header: the end-entity DER and the rest of the chain, as
 * {@link decodeCertificateHeader} returns it.
 *
 * @example
 * ```ts
 * const decoded: DecodedCertificate | undefined = decodeCertificateHeader('envoy', request.headers)
 * if (decoded !== undefined) console.log(x5tS256(decoded.der), decoded.chain.length)
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc9440#section-2.2
 */
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
  if (text === undefined || pemBlockCount(text) > MAX_CERTIFICATE_CHAIN + 1) return undefined;
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
 * throws `invalid_request` only for a repeated RFC 9440 `Client-Cert` (RFC 9440 §2.2). It does not
 * check who set the header: read it only from a trusted proxy (the authenticator's `certificates`
 * option does that).
 *
 * @example
 * ```ts
 * const decoded = decodeCertificateHeader('nginx', request.headers) // ssl-client-cert, URL-escaped PEM
 * const cnf = decoded && { 'x5t#S256': x5tS256(decoded.der) }
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc9440#section-2
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
