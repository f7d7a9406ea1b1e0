import { describe, expect, it } from 'vitest';
import { addressOctets as ipAddressBytes } from '../src/ip/address.js';
import { parseDistinguishedName } from '../src/x509/distinguished_name.js';
import { distinguishedNameMatch } from '../src/x509/name_match.js';
import { dnsNameMatch, emailMatch, ipAddressMatch, uriMatch } from '../src/x509/subject_alt_name.js';

const dn = parseDistinguishedName;
const match = (registered: string, presented: string) => distinguishedNameMatch(dn(registered), dn(presented));

describe('RFC 4514 parsing', () => {
  it('returns the RDNs in ASN.1 order, types resolved to OIDs (RFC 4514 §2.1)', () => {
    expect(dn('CN=Steve Kille,O=Isode Limited,C=GB')).toEqual([
      [{ type: '2.5.4.6', value: 'GB', ber: undefined }],
      [{ type: '2.5.4.10', value: 'Isode Limited', ber: undefined }],
      [{ type: '2.5.4.3', value: 'Steve Kille', ber: undefined }],
    ]);
  });

  it('reads multi-valued RDNs joined with + (RFC 4514 §4 example)', () => {
    const parsed = dn('OU=Sales+CN=J.  Smith,DC=example,DC=net');
    expect(parsed).toHaveLength(3);
    expect(parsed[2]?.map((ava) => [ava.type, ava.value])).toEqual([
      ['2.5.4.11', 'Sales'],
      ['2.5.4.3', 'J.  Smith'],
    ]);
  });

  it('undoes escaped specials and escaped UTF-8 octets (RFC 4514 §2.4, §4 examples)', () => {
    expect(dn('CN=James \\"Jim\\" Smith\\, III,DC=example,DC=net')[2]?.[0]?.value).toBe('James "Jim" Smith, III');
    expect(dn('CN=Before\\0dAfter,DC=example,DC=net')[2]?.[0]?.value).toBe('Before\rAfter');
    expect(dn('CN=Lu\\C4\\8Di\\C4\\87')[0]?.[0]?.value).toBe('Lučić');
    expect(dn('CN=\\ leading and trailing\\ ')[0]?.[0]?.value).toBe(' leading and trailing ');
    expect(dn('CN=\\#not hex')[0]?.[0]?.value).toBe('#not hex');
  });

  it('reads #hex BER values, decoding string types (RFC 4514 §2.4)', () => {
    const [rdn] = dn('1.3.6.1.4.1.1466.0=#04024869');
    expect(rdn?.[0]).toMatchObject({ type: '1.3.6.1.4.1.1466.0', value: undefined, ber: '\u0004\u0002Hi' });
    expect(dn('CN=#0c0474657374')[0]?.[0]?.value).toBe('test');
  });

  it('accepts attribute types by short name case-insensitively, by OID and with an oid. prefix', () => {
    expect(dn('cn=x')).toEqual(dn('CN=x'));
    expect(dn('2.5.4.3=x')).toEqual(dn('CN=x'));
    expect(dn('OID.2.5.4.3=x')).toEqual(dn('CN=x'));
    expect(dn('emailAddress=a@b')).toEqual(dn('E=a@b'));
  });

  it('refuses malformed strings', () => {
    for (const bad of ['CN', 'CN=a,', 'XX=a', 'CN=a\\', 'CN=a\\zz', 'CN=#abc', 'CN=#', 'CN=a;O=b', 'CN=a<b', '=a']) {
      expect(() => dn(bad), bad).toThrow(SyntaxError);
    }
  });
});

describe('distinguishedNameMatch (RFC 4517 §4.2.15, RFC 8705 §2.1)', () => {
  it('compares attribute types by OID, whatever name the string used', () => {
    expect(match('CN=a,O=b', '2.5.4.3=a,2.5.4.10=b')).toBe(true);
    expect(match('commonName=a', 'cn=a')).toBe(true);
  });

  it('compares caseIgnore values case-insensitively', () => {
    expect(match('CN=Client.Example.COM,O=Example Corp', 'CN=client.example.com,O=EXAMPLE CORP')).toBe(true);
  });

  it('treats leading, trailing and repeated inner spaces as insignificant (RFC 4518 §2.6.1)', () => {
    expect(match('CN=J.  Smith', 'CN=J. Smith')).toBe(true);
    expect(match('CN = J. Smith , O = Example', 'CN=J. Smith,O=Example')).toBe(true);
    expect(match('CN=J.Smith', 'CN=J. Smith')).toBe(false);
  });

  it('keeps the order of RDNs significant', () => {
    expect(match('CN=a,O=b', 'O=b,CN=a')).toBe(false);
  });

  it('ignores the order of values inside a multi-valued RDN, but not the grouping', () => {
    expect(match('OU=Sales+CN=J. Smith,O=x', 'CN=J. Smith+OU=Sales,O=x')).toBe(true);
    expect(match('OU=Sales+CN=J. Smith,O=x', 'OU=Sales,CN=J. Smith,O=x')).toBe(false);
    expect(match('OU=Sales+CN=J. Smith', 'OU=Sales+CN=J. Smith+L=x')).toBe(false);
  });

  it('needs the same number of RDNs (no prefix or suffix match)', () => {
    expect(match('CN=a,O=b', 'CN=a')).toBe(false);
    expect(match('CN=a', 'CN=a,O=b')).toBe(false);
  });

  it('compares a #hex string value with the same string written plainly', () => {
    expect(match('CN=#0c0474657374', 'CN=TEST')).toBe(true);
  });

  it('compares values of unknown attribute types exactly', () => {
    expect(match('1.2.3.4=Abc', '1.2.3.4=Abc')).toBe(true);
    expect(match('1.2.3.4=Abc', '1.2.3.4=abc')).toBe(false);
  });
});

describe('SAN comparisons (RFC 8705 §2.1.2)', () => {
  it('dNSName: case-insensitive, no wildcard expansion', () => {
    expect(dnsNameMatch('client.example.com', 'CLIENT.Example.com')).toBe(true);
    expect(dnsNameMatch('client.example.com', '*.example.com')).toBe(false);
    expect(dnsNameMatch('*.example.com', '*.example.com')).toBe(true);
    expect(dnsNameMatch('client.example.com', 'client.example.com.')).toBe(false);
  });

  it('URI: exact after lower-casing scheme and host', () => {
    expect(uriMatch('HTTPS://Client.Example.com/app', 'https://client.example.com/app')).toBe(true);
    expect(uriMatch('https://client.example.com/App', 'https://client.example.com/app')).toBe(false);
    expect(uriMatch('https://client.example.com/app/', 'https://client.example.com/app')).toBe(false);
    expect(uriMatch('https://User@client.example.com/', 'https://user@client.example.com/')).toBe(false);
    expect(uriMatch('urn:example:Client', 'URN:example:Client')).toBe(true);
  });

  it('iPAddress: binary comparison, any textual form, IPv4 and IPv6 distinct (RFC 5952 §8)', () => {
    const v4 = Uint8Array.from([192, 0, 2, 10]);
    const v6 = ipAddressBytes('2001:db8::10') as Uint8Array;
    expect(ipAddressMatch('192.0.2.10', v4)).toBe(true);
    expect(ipAddressMatch('2001:DB8:0:0:0:0:0:10', v6)).toBe(true);
    expect(ipAddressMatch('2001:0db8::0010', v6)).toBe(true);
    expect(ipAddressMatch('::ffff:192.0.2.10', v4)).toBe(false);
    expect(ipAddressMatch('192.0.2.10', ipAddressBytes('::ffff:192.0.2.10') as Uint8Array)).toBe(false);
    expect(ipAddressMatch('192.0.2.1', v4)).toBe(false);
    expect(ipAddressMatch('not an address', v4)).toBe(false);
    expect(Buffer.from(ipAddressBytes('::ffff:192.0.2.10') as Uint8Array).toString('hex')).toBe(
      '00000000000000000000ffffc000020a',
    );
  });

  it('rfc822Name: domain case-insensitive, local part exact', () => {
    expect(emailMatch('client@example.com', 'client@EXAMPLE.com')).toBe(true);
    expect(emailMatch('Client@example.com', 'client@example.com')).toBe(false);
    expect(emailMatch('client@example.com', 'client@example.org')).toBe(false);
    expect(emailMatch('example.com', 'example.com')).toBe(false);
  });
});
