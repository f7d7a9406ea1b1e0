/**
 * The example servers' operator log (issue 15 §4, DESIGN.md §5): pino JSON lines on stdout, one
 * per refused client authentication, with the stable `code`, the presented client_id (bounded and
 * escaped), the method and the endpoint; `LOG_LEVEL` sets the level; and never a secret, an
 * assertion or key material in the output, whatever the request sent.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { clientAssertion } from './helpers/assertion.js';
import { logLines, type RunningExample, startExample, startExampleAtLoopbackIssuer } from './helpers/example-server.js';

const SECRET = `secret-${randomUUID()}-${randomUUID()}`;
const WRONG = `wrong-${randomUUID()}-${randomUUID()}`;
const HMAC = `hmac-${randomUUID()}-${randomUUID()}`;
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

const keys = await generateKeyPair('ES256', { extractable: true });
const privateJwk = await exportJWK(keys.privateKey);
const clientsFile = join(mkdtempSync(join(tmpdir(), 'client-auth-logging-')), 'clients.json');
writeFileSync(
  clientsFile,
  JSON.stringify([
    { client_id: 'basic', client_secret: SECRET, token_endpoint_auth_method: 'client_secret_basic' },
    { client_id: 'post', client_secret: SECRET, token_endpoint_auth_method: 'client_secret_post' },
    { client_id: 'hs', client_secret: HMAC, token_endpoint_auth_method: 'client_secret_jwt' },
    {
      client_id: 'pk',
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [{ ...(await exportJWK(keys.publicKey)), kid: 'k1' }] },
    },
  ]),
);

function form(fields: Record<string, string>, headers: Record<string, string> = {}): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  };
}

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/** A client assertion signed with the client's ES256 key (`k1`) or the HMAC secret. */
function assertion(clientId: string, aud: string, alg: 'ES256' | 'HS256'): Promise<string> {
  if (alg === 'HS256') return clientAssertion(clientId, aud, new TextEncoder().encode(HMAC), { alg });
  return clientAssertion(clientId, aud, keys.privateKey, { alg, kid: 'k1' });
}

describe.each(['express', 'koa', 'hono'] as const)('examples/%s: the operator log (pino, LOG_LEVEL)', (name) => {
  let server: RunningExample & { issuer: string };
  beforeAll(async () => {
    server = await startExampleAtLoopbackIssuer(name, { CLIENTS_FILE: clientsFile, LOG_LEVEL: 'info' });
  });
  afterAll(() => server?.stop());

  it('writes one JSON line per refused client authentication, with the stable code, client_id, method and endpoint', async () => {
    const before = logLines(server).filter((line) => line.msg === 'client authentication refused').length;
    const refused = await fetch(`${server.issuer}/token`, {
      ...form({ grant_type: 'client_credentials' }),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: basic('basic', WRONG),
        // What Envoy sets on every request (nginx with $request_id): the line carries it.
        'x-request-id': 'req-4bf92f3577b34da6',
      },
    });
    expect(refused.status).toBe(401);
    const unknown = await fetch(
      `${server.issuer}/revoke`,
      form({ client_id: 'nobody', client_secret: WRONG, token: 'x' }),
    );
    expect(unknown.status).toBe(401);
    await vi.waitFor(() =>
      expect(logLines(server).filter((line) => line.msg === 'client authentication refused').length).toBe(before + 2),
    );
    const refusals = logLines(server).filter((line) => line.msg === 'client authentication refused');
    expect(refusals).toContainEqual(
      expect.objectContaining({
        level: 'info',
        code: 'ERR_SECRET_MISMATCH',
        error: 'invalid_client',
        status: 401,
        client_id: 'basic',
        method: 'client_secret_basic',
        endpoint: 'token',
        peer: '127.0.0.1',
        reqId: 'req-4bf92f3577b34da6',
      }),
    );
    expect(refusals).toContainEqual(
      expect.objectContaining({ code: 'ERR_CLIENT_NOT_FOUND', client_id: 'nobody', endpoint: 'revocation' }),
    );
    // No X-Request-Id sent: none invented (it would match nothing in the proxy's logs).
    const nobody = refusals.find((line) => line.client_id === 'nobody');
    expect(nobody?.peer).toBe('127.0.0.1');
    expect(nobody).not.toHaveProperty('reqId');
    for (const line of refusals) {
      expect(typeof line.time).toBe('number');
      expect(typeof line.pid).toBe('number');
    }
  });

  it('keeps a hostile client_id on its own line, escaped and cut to 200 characters', async () => {
    // RFC 6749 Appendix A.1: a client_id is VSCHAR (%x20-7E), so quotes and braces are valid.
    // 1,000 characters: under the 1,024 the core accepts (LIMITS.md), over the 200 a line keeps.
    const hostile = `evil"} {"level":"fatal","msg":"forged"}${'x'.repeat(961)}`;
    const response = await fetch(`${server.issuer}/token`, form({ client_id: hostile, client_secret: WRONG }));
    expect(response.status).toBe(401);
    // A control character is refused before any lookup (400), and cannot split a line either.
    const newline = await fetch(
      `${server.issuer}/token`,
      form({ client_id: 'evil\n{"msg":"forged"}', client_secret: WRONG }),
    );
    expect(newline.status).toBe(400);
    await vi.waitFor(() =>
      expect(logLines(server).some((line) => String(line.client_id ?? '').startsWith('evil"}'))).toBe(true),
    );
    const line = logLines(server).find((entry) => String(entry.client_id ?? '').startsWith('evil"}')) as Record<
      string,
      unknown
    >;
    expect(line.code).toBe('ERR_CLIENT_NOT_FOUND');
    expect(String(line.client_id)).toMatch(/^evil"\} \{"level":"fatal","msg":"forged"\}x+…\(1000 characters\)$/);
    expect(String(line.client_id).length).toBeLessThan(240);
    // The injected text never became a line of its own.
    expect(logLines(server).some((entry) => entry.msg === 'forged')).toBe(false);
  });

  it('never writes a secret or an assertion, accepted or refused (DESIGN.md §3)', async () => {
    const sent: string[] = [SECRET, WRONG, HMAC, String(privateJwk.d)];
    const send = async (init: RequestInit, path = '/token') => (await fetch(`${server.issuer}${path}`, init)).status;
    // Accepted: Basic and body secrets, an HMAC and a signed assertion.
    expect(
      await send({
        ...form({ grant_type: 'client_credentials' }),
        headers: { authorization: basic('basic', SECRET), 'content-type': 'application/x-www-form-urlencoded' },
      }),
    ).toBe(200);
    expect(await send(form({ grant_type: 'client_credentials', client_id: 'post', client_secret: SECRET }))).toBe(200);
    const good = await assertion('pk', server.issuer, 'ES256');
    sent.push(good);
    expect(
      await send(
        form({ grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: good }),
      ),
    ).toBe(200);
    // Refused: the same assertion replayed, an HMAC assertion for the wrong audience, a wrong
    // secret in each place, a secret sent to a client of another method.
    expect(
      await send(
        form({ grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: good }),
      ),
    ).toBe(401);
    const wrongAudience = await assertion('hs', 'https://attacker.example', 'HS256');
    sent.push(wrongAudience);
    expect(
      await send(
        form({
          grant_type: 'client_credentials',
          client_assertion_type: ASSERTION_TYPE,
          client_assertion: wrongAudience,
        }),
      ),
    ).toBe(401);
    expect(await send(form({ grant_type: 'client_credentials', client_id: 'post', client_secret: WRONG }))).toBe(401);
    expect(await send(form({ client_id: 'pk', client_secret: SECRET, token: 'x' }), '/revoke')).toBe(401);
    const garbage = `${good.slice(0, -10)}AAAAAAAAAA`;
    sent.push(garbage);
    expect(
      await send(
        form({ grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: garbage }),
      ),
    ).toBe(401);
    await vi.waitFor(() =>
      expect(
        logLines(server).filter((line) => line.msg === 'client authentication refused').length,
      ).toBeGreaterThanOrEqual(5),
    );
    const output = server.output();
    for (const value of sent) {
      expect(output.includes(value), 'a credential reached the log').toBe(false);
      // Nor its signature or payload part alone.
      for (const part of value.split('.')) if (part.length >= 16) expect(output.includes(part)).toBe(false);
    }
  });
});

describe('examples: LOG_LEVEL', () => {
  it('LOG_LEVEL=warn keeps 4xx refusals out of the log', async () => {
    const server = await startExampleAtLoopbackIssuer('express', { CLIENTS_FILE: clientsFile, LOG_LEVEL: 'warn' });
    try {
      const response = await fetch(`${server.issuer}/token`, form({ client_id: 'post', client_secret: WRONG }));
      expect(response.status).toBe(401);
      // A refusal at the default level in a second server proves lines do arrive in this setup.
      const control = await startExampleAtLoopbackIssuer('express', { CLIENTS_FILE: clientsFile });
      try {
        expect((await fetch(`${control.issuer}/token`, form({ client_id: 'post', client_secret: WRONG }))).status).toBe(
          401,
        );
        await vi.waitFor(() =>
          expect(logLines(control).some((line) => line.code === 'ERR_SECRET_MISMATCH')).toBe(true),
        );
      } finally {
        await control.stop();
      }
      expect(logLines(server).some((line) => line.code === 'ERR_SECRET_MISMATCH')).toBe(false);
    } finally {
      await server.stop();
    }
  });

  it('an unknown LOG_LEVEL stops the start with exit code 1, says which values exist, prints no stack trace', async () => {
    const error = await startExample('express', { CLIENTS_FILE: clientsFile, LOG_LEVEL: 'loud' }).then(
      () => new Error('started'),
      (refused: Error) => refused,
    );
    expect(error.message).toMatch(
      /exited with 1:[\s\S]*LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent/,
    );
    expect(error.message).not.toMatch(/\n\s+at /);
  });
});
