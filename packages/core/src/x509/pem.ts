/**
 * PEM (RFC 7468 §5, `CERTIFICATE` label): the one reader of the core, for trust-anchor bundles
 * (setup) and proxy certificate headers (per request).
 */
// Kept in the published declarations (preserve): they name node:* types, and TypeScript 6 and
// later no longer add @types/node to a program by default (`types: []`).
/// <reference types="node" preserve="true" />
import { X509Certificate } from 'node:crypto';

const BEGIN = '-----BEGIN CERTIFICATE-----';
const BLOCK = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** How many `BEGIN CERTIFICATE` lines a text holds: a bound checked before anything is decoded. */
export function pemBlockCount(text: string): number {
  return text.split(BEGIN).length - 1;
}

/**
 * The DER of every `CERTIFICATE` block of a PEM text, in order; undefined for a block whose body
 * is not base64 (RFC 7468 §3: only base64 characters and white space between the lines).
 */
function pemBlocks(text: string): (Uint8Array | undefined)[] {
  const out: (Uint8Array | undefined)[] = [];
  for (const [, inner = ''] of text.matchAll(BLOCK)) {
    const body = inner.replace(/\s+/g, '');
    out.push(BASE64.test(body) ? new Uint8Array(Buffer.from(body, 'base64')) : undefined);
  }
  return out;
}

/** The DER of every certificate in a PEM text, in order. Malformed blocks are skipped. */
export function pemToDer(pem: string): Uint8Array[] {
  return pemBlocks(pem).filter((der): der is Uint8Array => der !== undefined);
}

/** Read every certificate of a PEM bundle. Throws `TypeError` when it holds none or a bad one. */
export function readPemBundle(pem: string): X509Certificate[] {
  const blocks = pemBlocks(pem);
  if (blocks.length === 0) throw new TypeError('no PEM certificate found');
  return blocks.map((der) => {
    if (der === undefined) throw new TypeError('malformed PEM certificate');
    return new X509Certificate(der);
  });
}
