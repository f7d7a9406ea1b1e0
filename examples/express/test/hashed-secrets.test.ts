/**
 * The Express example server with scrypt-hashed client secrets (`CLIENTS_FILE` with
 * `client_secrets: [{ hash }]`), driven from outside over real HTTP: an unknown-client_id flood
 * leaves a known hashed client answered, and requests over the hash budget (`HASH_BUDGET`) get
 * 503 `temporarily_unavailable` with `Retry-After` at once, never a hang, and the server recovers.
 * What the server spends per request (no hash for an unknown client_id) is not visible from
 * outside: packages/core/test/hash-budget.test.ts and test/hash-budget-http.test.ts count it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashSecret } from '@client-auth/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningExample, startExample } from '../../../test/helpers/example-server.js';
import { json } from '../../../test/helpers/http.js';

const SECRET = 'hashed-demo-secret-0123456789abcdef';
let dir: string;
let clientsFile: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'client-auth-hashed-'));
  clientsFile = join(dir, 'clients.json');
  // scrypt at hashSecret's default cost (ln=15): tens of milliseconds per verification.
  const hash = await hashSecret(SECRET);
  writeFileSync(
    clientsFile,
    JSON.stringify([
      { client_id: 'hashed', client_secrets: [{ hash }], token_endpoint_auth_method: 'client_secret_post' },
    ]),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function token(base: string, clientId: string, secret = SECRET): Promise<Response> {
  return fetch(`${base}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret }),
  });
}

/** Status, headers and body of a response, read in full. */
async function answer(response: Promise<Response>) {
  const settled = await response;
  return { status: settled.status, headers: settled.headers, body: await json(settled) };
}

describe('examples/express, hashed secrets: an unknown-client_id flood (DESIGN.md §3)', () => {
  let server: RunningExample;
  // The tightest budget: one hash at a time, none waiting. An unknown client_id that took a slot
  // would turn the known client's request into a 503.
  beforeAll(async () => {
    server = await startExample('express', { CLIENTS_FILE: clientsFile, HASH_BUDGET: '1/0' });
  });
  afterAll(() => server?.stop());

  it('answers the known hashed client 200 among 200 unknown client_ids sent at once, and each of these as a hashed client with a wrong secret', async () => {
    // The server has checked its client once before, as a live one has.
    expect((await answer(token(server.url, 'hashed', 'wrong'))).status).toBe(401);
    const [known, ...unknown] = await Promise.all([
      answer(token(server.url, 'hashed')),
      ...Array.from({ length: 200 }, (_, i) => answer(token(server.url, `nobody-${i}`))),
    ]);
    expect(known.status).toBe(200);
    expect(known.body.token_type).toBe('Bearer');
    for (const response of unknown) {
      // 401 as a wrong secret; or, while the known client's hash holds the only slot, the 503 a
      // hashed client would get then (answering 401 instead would tell the client_id is unknown).
      if (response.status === 401) {
        expect(response.body.error).toBe('invalid_client');
        expect(response.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
      } else {
        expect(response.status).toBe(503);
        expect(response.body.error).toBe('temporarily_unavailable');
        expect(response.headers.get('retry-after')).toBe('1');
      }
    }
  });
});

describe('examples/express, hashed secrets: over the hash budget (RFC 6749 §5.2, RFC 9110 §10.2.3)', () => {
  let server: RunningExample;
  beforeAll(async () => {
    server = await startExample('express', { CLIENTS_FILE: clientsFile, HASH_BUDGET: '1/1' });
  });
  afterAll(() => server?.stop());

  it('refuses the excess with 503 temporarily_unavailable and Retry-After: 1, answers the rest, then recovers', async () => {
    const responses = await Promise.all(Array.from({ length: 30 }, () => answer(token(server.url, 'hashed'))));
    const busy = responses.filter((response) => response.status === 503);
    const ok = responses.filter((response) => response.status === 200);
    // Every request answered: a token or a 503, nothing else, nothing left hanging.
    expect(busy.length + ok.length).toBe(30);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    expect(busy.length).toBeGreaterThanOrEqual(1);
    for (const response of busy) {
      expect(response.headers.get('retry-after')).toBe('1');
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.body.error).toBe('temporarily_unavailable');
      // RFC 6749 §5.2: error_description is %x20-21 / %x23-5B / %x5D-7E.
      expect(response.body.error_description).toMatch(/^[\x20-\x21\x23-\x5b\x5d-\x7e]+$/);
    }
    // Capacity is back once the burst is answered.
    expect((await answer(token(server.url, 'hashed'))).status).toBe(200);
  });

  it('refuses a malformed HASH_BUDGET at start with a clear message', async () => {
    await expect(startExample('express', { CLIENTS_FILE: clientsFile, HASH_BUDGET: 'two' })).rejects.toThrow(
      /HASH_BUDGET must be maxConcurrentHashes\[\/maxQueuedHashes\]/,
    );
    await expect(startExample('express', { CLIENTS_FILE: clientsFile, HASH_BUDGET: '0' })).rejects.toThrow(
      /secrets\.maxConcurrentHashes must be an integer from 1 to 1024/,
    );
  });
});
