/**
 * What every adapter reads from the TLS connection itself, over real HTTPS on loopback with a PKI
 * made for this run: that the connection is TLS (RFC 6749 §2.3.1 secrets are then allowed without
 * any opt-in) and the peer certificate (its RFC 8705 §3.1 thumbprint reaches the result). The
 * certificate *methods* are the mTLS issue's; this checks the adapters' part only.
 */
import { X509Certificate } from 'node:crypto';
import { type ClientAuthenticator, certificateThumbprint } from '@client-auth/core';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDevPki, type DevPki } from '../scripts/dev-pki.js';
import { createAuthenticators, createFixture, form } from './cases.js';
import { type RunningServer, startServer, VARIANTS } from './servers.js';

let pki: DevPki;
let authenticators: Record<string, ClientAuthenticator>;

beforeAll(async () => {
  pki = createDevPki();
  const fixture = await createFixture();
  authenticators = createAuthenticators(fixture);
});

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

for (const variant of VARIANTS.filter((v) => v.parser === undefined && v.errors === 'respond' && !v.late)) {
  describe(`${variant.name} over TLS`, () => {
    let server: RunningServer;
    beforeAll(async () => {
      server = await startServer(variant, authenticators, {
        cert: pki.server.cert,
        key: pki.server.key,
        ca: pki.ca.cert,
      });
    });
    afterAll(() => server.close());

    it('sees a TLS connection: client_secret_post passes where secrets need TLS (RFC 6749 §2.3.1)', async () => {
      const agent = new Agent({ connect: { ca: pki.ca.cert } });
      try {
        const response = await request(`${server.url}/https-only/token`, {
          method: 'POST',
          headers: FORM,
          body: form(['client_id', 'post-client'], ['client_secret', 'post-secret']),
          dispatcher: agent,
        });
        expect(response.statusCode).toBe(200);
        expect(await response.body.json()).toEqual({
          client_id: 'post-client',
          method: 'client_secret_post',
          endpoint: 'token',
        });
      } finally {
        await agent.close();
      }
    });

    it('reads the peer certificate from the socket: its x5t#S256 reaches the result (RFC 8705 §3.1)', async () => {
      const certificate = pki.issueClient('public-client');
      const agent = new Agent({ connect: { ca: pki.ca.cert, cert: certificate.cert, key: certificate.key } });
      try {
        const response = await request(`${server.url}/https-only/token`, {
          method: 'POST',
          headers: FORM,
          body: form(['client_id', 'public-client']),
          dispatcher: agent,
        });
        expect(response.statusCode).toBe(200);
        const der = new Uint8Array(new X509Certificate(certificate.cert).raw);
        expect(await response.body.json()).toEqual({
          client_id: 'public-client',
          method: 'none',
          endpoint: 'token',
          'x5t#S256': certificateThumbprint(der),
        });
      } finally {
        await agent.close();
      }
    });
  });
}
