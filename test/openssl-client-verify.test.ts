/**
 * What the TLS layer itself concludes about each certificate of the rule table: a bare Node.js
 * HTTPS server (OpenSSL 3, default security level 1, server-side purpose `sslclient`) that
 * requests client certificates and trusts the test root, no library code. `tls_client_auth`
 * relies on this verdict (`socket.authorized`) for socket certificates, so these are the
 * assumptions it stands on (issue 13 §1; RFC 5280 §6.1, RFC 8705 §2.1).
 *
 * Node reports name-constraint, unknown-critical-extension and weak-digest failures as
 * `UNSPECIFIED`; `openssl verify -purpose sslclient` names them (permitted subtree violation,
 * unhandled critical extension), and only TLS applies the security level that refuses SHA-1.
 */
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { connect, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPki, EKU, type Issued, issueCustom, type TestPki } from './helpers/pki.js';
import { createRuleCases, type RuleCase } from './helpers/pki-rules.js';

let pki: TestPki;
let cases: RuleCase[];
let server: Server;
let port: number;

beforeAll(async () => {
  pki = await createTestPki();
  cases = await createRuleCases(pki);
  server = createServer(
    {
      cert: pki.server.certPem,
      key: pki.server.keyPem,
      ca: pki.ca.certPem,
      requestCert: true,
      rejectUnauthorized: false,
    },
    (req, res) => {
      const socket = req.socket as TLSSocket;
      res.end(JSON.stringify({ authorized: socket.authorized, error: socket.authorizationError ?? null }));
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** One handshake with `leaf` and its chain; the server's verdict. */
function verdict(leaf: Issued, chain: readonly Issued[]): Promise<{ authorized: boolean; error: string | null }> {
  return new Promise((resolve, reject) => {
    const socket = connect(
      {
        port,
        host: '127.0.0.1',
        servername: 'localhost',
        ca: pki.ca.certPem,
        cert: [leaf, ...chain].map((link) => link.certPem).join(''),
        key: leaf.keyPem,
        // Client side only: OpenSSL would not even load a SHA-1 certificate as its own otherwise.
        ciphers: 'DEFAULT:@SECLEVEL=0',
      },
      () => socket.end('GET / HTTP/1.0\r\nHost: localhost\r\n\r\n'),
    );
    let data = '';
    socket.on('data', (chunk) => {
      data += chunk;
    });
    socket.on('end', () => resolve(JSON.parse(data.slice(data.indexOf('\r\n\r\n') + 4))));
    socket.on('error', reject);
  });
}

describe('OpenSSL 3 client-certificate verification at the TLS layer (what socket.authorized means)', () => {
  it('refuses every certificate of the rule table that RFC 5280 refuses, and accepts the controls', async () => {
    const observed = await Promise.all(cases.map(({ leaf, chain }) => verdict(leaf, chain)));
    expect(Object.fromEntries(cases.map(({ name }, index) => [name, observed[index]]))).toEqual({
      'in-tree': { authorized: true, error: null },
      'nc-dns': { authorized: false, error: 'UNSPECIFIED' },
      'nc-dn': { authorized: false, error: 'UNSPECIFIED' },
      'nc-email': { authorized: false, error: 'UNSPECIFIED' },
      'pathlen-ok': { authorized: true, error: null },
      pathlen: { authorized: false, error: 'PATH_LENGTH_EXCEEDED' },
      'eku-ca-ok': { authorized: true, error: null },
      'eku-ca': { authorized: false, error: 'INVALID_PURPOSE' },
      'critical-leaf': { authorized: false, error: 'UNSPECIFIED' },
      'critical-ca': { authorized: false, error: 'UNSPECIFIED' },
      sha1: { authorized: false, error: 'UNSPECIFIED' },
    });
  });

  it('intersects nested name constraints (RFC 5280 §6.1.4(g)): a sub-CA cannot widen its issuer', async () => {
    const tenant = await issueCustom({
      subject: [['CN', 'Tenant CA']],
      issuer: pki.ca,
      ca: true,
      nameConstraints: { permitted: { dns: ['tenant-a.example.com'] } },
    });
    const widening = await issueCustom({
      subject: [['CN', 'Widening sub-CA']],
      issuer: tenant,
      ca: true,
      nameConstraints: { permitted: { dns: ['victim.example.com'] } },
    });
    const leaf = await issueCustom({
      subject: [['CN', 'victim']],
      issuer: widening,
      san: { dns: ['victim.example.com'] },
    });
    expect(await verdict(leaf, [widening, tenant])).toEqual({ authorized: false, error: 'UNSPECIFIED' });
  });

  it('refuses anyExtendedKeyUsage in place of clientAuth, on the leaf and on an intermediate (purpose sslclient)', async () => {
    const leaf = await issueCustom({ subject: [['CN', 'any leaf']], issuer: pki.ca, eku: [EKU.any] });
    expect(await verdict(leaf, [])).toEqual({ authorized: false, error: 'INVALID_PURPOSE' });
    const anyCa = await issueCustom({ subject: [['CN', 'any CA']], issuer: pki.ca, ca: true, eku: [EKU.any] });
    const under = await issueCustom({ subject: [['CN', 'under any CA']], issuer: anyCa });
    expect(await verdict(under, [anyCa])).toEqual({ authorized: false, error: 'INVALID_PURPOSE' });
  });
});
