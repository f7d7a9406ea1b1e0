/**
 * The Express example server over real HTTP with REPLAY_MAX_PER_CLIENT: one client that fills its
 * quota of live jti in the in-memory replay store is answered 503 `temporarily_unavailable`
 * (`ERR_REPLAY_QUOTA_EXCEEDED`) with `Retry-After`, and another client keeps authenticating.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CryptoKey, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningExample, startExampleAtLoopbackIssuer } from '../../../test/helpers/example-server.js';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

describe('Express example: per-client replay quota (OpenID Connect Core §9, RFC 6749 §5.2)', () => {
  let server: RunningExample;
  let issuer: string;
  const keys: Record<string, CryptoKey> = {};

  beforeAll(async () => {
    const clients = [];
    for (const id of ['filler', 'bystander']) {
      const { privateKey, publicKey } = await generateKeyPair('ES256');
      keys[id] = privateKey;
      clients.push({
        client_id: id,
        token_endpoint_auth_method: 'private_key_jwt',
        jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: id }] },
      });
    }
    const file = join(mkdtempSync(join(tmpdir(), 'client-auth-replay-quota-')), 'clients.json');
    writeFileSync(file, JSON.stringify(clients));
    const started = await startExampleAtLoopbackIssuer('express', {
      CLIENTS_FILE: file,
      REPLAY_MAX_PER_CLIENT: '3',
      // The in-memory store is the subject here, whatever REDIS_URL the suite runs with (.ci/run sets one).
      REDIS_URL: '',
    });
    server = started;
    issuer = started.issuer;
  });

  afterAll(() => server?.stop());

  /** A token request with a fresh one-hour assertion (the longest the default lifetime cap allows). */
  async function token(clientId: string): Promise<Response> {
    const now = Math.floor(Date.now() / 1000);
    const jwt = await new SignJWT({ jti: randomUUID() })
      .setProtectedHeader({ alg: 'ES256', kid: clientId })
      .setIssuer(clientId)
      .setSubject(clientId)
      .setAudience(issuer)
      .setIssuedAt(now)
      .setExpirationTime(now + 3600)
      .sign(keys[clientId] as CryptoKey);
    return fetch(`${issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_assertion_type: ASSERTION_TYPE,
        client_assertion: jwt,
      }).toString(),
    });
  }

  it('refuses the client over its quota with 503 temporarily_unavailable; the other client still gets tokens', async () => {
    // Real concurrency: five requests of the filler at once; three fit its quota.
    const filler = await Promise.all(Array.from({ length: 5 }, () => token('filler')));
    expect(filler.map((response) => response.status).sort()).toEqual([200, 200, 200, 503, 503]);
    const refused = filler.find((response) => response.status === 503) as Response;
    expect(await refused.json()).toEqual({
      error: 'temporarily_unavailable',
      error_description: 'the authorization server is temporarily unable to handle the request',
    });
    // RFC 9110 §10.2.3: until the filler's earliest jti expires (its assertions live one hour).
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(3500);

    const bystander = await Promise.all(Array.from({ length: 3 }, () => token('bystander')));
    expect(bystander.map((response) => response.status)).toEqual([200, 200, 200]);
    expect((await token('filler')).status).toBe(503);
  });
});
