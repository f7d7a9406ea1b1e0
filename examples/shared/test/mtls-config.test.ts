import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, mtlsOrigin } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'client-auth-config-'));
const pem = join(dir, 'x.pem');
writeFileSync(pem, '-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n');

describe('example configuration of mutual TLS (DESIGN §5)', () => {
  it('reads TLS_PORT, TLS_CERT, TLS_KEY and TLS_CA as PEM files', () => {
    const config = loadConfig({ TLS_PORT: '8443', TLS_CERT: pem, TLS_KEY: pem, TLS_CA: pem });
    expect(config.tls).toMatchObject({ port: 8443, cert: expect.stringContaining('BEGIN'), ca: expect.any(String) });
    expect(loadConfig({ TLS_PORT: '8443', TLS_CERT: pem, TLS_KEY: pem }).tls).not.toHaveProperty('ca');
    expect(loadConfig({}).tls).toBeUndefined();
  });

  it('refuses TLS_PORT without TLS_CERT and TLS_KEY, or with an unreadable file', () => {
    expect(() => loadConfig({ TLS_PORT: '8443' })).toThrow(/TLS_CERT and TLS_KEY/);
    expect(() => loadConfig({ TLS_PORT: '8443', TLS_CERT: join(dir, 'missing.pem'), TLS_KEY: pem })).toThrow(
      /TLS_CERT/,
    );
  });

  it('reads CERT_HEADER and TRUSTED_PROXIES (comma list, CIDR allowed)', () => {
    const config = loadConfig({ CERT_HEADER: 'envoy', TRUSTED_PROXIES: ' 10.0.0.0/8, ::1 ,' });
    expect(config.certificateHeader).toEqual({ format: 'envoy', trustedProxies: ['10.0.0.0/8', '::1'] });
  });

  it('refuses an unknown CERT_HEADER and a CERT_HEADER without TRUSTED_PROXIES', () => {
    expect(() => loadConfig({ CERT_HEADER: 'haproxy', TRUSTED_PROXIES: '127.0.0.1' })).toThrow(/CERT_HEADER/);
    expect(() => loadConfig({ CERT_HEADER: 'nginx' })).toThrow(/TRUSTED_PROXIES/);
  });

  it('puts the mTLS origin on the issuer host and the TLS port', () => {
    expect(mtlsOrigin('http://localhost:3000', 3443)).toBe('https://localhost:3443');
    expect(mtlsOrigin('https://as.example.com/tenant', 8443)).toBe('https://as.example.com:8443');
  });
});
