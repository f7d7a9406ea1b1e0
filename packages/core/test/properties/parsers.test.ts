/**
 * Property-based tests of every parser (bounded runs; `pnpm fuzz` runs the same targets a million
 * times): any input yields a parse or an OAuthError, never another exception; round trips hold;
 * nothing random authenticates.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFormComponent, encodeFormComponent } from '../../src/adapter.js';
import { distinguishedNameMatch, parseDistinguishedName } from '../../src/index.js';
import { dnsNameMatch, emailMatch } from '../../src/x509/subject_alt_name.js';
import { propertyOf, TARGETS } from './targets.js';

const TITLES: Record<string, string> = {
  'basic-header': 'any Authorization header parses as Basic or is an OAuthError (RFC 7617 §2, RFC 6749 §2.3.1)',
  'basic-roundtrip':
    'Basic round trip: form-encode, base64, parse gives the client_id and secret back (RFC 6749 §2.3.1)',
  'form-parse': 'any form text parses or is invalid_request (RFC 6749 Appendix B)',
  'form-body': 'any body octets and Content-Type parse or are invalid_request (RFC 6749 §3.2)',
  'parsed-body': 'any output of a body parser converts or is invalid_request',
  'form-roundtrip': 'form round trip: decode(encode(s)) = s for all of Unicode; parseForm(encode(pairs)) = pairs',
  'assertion-envelope': 'any client_assertion names a client or is an OAuthError (RFC 7515 §7.1, RFC 7523 §3)',
  'authenticate-assertion':
    'authenticate() with arbitrary or random-JSON assertions only ever refuses with an OAuthError',
  'authenticate-request': 'authenticate() with arbitrary headers and parameters refuses with an OAuthError',
  'dn-parse': 'any string parses as an RFC 4514 DN (matching itself) or throws SyntaxError',
  'dn-roundtrip': 'RFC 4514 round trip: parse(print(dn)) = dn for any attribute values in all of Unicode',
  'san-ip':
    'IP SANs: any text is 4 or 16 octets or not an address; every RFC 4291/5952 spelling round-trips (RFC 8705 §2.1.2)',
  'san-compare': 'DNS, URI and e-mail SAN comparisons of arbitrary strings return booleans; URI match is reflexive',
  'proxy-roundtrip':
    'each proxy header format gives back the certificate and chain it encodes (RFC 9440, nginx, Envoy, Traefik, ALB)',
  'proxy-decoders':
    'any proxy header value decodes to a certificate or "no certificate" (repeated RFC 9440 Client-Cert: invalid_request)',
  'authenticate-mtls': 'authenticate() with fuzzed certificate headers from trusted and untrusted peers only refuses',
};

const RUNS: Record<string, number> = {
  'authenticate-assertion': 150,
  'authenticate-request': 150,
  'authenticate-mtls': 150,
  'proxy-roundtrip': 50,
};

describe('parsers under arbitrary input (fast-check)', () => {
  for (const target of TARGETS) {
    it(TITLES[target.name] ?? target.name, async () => {
      await fc.assert(propertyOf(target), { numRuns: RUNS[target.name] ?? 400 });
    });
  }
});

describe('inputs the fuzzer found (docs/FUZZING.md), kept as regressions', () => {
  it('encodeFormComponent sends a lone surrogate as U+FFFD instead of throwing URIError', () => {
    expect(encodeFormComponent('a\ud800b')).toBe('a%EF%BF%BDb');
    expect(decodeFormComponent(encodeFormComponent('\udc00'))).toBe('\ufffd');
  });

  it('DNS and e-mail SAN comparisons fold ASCII only: U+212A KELVIN SIGN is not "k" (RFC 5280 §7.2)', () => {
    expect(dnsNameMatch('key.example', '\u212Aey.example')).toBe(false);
    expect(dnsNameMatch('key.example', 'KEY.Example')).toBe(true);
    expect(emailMatch('a@key.example', 'a@\u212Aey.example')).toBe(false);
  });

  it('a leading U+FEFF in a DN value is parsed, not dropped as a byte-order mark (RFC 4514); matching prepares it (RFC 4518)', () => {
    expect(parseDistinguishedName('CN=\ufeffadmin')[0]?.[0]?.value).toBe('\ufeffadmin');
    // Matching then prepares values (RFC 4518 §2.2 maps U+FEFF to nothing): equal to CN=admin.
    expect(distinguishedNameMatch(parseDistinguishedName('CN=\ufeffadmin'), parseDistinguishedName('CN=admin'))).toBe(
      true,
    );
  });
});
