/**
 * X.509 certificates for RFC 8705 client authentication: the parts a verifier compares, read from
 * DER. node-forge's high-level certificate parser refuses non-RSA keys, so the subject and the
 * subjectAltName extension are walked at the ASN.1 level with `forge.asn1` (RSA, EC and Ed25519
 * certificates all parse); Node's `crypto.X509Certificate` gives the public key and signatures.
 *
 * Also here: RFC 4514 string parsing and the RFC 4517 §4.2.15 distinguishedNameMatch rule, the
 * RFC 8705 §2.1.2 SAN comparisons, and PEM bundles. Path validation is in `path_validation.ts`.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import forge from 'node-forge';

const { asn1 } = forge;
type Asn1 = forge.asn1.Asn1;

/** One attribute type and value of a relative distinguished name. */
export interface AttributeTypeAndValue {
  /** Dotted OID of the attribute type. */
  type: string;
  /** The value as a string, when it is (or its `#hex` BER encodes) a string type; else undefined. */
  value: string | undefined;
  /** The value's BER/DER encoding (tag, length, content) as a binary string, when known. */
  ber: string | undefined;
}

/** A relative distinguished name: one or more attribute values (multi-valued with `+`). */
export type RelativeDistinguishedName = AttributeTypeAndValue[];

/**
 * A distinguished name in ASN.1 `RDNSequence` order (most significant first: `C`, `O`, …, `CN`).
 * RFC 4514 strings list the RDNs the other way round.
 */
export type DistinguishedName = RelativeDistinguishedName[];

/** The public key of a certificate, as far as key-size rules need it. */
export interface CertificateKey {
  /** `rsa` (also RSA-PSS), `ec`, `okp` (Ed25519/Ed448) or Node's name for anything else. */
  family: 'rsa' | 'ec' | 'okp' | (string & {});
  /** Modulus length for RSA, field size for EC and OKP curves; 0 when unknown. */
  bits: number;
  /** The named curve (Node's name, for example `prime256v1`), for EC and OKP keys. */
  curve?: string;
  /** The public exponent `e`, for RSA keys. */
  publicExponent?: bigint;
}

/** A client certificate, parsed once per request. */
export interface ParsedCertificate {
  der: Uint8Array;
  x509: X509Certificate;
  subject: DistinguishedName;
  /** subjectAltName entries by type (RFC 5280 §4.2.1.6). */
  san: { dns: string[]; uri: string[]; ip: Uint8Array[]; email: string[] };
  /** Validity period, in milliseconds since the epoch. */
  notBefore: number;
  notAfter: number;
  key: CertificateKey;
}

const OID_SUBJECT_ALT_NAME = '2.5.29.17';

/**
 * Attribute short names (RFC 4514 §3, RFC 4519, PKCS #9, X.520). Every one of them has a
 * caseIgnore equality rule (caseIgnoreMatch or caseIgnoreIA5Match).
 */
const SHORT_NAMES: Record<string, string> = {
  cn: '2.5.4.3',
  commonname: '2.5.4.3',
  sn: '2.5.4.4',
  surname: '2.5.4.4',
  serialnumber: '2.5.4.5',
  c: '2.5.4.6',
  countryname: '2.5.4.6',
  l: '2.5.4.7',
  localityname: '2.5.4.7',
  st: '2.5.4.8',
  s: '2.5.4.8',
  stateorprovincename: '2.5.4.8',
  street: '2.5.4.9',
  streetaddress: '2.5.4.9',
  o: '2.5.4.10',
  organizationname: '2.5.4.10',
  ou: '2.5.4.11',
  organizationalunitname: '2.5.4.11',
  title: '2.5.4.12',
  businesscategory: '2.5.4.15',
  postalcode: '2.5.4.17',
  gn: '2.5.4.42',
  givenname: '2.5.4.42',
  initials: '2.5.4.43',
  generationqualifier: '2.5.4.44',
  dnqualifier: '2.5.4.46',
  pseudonym: '2.5.4.65',
  organizationidentifier: '2.5.4.97',
  dc: '0.9.2342.19200300.100.1.25',
  domaincomponent: '0.9.2342.19200300.100.1.25',
  uid: '0.9.2342.19200300.100.1.1',
  userid: '0.9.2342.19200300.100.1.1',
  e: '1.2.840.113549.1.9.1',
  email: '1.2.840.113549.1.9.1',
  emailaddress: '1.2.840.113549.1.9.1',
  jurisdictionc: '1.3.6.1.4.1.311.60.2.1.3',
  jurisdictioncountryname: '1.3.6.1.4.1.311.60.2.1.3',
  jurisdictionst: '1.3.6.1.4.1.311.60.2.1.2',
  jurisdictionl: '1.3.6.1.4.1.311.60.2.1.1',
};
const CASE_IGNORE_TYPES = new Set(Object.values(SHORT_NAMES));

/** Bits of the named curves Node reports (asymmetricKeyDetails.namedCurve). */
const CURVE_BITS: Record<string, number> = {
  prime192v1: 192,
  secp224r1: 224,
  prime256v1: 256,
  secp256k1: 256,
  secp384r1: 384,
  secp521r1: 521,
  brainpoolP256r1: 256,
  brainpoolP384r1: 384,
  brainpoolP512r1: 512,
};

// ignoreBOM: a leading U+FEFF is part of the value, not a byte-order mark to drop (parse fidelity;
// found by the fuzzer, docs/FUZZING.md). Matching still prepares values as RFC 4518 says.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function binary(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

function fromBinary(value: string): Uint8Array {
  return new Uint8Array(Buffer.from(value, 'latin1'));
}

function parseDer(bytes: string): Asn1 {
  // decodeBitStrings: false — a BIT STRING is never ASN.1 we want walked (signatures, keys).
  return asn1.fromDer(bytes, { strict: true, parseAllBytes: true, decodeBitStrings: false } as unknown as boolean);
}

function children(node: Asn1 | undefined): Asn1[] {
  if (node === undefined || !Array.isArray(node.value)) throw new Error('expected a constructed ASN.1 value');
  return node.value;
}

function primitive(node: Asn1 | undefined): string {
  if (node === undefined || typeof node.value !== 'string') throw new Error('expected a primitive ASN.1 value');
  return node.value;
}

/** Decode an ASN.1 string value (X.520 DirectoryString and friends); undefined for non-strings. */
function decodeString(node: Asn1): string | undefined {
  if (node.tagClass !== asn1.Class.UNIVERSAL || typeof node.value !== 'string') return undefined;
  const raw = node.value;
  switch (node.type as number) {
    case 12: // UTF8String
      try {
        return utf8.decode(fromBinary(raw));
      } catch {
        return undefined;
      }
    case 18: // NumericString
    case 19: // PrintableString
    case 20: // TeletexString (read as Latin-1, as OpenSSL does)
    case 22: // IA5String
    case 26: // VisibleString
      return raw;
    case 30: {
      // BMPString: UTF-16BE
      if (raw.length % 2 !== 0) return undefined;
      const bytes = Buffer.from(raw, 'latin1');
      bytes.swap16();
      return bytes.toString('utf16le');
    }
    case 28: {
      // UniversalString: UTF-32BE
      if (raw.length % 4 !== 0) return undefined;
      const bytes = Buffer.from(raw, 'latin1');
      let out = '';
      for (let i = 0; i < bytes.length; i += 4) {
        const point = bytes.readUInt32BE(i);
        if (point > 0x10ffff) return undefined;
        out += String.fromCodePoint(point);
      }
      return out;
    }
    default:
      return undefined;
  }
}

/** Read an X.501 `Name` (RDNSequence) from its ASN.1 node. */
function readName(node: Asn1 | undefined): DistinguishedName {
  return children(node).map((set) =>
    children(set).map((pair) => {
      const [type, value] = children(pair);
      if (value === undefined) throw new Error('attribute without a value');
      return {
        type: asn1.derToOid(primitive(type)),
        value: decodeString(value),
        ber: asn1.toDer(value).getBytes(),
      };
    }),
  );
}

function readTime(node: Asn1 | undefined): number {
  const value = primitive(node);
  if (node?.type === asn1.Type.UTCTIME) return asn1.utcTimeToDate(value).getTime();
  if (node?.type === asn1.Type.GENERALIZEDTIME) return asn1.generalizedTimeToDate(value).getTime();
  throw new Error('expected a time value');
}

function readSubjectAltName(extensionValue: string): ParsedCertificate['san'] {
  const san: ParsedCertificate['san'] = { dns: [], uri: [], ip: [], email: [] };
  for (const name of children(parseDer(extensionValue))) {
    if (name.tagClass !== asn1.Class.CONTEXT_SPECIFIC || typeof name.value !== 'string') continue;
    // RFC 5280 §4.2.1.6 GeneralName, IMPLICIT tags.
    switch (name.type as number) {
      case 1:
        san.email.push(name.value);
        break;
      case 2:
        san.dns.push(name.value);
        break;
      case 6:
        san.uri.push(name.value);
        break;
      case 7:
        san.ip.push(fromBinary(name.value));
        break;
    }
  }
  return san;
}

/** The public key family and size, from Node's key details. */
export function certificateKey(x509: X509Certificate): CertificateKey {
  const key = x509.publicKey;
  const type = key.asymmetricKeyType ?? 'unknown';
  const details = key.asymmetricKeyDetails ?? {};
  if (type === 'rsa' || type === 'rsa-pss') {
    const { modulusLength = 0, publicExponent } = details;
    return publicExponent === undefined
      ? { family: 'rsa', bits: modulusLength }
      : { family: 'rsa', bits: modulusLength, publicExponent };
  }
  if (type === 'ec') {
    const curve = details.namedCurve ?? 'unknown';
    return { family: 'ec', bits: CURVE_BITS[curve] ?? 0, curve };
  }
  if (type === 'ed25519' || type === 'x25519') return { family: 'okp', bits: 256, curve: type };
  if (type === 'ed448' || type === 'x448') return { family: 'okp', bits: 448, curve: type };
  return { family: type, bits: details.modulusLength ?? 0 };
}

/**
 * Parse a DER certificate. Throws on anything that is not a well-formed X.509 certificate; callers
 * treat that as "no certificate".
 */
export function parseCertificate(der: Uint8Array): ParsedCertificate {
  const x509 = new X509Certificate(der);
  const [tbs] = children(parseDer(binary(der)));
  const fields = children(tbs);
  // RFC 5280 §4.1: version [0] EXPLICIT is optional (absent for v1).
  let index = fields[0]?.tagClass === asn1.Class.CONTEXT_SPECIFIC && fields[0]?.type === 0 ? 1 : 0;
  index += 2; // serialNumber, signature
  index += 1; // issuer
  const [notBefore, notAfter] = children(fields[index++]);
  const subject = readName(fields[index++]);
  index += 1; // subjectPublicKeyInfo
  let san: ParsedCertificate['san'] = { dns: [], uri: [], ip: [], email: [] };
  for (const field of fields.slice(index)) {
    if (field.tagClass !== asn1.Class.CONTEXT_SPECIFIC || field.type !== 3) continue;
    for (const extension of children(children(field)[0])) {
      const parts = children(extension);
      if (asn1.derToOid(primitive(parts[0])) !== OID_SUBJECT_ALT_NAME) continue;
      san = readSubjectAltName(primitive(parts[parts.length - 1]));
    }
  }
  return {
    der,
    x509,
    subject,
    san,
    notBefore: readTime(notBefore),
    notAfter: readTime(notAfter),
    key: certificateKey(x509),
  };
}

/** RFC 8705 §3.1 `x5t#S256`: base64url(SHA-256(DER)). */
export function x5tS256(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('base64url');
}

// ── RFC 4514 string representation ──────────────────────────────────────────────────────────────

const HEX_PAIR = /^[0-9a-fA-F]{2}$/;
const DESCR = /^[A-Za-z][A-Za-z0-9-]*$/;
const NUMERIC_OID = /^(?:0|[1-9][0-9]*)(?:\.(?:0|[1-9][0-9]*))+$/;

/** Resolve an attribute type (short name, case-insensitive, or dotted OID) to its OID. */
export function attributeTypeOid(type: string): string | undefined {
  const trimmed = type.trim();
  const withoutPrefix = /^oid\./i.test(trimmed) ? trimmed.slice(4) : trimmed;
  if (NUMERIC_OID.test(withoutPrefix)) return withoutPrefix;
  if (!DESCR.test(trimmed)) return undefined;
  return SHORT_NAMES[trimmed.toLowerCase()];
}

/** Longest RFC 4514 distinguished name string parsed, in characters. */
export const MAX_DN_LENGTH = 4096;

/** Read an RFC 4514 `string` attribute value, undoing escapes; returns the value and where it ended. */
function readStringValue(text: string, start: number): { value: string; end: number } {
  const bytes: number[] = [];
  let i = start;
  // Unescaped spaces are significant only between other characters; trailing ones are dropped
  // below (RFC 4514 §2.4 requires a trailing space to be escaped).
  let lastSignificant = 0;
  const encoder = new TextEncoder();
  while (i < text.length) {
    const char = text[i] as string;
    if (char === ',' || char === '+') break;
    if (char === '\\') {
      const next = text.slice(i + 1, i + 3);
      if (HEX_PAIR.test(next)) {
        bytes.push(Number.parseInt(next, 16));
        i += 3;
      } else if (i + 1 < text.length && ' "#+,;<=>\\'.includes(text[i + 1] as string)) {
        bytes.push((text[i + 1] as string).charCodeAt(0));
        i += 2;
      } else {
        throw new SyntaxError('invalid escape in distinguished name');
      }
      lastSignificant = bytes.length;
      continue;
    }
    if ('"<>;'.includes(char) || char === '\u0000') {
      throw new SyntaxError('unescaped special character in distinguished name');
    }
    const codePoint = text.codePointAt(i) as number;
    const encoded = encoder.encode(String.fromCodePoint(codePoint));
    bytes.push(...encoded);
    if (char !== ' ') lastSignificant = bytes.length;
    i += codePoint > 0xffff ? 2 : 1;
  }
  let value: string;
  try {
    value = utf8.decode(new Uint8Array(bytes.slice(0, lastSignificant)));
  } catch {
    throw new SyntaxError('distinguished name value is not UTF-8');
  }
  return { value, end: i };
}

/**
 * Parse an RFC 4514 distinguished name string (escapes, `#`-hex BER values, multi-valued RDNs with
 * `+`). Spaces around `,`, `+` and `=` are tolerated. Returns the name in ASN.1 order (the string's
 * last RDN first). Throws `SyntaxError` on malformed input.
 *
 * @example
 * ```ts
 * parseDistinguishedName('CN=client.example.com,O=Example\\, Inc.,C=US')
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc4514#section-3
 */
export function parseDistinguishedName(text: string): DistinguishedName {
  // Bounded before any work (docs/LIMITS.md): a registered DN may come from dynamic registration.
  if (text.length > MAX_DN_LENGTH) throw new SyntaxError('distinguished name too long');
  const rdns: DistinguishedName = [];
  if (text.trim() === '') return rdns;
  let i = 0;
  let rdn: RelativeDistinguishedName = [];
  for (;;) {
    while (text[i] === ' ') i += 1;
    const equals = text.indexOf('=', i);
    if (equals === -1) throw new SyntaxError('attribute type without "=" in distinguished name');
    const type = attributeTypeOid(text.slice(i, equals));
    if (type === undefined) throw new SyntaxError('unknown attribute type in distinguished name');
    i = equals + 1;
    while (text[i] === ' ') i += 1;
    let ava: AttributeTypeAndValue;
    if (text[i] === '#') {
      // RFC 4514 §2.4: "#" followed by the hexadecimal BER encoding of the value.
      let end = i + 1;
      while (end < text.length && /[0-9a-fA-F]/.test(text[end] as string)) end += 1;
      const hex = text.slice(i + 1, end);
      if (hex.length === 0 || hex.length % 2 !== 0) throw new SyntaxError('malformed #hex value in distinguished name');
      const ber = Buffer.from(hex, 'hex').toString('latin1');
      let node: Asn1;
      try {
        node = parseDer(ber);
      } catch {
        throw new SyntaxError('malformed BER value in distinguished name');
      }
      ava = { type, value: decodeString(node), ber: asn1.toDer(node).getBytes() };
      i = end;
      while (text[i] === ' ') i += 1;
    } else {
      const { value, end } = readStringValue(text, i);
      ava = { type, value, ber: undefined };
      i = end;
    }
    rdn.push(ava);
    if (i >= text.length) {
      rdns.push(rdn);
      break;
    }
    const separator = text[i];
    i += 1;
    if (separator === ',') {
      rdns.push(rdn);
      rdn = [];
    } else if (separator !== '+') {
      throw new SyntaxError('unexpected character in distinguished name');
    }
    if (i >= text.length) throw new SyntaxError('distinguished name ends with a separator');
  }
  return rdns.reverse();
}

/**
 * RFC 4518 string preparation, simplified: Unicode NFKC, every white space becomes one space,
 * leading/trailing spaces are insignificant, inner runs of spaces count as one.
 */
function prepare(value: string, caseIgnore: boolean): string {
  const prepared = value.normalize('NFKC').replace(/\s+/gu, ' ').trim();
  return caseIgnore ? prepared.toLowerCase() : prepared;
}

function attributeMatch(registered: AttributeTypeAndValue, presented: AttributeTypeAndValue): boolean {
  if (registered.type !== presented.type) return false;
  if (registered.value !== undefined && presented.value !== undefined) {
    const caseIgnore = CASE_IGNORE_TYPES.has(registered.type);
    return prepare(registered.value, caseIgnore) === prepare(presented.value, caseIgnore);
  }
  // Values that are not strings compare by their encoding.
  return registered.ber !== undefined && registered.ber === presented.ber;
}

/**
 * RFC 4517 §4.2.15 distinguishedNameMatch: the same number of RDNs in the same order, each RDN with
 * the same set of attribute values (order inside a multi-valued RDN does not matter), attribute
 * types compared by OID, values by their equality rule (caseIgnore for every named attribute).
 */
export function distinguishedNameMatch(registered: DistinguishedName, presented: DistinguishedName): boolean {
  if (registered.length !== presented.length) return false;
  return registered.every((rdn, index) => {
    const other = presented[index] as RelativeDistinguishedName;
    if (rdn.length !== other.length) return false;
    const used = new Set<number>();
    return rdn.every((ava) => {
      const found = other.findIndex((candidate, at) => !used.has(at) && attributeMatch(ava, candidate));
      if (found === -1) return false;
      used.add(found);
      return true;
    });
  });
}

// ── RFC 8705 §2.1.2 SAN comparisons ─────────────────────────────────────────────────────────────

/** `tls_client_auth_san_dns`: ASCII case-insensitive, no wildcard expansion. */
export function dnsNameMatch(registered: string, presented: string): boolean {
  return registered.length === presented.length && asciiLower(registered) === asciiLower(presented);
}

/**
 * Lower-case A–Z only. `toLowerCase()` maps non-ASCII letters too: U+212A KELVIN SIGN became "k",
 * so "\u212Aey.example" matched "key.example" (found by the fuzzer, docs/FUZZING.md).
 */
function asciiLower(text: string): string {
  return text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

const URI_PARTS = /^([A-Za-z][A-Za-z0-9+.-]*):(?:\/\/([^/?#]*))?(.*)$/s;

/** Lower-case the scheme and the host of a URI; everything else is kept as is. */
export function normalizeUri(uri: string): string {
  const match = URI_PARTS.exec(uri);
  if (match === null) return uri;
  const [, scheme, authority, rest] = match as unknown as [string, string, string | undefined, string];
  if (authority === undefined) return `${scheme.toLowerCase()}:${rest}`;
  const at = authority.lastIndexOf('@');
  const userinfo = at === -1 ? '' : authority.slice(0, at + 1);
  const hostPort = authority.slice(at + 1);
  return `${scheme.toLowerCase()}://${userinfo}${hostPort.toLowerCase()}${rest}`;
}

/** `tls_client_auth_san_uri`: exact, after lower-casing scheme and host (RFC 3986 §6.2.2.1). */
export function uriMatch(registered: string, presented: string): boolean {
  return normalizeUri(registered) === normalizeUri(presented);
}

/** The octets of a textual IPv4 (4 octets) or IPv6 (16 octets) address; undefined if malformed. */
export function ipAddressBytes(text: string): Uint8Array | undefined {
  if (isIPv4(text)) return new Uint8Array(text.split('.').map(Number));
  if (!isIPv6(text) || text.includes('%')) return undefined;
  let hex = text;
  if (text.includes('.')) {
    // An embedded IPv4 address in the last 32 bits (RFC 4291 §2.2 form 3): rewrite as two groups.
    const lastColon = text.lastIndexOf(':');
    const v4 = text
      .slice(lastColon + 1)
      .split('.')
      .map(Number) as [number, number, number, number];
    hex = `${text.slice(0, lastColon + 1)}${(v4[0] * 256 + v4[1]).toString(16)}:${(v4[2] * 256 + v4[3]).toString(16)}`;
  }
  const [left, right] = hex.split('::') as [string, string | undefined];
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((group) => Number.parseInt(group, 16)));
  const leftGroups = parse(left);
  const rightGroups = right === undefined ? [] : parse(right);
  const fill = right === undefined ? 0 : 8 - leftGroups.length - rightGroups.length;
  const groups = [...leftGroups, ...new Array<number>(Math.max(fill, 0)).fill(0), ...rightGroups];
  if (groups.length !== 8) return undefined;
  const bytes = new Uint8Array(16);
  groups.forEach((group, index) => {
    bytes[index * 2] = group >> 8;
    bytes[index * 2 + 1] = group & 0xff;
  });
  return bytes;
}

/** `tls_client_auth_san_ip`: binary comparison (RFC 8705 §2.1.2, RFC 5952 §8); v4 and v6 are distinct. */
export function ipAddressMatch(registered: string, presented: Uint8Array): boolean {
  const bytes = ipAddressBytes(registered);
  return bytes !== undefined && Buffer.from(bytes).equals(Buffer.from(presented));
}

/** `tls_client_auth_san_email`: local part exact, domain case-insensitive (RFC 5280 §7.5). */
export function emailMatch(registered: string, presented: string): boolean {
  const a = registered.lastIndexOf('@');
  const b = presented.lastIndexOf('@');
  if (a <= 0 || b <= 0) return false;
  return (
    registered.slice(0, a) === presented.slice(0, b) &&
    asciiLower(registered.slice(a + 1)) === asciiLower(presented.slice(b + 1))
  );
}

// ── PEM bundles (trust anchors, proxy headers) ──────────────────────────────────────────────────

/** Read every certificate of a PEM bundle. Throws `TypeError` when it holds none or a bad one. */
export function readPemBundle(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new TypeError('no PEM certificate found');
  return blocks.map((block) => new X509Certificate(block));
}

/** The DER of every certificate in a PEM text, in order. Malformed blocks are skipped. */
export function pemToDer(pem: string): Uint8Array[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g) ?? [];
  const out: Uint8Array[] = [];
  for (const block of blocks) {
    const body = block.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) continue;
    out.push(new Uint8Array(Buffer.from(body, 'base64')));
  }
  return out;
}
