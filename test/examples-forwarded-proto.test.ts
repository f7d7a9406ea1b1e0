/**
 * The example servers behind a TLS-terminating proxy (issue 15 §1, DESIGN.md §5 TRUSTED_PROXIES):
 * with `ISSUER=https://…` secrets need TLS (RFC 6749 §2.3.1); a request from a peer listed in
 * TRUSTED_PROXIES whose `X-Forwarded-Proto` (or RFC 7239 `Forwarded`) says https gets its token,
 * the same request without it, or from a proxy not listed, is refused.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningExample, startExample } from './helpers/example-server.js';

const clientsFile = join(mkdtempSync(join(tmpdir(), 'client-auth-forwarded-')), 'clients.json');
writeFileSync(
  clientsFile,
  JSON.stringify([
    { client_id: 'basic', client_secret: 'basic-secret-0123456789', token_endpoint_auth_method: 'client_secret_basic' },
  ]),
);
const BASIC = `Basic ${Buffer.from('basic:basic-secret-0123456789').toString('base64')}`;

async function token(server: RunningExample, headers: Record<string, string>): Promise<Response> {
  return fetch(`${server.url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: BASIC, ...headers },
    body: 'grant_type=client_credentials',
  });
}

describe.each(['express', 'koa', 'hono'] as const)('examples/%s behind a TLS-terminating proxy', (name) => {
  let trusted: RunningExample;
  let elsewhere: RunningExample;
  beforeAll(async () => {
    const env = { ISSUER: 'https://as.example.com', CLIENTS_FILE: clientsFile };
    [trusted, elsewhere] = await Promise.all([
      startExample(name, { ...env, TRUSTED_PROXIES: '127.0.0.1' }),
      startExample(name, { ...env, TRUSTED_PROXIES: '192.0.2.1' }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([trusted?.stop(), elsewhere?.stop()]);
  });

  it('TRUSTED_PROXIES=127.0.0.1: X-Forwarded-Proto: https from 127.0.0.1 gets a token (client_secret_basic)', async () => {
    const response = await token(trusted, { 'x-forwarded-proto': 'https' });
    expect(response.status).toBe(200);
    expect(typeof ((await response.json()) as { access_token?: unknown }).access_token).toBe('string');
    const forwarded = await token(trusted, { forwarded: 'for=192.0.2.60;proto=https' });
    expect(forwarded.status).toBe(200);
  });

  it('the same request without the header, or with http among the hops, is refused (ERR_INSECURE_TRANSPORT)', async () => {
    const refused: Record<string, string>[] = [
      {},
      { 'x-forwarded-proto': 'http' },
      { 'x-forwarded-proto': 'https, http' },
    ];
    for (const headers of refused) {
      const response = await token(trusted, headers);
      expect(response.status, JSON.stringify(headers)).toBe(400);
      expect(await response.json()).toEqual({
        error: 'invalid_request',
        error_description: 'client secrets may only be sent over TLS',
      });
    }
  });

  it('TRUSTED_PROXIES=192.0.2.1: the header from 127.0.0.1 is ignored', async () => {
    expect((await token(elsewhere, { 'x-forwarded-proto': 'https' })).status).toBe(400);
  });
});

describe('examples: TRUSTED_PROXIES checked at start', () => {
  it('a malformed entry stops the start with exit code 1 and names the option, without a stack trace', async () => {
    const error = await startExample('koa', {
      ISSUER: 'https://as.example.com',
      CLIENTS_FILE: clientsFile,
      TRUSTED_PROXIES: '10.0.0.0/33',
    }).then(
      () => new Error('started'),
      (refused: Error) => refused,
    );
    expect(error.message).toMatch(/exited with 1:[\s\S]*trustedProxies: invalid prefix length/);
    expect(error.message).not.toMatch(/\n\s+at /);
    await expect(
      startExample('express', {
        ISSUER: 'https://as.example.com',
        CLIENTS_FILE: clientsFile,
        TRUSTED_PROXIES: '10.0.0.0/33',
      }),
    ).rejects.toThrow(/exited with 1:[\s\S]*trustedProxies: invalid prefix length/);
  });
});
