/**
 * Distinguished names: the X.501 `Name` as a certificate holds it (read in certificate.ts), and RFC 4514
 * strings parsed (escapes, `#`-hex BER values, multi-valued RDNs). Matching is in name_match.ts.
 */
import { type Asn1, asn1, decodeString, parseDer, utf8 } from './der.js';

/**
 * One attribute type and value of a relative distinguished name, its type as a dotted OID.
 *
 * @example
 * ```ts
 * const [[country]] = parseDistinguishedName('CN=client-a,O=Example Corp,C=SE')
 * country // { type: '2.5.4.6', value: 'SE' }: AttributeTypeAndValue
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc4514#section-2
 */
export interface AttributeTypeAndValue {
  /** Dotted OID of the attribute type. */
  type: string;
  /** The value as a string, when it is (or its `#hex` BER encodes) a string type; else undefined. */
  value: string | undefined;
  /** The value's BER/DER encoding (tag, length, content) as a binary string, when known. */
  ber: string | undefined;
}

/**
 * A relative distinguished name: one or more attribute values (multi-valued with `+`), whose
 * order does not matter when names are compared.
 *
 * @example
 * ```ts
 * const [rdn] = parseDistinguishedName('OU=Payments+CN=client-a') as [RelativeDistinguishedName]
 * rdn.length // 2
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc4514#section-2.2
 */
export type RelativeDistinguishedName = AttributeTypeAndValue[];

/**
 * A distinguished name in ASN.1 `RDNSequence` order (most significant first: `C`, `O`, …, `CN`).
 * RFC 4514 strings list the RDNs the other way round.
 *
 * @example
 * ```ts
 * const dn: DistinguishedName = parseDistinguishedName('CN=client-a,O=Example Corp,C=SE')
 * dn[0] // [{ type: '2.5.4.6', value: 'SE' }]: C first
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc4514#section-2.1
 */
export type DistinguishedName = RelativeDistinguishedName[];

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
/** Attribute types whose equality rule ignores case (read by name_match.ts). */
export const CASE_IGNORE_TYPES: ReadonlySet<string> = new Set(Object.values(SHORT_NAMES));

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

/**
 * Longest RFC 4514 distinguished name string parsed, in characters: a longer
 * `tls_client_auth_subject_dn` is a `SyntaxError` of {@link parseDistinguishedName}.
 *
 * @example
 * ```ts
 * if (registration.tls_client_auth_subject_dn.length > MAX_DN_LENGTH) throw new Error('subject DN too long')
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc8705#section-2.1.2
 */
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
