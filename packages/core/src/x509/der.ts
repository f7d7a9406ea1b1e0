/**
 * DER and ASN.1 helpers for the certificate readers: strict DER decoding with node-forge's
 * `asn1` (RFC 5280 structures are walked at the ASN.1 level because forge's high-level parser
 * refuses non-RSA keys), X.520 string decoding, times. Constants and pure functions only.
 */
import forge from 'node-forge';

export const { asn1 } = forge;
export type Asn1 = forge.asn1.Asn1;

// ignoreBOM: a leading U+FEFF is part of the value, not a byte-order mark to drop (parse fidelity;
// found by the fuzzer, docs/FUZZING.md). Matching still prepares values as RFC 4518 says.
export const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function binary(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

export function fromBinary(value: string): Uint8Array {
  return new Uint8Array(Buffer.from(value, 'latin1'));
}

export function parseDer(bytes: string): Asn1 {
  // decodeBitStrings: false — a BIT STRING is never ASN.1 we want walked (signatures, keys).
  return asn1.fromDer(bytes, { strict: true, parseAllBytes: true, decodeBitStrings: false } as unknown as boolean);
}

export function children(node: Asn1 | undefined): Asn1[] {
  if (node === undefined || !Array.isArray(node.value)) throw new Error('expected a constructed ASN.1 value');
  return node.value;
}

export function primitive(node: Asn1 | undefined): string {
  if (node === undefined || typeof node.value !== 'string') throw new Error('expected a primitive ASN.1 value');
  return node.value;
}

/** Decode an ASN.1 string value (X.520 DirectoryString and friends); undefined for non-strings. */
export function decodeString(node: Asn1): string | undefined {
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

/** A UTCTime or GeneralizedTime (RFC 5280 §4.1.2.5), in milliseconds since the epoch. */
export function readTime(node: Asn1 | undefined): number {
  const value = primitive(node);
  if (node?.type === asn1.Type.UTCTIME) return asn1.utcTimeToDate(value).getTime();
  if (node?.type === asn1.Type.GENERALIZEDTIME) return asn1.generalizedTimeToDate(value).getTime();
  throw new Error('expected a time value');
}
