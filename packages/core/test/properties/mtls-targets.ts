/**
 * Fuzz targets of the mutual-TLS parsers (RFC 8705): RFC 4514 distinguished names, SAN and IP
 * handling, and the proxy certificate header decoders (RFC 9440, nginx, Envoy, Traefik, AWS ALB).
 * Documented results: `parseDistinguishedName` returns a name or throws `SyntaxError`;
 * `decodeCertificateHeader` returns a certificate or `undefined` ("no certificate"), or throws
 * `invalid_request` for a repeated RFC 9440 `Client-Cert`; the comparisons return booleans.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import fc from 'fast-check';
import {
  CERTIFICATE_HEADER_FORMATS,
  type CertificateHeaderFormat,
  type ClientAuthRequest,
  type ClientMetadata,
  createClientAuthenticator,
  DEFAULT_CERTIFICATE_HEADERS,
  type DistinguishedName,
  decodeCertificateHeader,
  distinguishedNameMatch,
  isOAuthError,
  parseDistinguishedName,
} from '../../src/index.js';
import { addressOctets as ipAddressBytes } from '../../src/ip/address.js';
import { dnsNameMatch, emailMatch, ipAddressMatch, uriMatch } from '../../src/x509/subject_alt_name.js';
import type { FuzzTarget } from './targets.js';

class PropertyViolation extends Error {
  override name = 'PropertyViolation';
}
function check(condition: boolean, message: string): void {
  if (!condition) throw new PropertyViolation(message);
}
const utf16 = (maxLength = 64) =>
  fc.oneof(
    fc.string({ unit: 'binary', maxLength }),
    fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength }).map((units) => String.fromCharCode(...units)),
  );
const syntaxy = (alphabet: string, maxLength = 64) =>
  fc.oneof(
    utf16(maxLength),
    fc.array(fc.constantFrom(...alphabet.split('')), { maxLength }).map((chars) => chars.join('')),
  );

// ── RFC 4514 distinguished names ─────────────────────────────────────────────────────────────────

const dnParse: FuzzTarget<string> = {
  name: 'dn-parse',
  arbitrary: fc.oneof(utf16(80), syntaxy('CN=O,+\\#"; 0a9F<>OU.1', 80)),
  run: (text) => {
    try {
      const dn = parseDistinguishedName(text);
      check(distinguishedNameMatch(dn, dn), 'a parsed DN does not match itself');
      return 'ok';
    } catch (error) {
      if (error instanceof SyntaxError) return 'SyntaxError';
      throw error;
    }
  },
};

const TYPES: [string, string][] = [
  ['CN', '2.5.4.3'],
  ['O', '2.5.4.10'],
  ['OU', '2.5.4.11'],
  ['C', '2.5.4.6'],
  ['L', '2.5.4.7'],
  ['ST', '2.5.4.8'],
  ['DC', '0.9.2342.19200300.100.1.25'],
];

/** RFC 4514 §2.4 escaping: specials, a leading space or '#', a trailing space, NUL. */
function escapeValue(value: string): string {
  let out = '';
  const chars = [...value];
  chars.forEach((char, index) => {
    if (char === '\u0000') out += '\\00';
    else if ('"+,;<>\\'.includes(char)) out += `\\${char}`;
    else if (index === 0 && (char === ' ' || char === '#')) out += `\\${char}`;
    else if (index === chars.length - 1 && char === ' ') out += '\\ ';
    else out += char;
  });
  return out;
}

/** Print a DN (ASN.1 order) as an RFC 4514 string (last RDN first). */
function printDn(dn: { type: string; name: string; value: string }[][]): string {
  return [...dn]
    .reverse()
    .map((rdn) => rdn.map((ava) => `${ava.name}=${escapeValue(ava.value)}`).join('+'))
    .join(',');
}

const dnRoundTrip: FuzzTarget<{ type: string; name: string; value: string }[][]> = {
  name: 'dn-roundtrip',
  arbitrary: fc.array(
    fc.array(
      fc
        .tuple(fc.constantFrom(...TYPES), fc.string({ unit: 'binary', maxLength: 24 }), fc.boolean())
        .map(([[name, type], value, oid]) => ({
          type,
          name: oid ? `${type}` : name,
          value,
        })),
      { minLength: 1, maxLength: 3 },
    ),
    { minLength: 1, maxLength: 4 },
  ),
  run: (dn) => {
    const text = printDn(dn);
    let parsed: DistinguishedName;
    try {
      parsed = parseDistinguishedName(text);
    } catch (error) {
      throw new PropertyViolation(`printed DN ${JSON.stringify(text)} did not parse: ${(error as Error).message}`);
    }
    const expected = dn.map((rdn) => rdn.map(({ type, value }) => ({ type, value })));
    const got = parsed.map((rdn) => rdn.map(({ type, value }) => ({ type, value })));
    check(JSON.stringify(got) === JSON.stringify(expected), `parse(print(dn)) differs for ${JSON.stringify(text)}`);
    check(distinguishedNameMatch(parsed, parsed), 'the DN does not match itself');
    return 'ok';
  },
};

// ── SAN and IP handling (RFC 8705 §2.1.2) ────────────────────────────────────────────────────────

function ipv6Texts(bytes: Uint8Array): string[] {
  const groups = Array.from({ length: 8 }, (_, i) => ((bytes[i * 2] as number) << 8) | (bytes[i * 2 + 1] as number));
  const full = groups.map((group) => group.toString(16)).join(':');
  const padded = groups.map((group) => group.toString(16).padStart(4, '0').toUpperCase()).join(':');
  // RFC 5952 §4.2: the longest run of two or more zero groups becomes '::'.
  let best = { start: -1, length: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length && j - i >= 2) best = { start: i, length: j - i };
    i = j;
  }
  const hex = (list: number[]) => list.map((group) => group.toString(16)).join(':');
  const compressed =
    best.start === -1 ? full : `${hex(groups.slice(0, best.start))}::${hex(groups.slice(best.start + best.length))}`;
  const embedded = `${hex(groups.slice(0, 6))}:${bytes.slice(12).join('.')}`;
  return [full, padded, compressed, embedded];
}

const ipHandling: FuzzTarget<{ text: string; bytes: Uint8Array }> = {
  name: 'san-ip',
  arbitrary: fc.record({
    text: fc.oneof(utf16(48), syntaxy('0123456789abcdefABCDEF:.%/[]', 48)),
    bytes: fc.oneof(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.uint8Array({ minLength: 16, maxLength: 16 })),
  }),
  run: ({ text, bytes }) => {
    const parsed = ipAddressBytes(text);
    check(parsed === undefined || parsed.length === 4 || parsed.length === 16, 'an IP address of another length');
    ipAddressMatch(text, bytes);
    const texts = bytes.length === 4 ? [bytes.join('.')] : ipv6Texts(bytes);
    for (const form of texts) {
      const back = ipAddressBytes(form);
      check(back !== undefined && Buffer.from(back).equals(Buffer.from(bytes)), `IP round trip failed for ${form}`);
      check(ipAddressMatch(form, bytes), `ipAddressMatch(${form}) is false for its own octets`);
    }
    return parsed === undefined ? 'not an address' : 'ok';
  },
};

const sanComparisons: FuzzTarget<[string, string]> = {
  name: 'san-compare',
  arbitrary: fc.tuple(
    fc.oneof(utf16(40), syntaxy('a@B.:/%[]?#xk\u212A', 40)),
    fc.oneof(utf16(40), syntaxy('a@B.:/%[]?#xK\u212A', 40)),
  ),
  run: ([a, b]) => {
    for (const match of [dnsNameMatch, uriMatch, emailMatch]) {
      check(typeof match(a, b) === 'boolean', `${match.name} returned a non-boolean`);
    }
    // ASCII case-insensitive, and only ASCII (RFC 5280 §7.2): no Unicode case folding.
    const asciiUpper = (text: string) => text.replace(/[a-z]/g, (c) => c.toUpperCase());
    const asciiLower = (text: string) => text.replace(/[A-Z]/g, (c) => c.toLowerCase());
    check(dnsNameMatch(a, asciiUpper(a)), 'dns match is not ASCII case-insensitive');
    check(dnsNameMatch(a, b) === (asciiLower(a) === asciiLower(b)), 'dns match folds more than ASCII');
    check(uriMatch(a, a), 'uriMatch is not reflexive');
    return dnsNameMatch(a, b) || uriMatch(a, b) || emailMatch(a, b) ? 'match' : 'no match';
  },
};

// ── proxy certificate headers ────────────────────────────────────────────────────────────────────

x509.cryptoProvider.set(webcrypto as never);
const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const keys = (await webcrypto.subtle.generateKey(algorithm, false, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
async function selfSigned(name: string): Promise<Uint8Array> {
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name,
    notBefore: new Date(Date.now() - 3600_000),
    notAfter: new Date(Date.now() + 86_400_000),
    signingAlgorithm: algorithm,
    keys: keys as never,
  });
  return new Uint8Array(certificate.rawData);
}
const LEAF = await selfSigned('CN=fuzz.example,O=Fuzz');
const LINK = await selfSigned('CN=fuzz-ca.example');
const b64 = (der: Uint8Array) => Buffer.from(der).toString('base64');
const pem = (der: Uint8Array) =>
  `-----BEGIN CERTIFICATE-----\n${b64(der).replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`;

/** How each proxy spells a certificate and its chain (what the decoders must read back). */
function encodeHeader(
  format: CertificateHeaderFormat,
  der: Uint8Array,
  chain: Uint8Array[],
): ClientAuthRequest['headers'] {
  const name = DEFAULT_CERTIFICATE_HEADERS[format];
  switch (format) {
    case 'rfc9440':
      return chain.length === 0
        ? { [name]: `:${b64(der)}:` }
        : { [name]: `:${b64(der)}:`, [`${name}-chain`]: chain.map((link) => `:${b64(link)}:`).join(', ') };
    case 'nginx':
      return { [name]: encodeURIComponent(pem(der)) };
    case 'aws-alb':
      return { [name]: encodeURIComponent([der, ...chain].map(pem).join('')) };
    case 'envoy':
      return {
        [name]: `Hash=abc;Cert="${encodeURIComponent(pem(der))}"${chain.length === 0 ? '' : `;Chain="${encodeURIComponent([der, ...chain].map(pem).join(''))}"`}`,
      };
    case 'traefik':
      return { [name]: [der, ...chain].map(b64).join(',') };
  }
}

const CHAIN_FORMATS = new Set<CertificateHeaderFormat>(['rfc9440', 'aws-alb', 'envoy', 'traefik']);

const headerRoundTrip: FuzzTarget<{ format: CertificateHeaderFormat; chain: number }> = {
  name: 'proxy-roundtrip',
  arbitrary: fc.record({ format: fc.constantFrom(...CERTIFICATE_HEADER_FORMATS), chain: fc.nat({ max: 3 }) }),
  run: ({ format, chain }) => {
    const links = CHAIN_FORMATS.has(format) ? Array.from({ length: chain }, () => LINK) : [];
    const decoded = decodeCertificateHeader(format, encodeHeader(format, LEAF, links));
    check(
      decoded !== undefined && Buffer.from(decoded.der).equals(Buffer.from(LEAF)),
      `${format}: the certificate did not round-trip`,
    );
    if (format !== 'envoy') check(decoded?.chain.length === links.length, `${format}: the chain did not round-trip`);
    return 'ok';
  },
};

const headerValue = fc.oneof(
  utf16(120),
  syntaxy(':,;="%-ABCDEFabc+/0123456789 \\\nBEGIN', 160),
  fc.uint8Array({ maxLength: 96 }).map((octets) => `:${Buffer.from(octets).toString('base64')}:`),
  fc.uint8Array({ maxLength: 96 }).map((octets) => encodeURIComponent(pem(octets))),
  fc.uint8Array({ maxLength: 96 }).map((octets) => `Cert="${encodeURIComponent(pem(octets))}";Chain="x"`),
  fc.constantFrom(`:${b64(LEAF)}:`, encodeURIComponent(pem(LEAF)), b64(LEAF), `${b64(LEAF)},${b64(LINK)}`),
);

const headerDecoders: FuzzTarget<{
  format: CertificateHeaderFormat;
  value: string | string[];
  chain: string | undefined;
}> = {
  name: 'proxy-decoders',
  arbitrary: fc.record({
    format: fc.constantFrom(...CERTIFICATE_HEADER_FORMATS),
    value: fc.oneof({ weight: 4, arbitrary: headerValue }, fc.array(headerValue, { maxLength: 3 })),
    chain: fc.option(headerValue, { nil: undefined }),
  }),
  run: ({ format, value, chain }) => {
    const name = DEFAULT_CERTIFICATE_HEADERS[format];
    const headers: ClientAuthRequest['headers'] = { [name]: value };
    if (chain !== undefined) headers[`${name}-chain`] = chain;
    try {
      const decoded = decodeCertificateHeader(format, headers);
      if (decoded === undefined) return 'no certificate';
      check(decoded.der instanceof Uint8Array && Array.isArray(decoded.chain), 'a malformed decoding');
      return 'decoded';
    } catch (error) {
      if (isOAuthError(error) && error.code === 'ERR_CERTIFICATE_HEADER_REPEATED' && format === 'rfc9440')
        return error.code;
      throw error;
    }
  },
};

// The mTLS clients of the authenticate() target: a certificate only the registration names.
const MTLS_CLIENTS: ClientMetadata[] = [
  {
    client_id: 'pki',
    token_endpoint_auth_method: 'tls_client_auth',
    tls_client_auth_subject_dn: 'CN=someone.else,O=Fuzz',
  },
  { client_id: 'pki-ip', token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_san_ip: '10.0.0.1' },
  { client_id: 'self', token_endpoint_auth_method: 'self_signed_tls_client_auth', jwks: { keys: [] } },
];
const mtlsById = new Map(MTLS_CLIENTS.map((client) => [client.client_id, client]));
const authenticators = Object.fromEntries(
  CERTIFICATE_HEADER_FORMATS.map((format) => [
    format,
    createClientAuthenticator({
      issuer: 'https://as.example.com',
      getClient: (id) => mtlsById.get(id),
      certificates: { from: format, trustedProxies: ['127.0.0.1'], chainValidated: true },
    }),
  ]),
);

const authenticateMtls: FuzzTarget<{
  format: CertificateHeaderFormat;
  value: string | string[];
  clientId: string;
  trusted: boolean;
}> = {
  name: 'authenticate-mtls',
  arbitrary: fc.record({
    format: fc.constantFrom(...CERTIFICATE_HEADER_FORMATS),
    value: fc.oneof({ weight: 4, arbitrary: headerValue }, fc.array(headerValue, { maxLength: 2 })),
    clientId: fc.constantFrom('pki', 'pki-ip', 'self', 'nobody'),
    trusted: fc.boolean(),
  }),
  run: async ({ format, value, clientId, trusted }) => {
    const auth = authenticators[format] as ReturnType<typeof createClientAuthenticator>;
    const body: ClientAuthRequest['body'] = Object.create(null);
    body.client_id = [clientId];
    const request: ClientAuthRequest = {
      headers: { [DEFAULT_CERTIFICATE_HEADERS[format]]: value },
      body,
      secure: true,
      peerAddress: trusted ? '127.0.0.1' : '192.0.2.7',
    };
    try {
      await auth.authenticate(request, { endpoint: 'token' });
    } catch (error) {
      if (isOAuthError(error)) return error.code;
      throw error;
    }
    throw new PropertyViolation(`client ${clientId} authenticated with a fuzzed ${format} header`);
  },
};

export const MTLS_TARGETS = [
  dnParse,
  dnRoundTrip,
  ipHandling,
  sanComparisons,
  headerRoundTrip,
  headerDecoders,
  authenticateMtls,
] as unknown as FuzzTarget<unknown>[];
