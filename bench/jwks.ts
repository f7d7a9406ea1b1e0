/**
 * Section 3: `jwks_uri`. A local key server counts its fetches while the core authenticates
 * (a) 10,000 assertions whose `kid` is registered, (b) 10,000 assertions whose `kid`s are all
 * unknown (a flood meant to make the server re-fetch). Targets: one fetch per freshness window in
 * (a); at most one re-fetch per cool-down in (b).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ClientAuthRequest, type ClientMetadata, createClientAuthenticator } from '@client-auth/core';
import {
  ISSUER,
  implemented,
  JWT_BEARER,
  makeJwtClient,
  memoryReplayStoreFactory,
  ONE_CLIENT_STORE,
  signAssertions,
} from './fixtures.js';
import type { BenchOptions } from './lib.js';

export interface JwksRow {
  name: string;
  requests: number;
  accepted?: number;
  fetches?: number;
  seconds?: number;
  target: string;
  skipped?: string;
}

/**
 * Options that let the core fetch a plain-HTTP `jwks_uri` on loopback (its SSRF guard refuses
 * loopback and private addresses by default).
 */
const JWKS_URI_OPTIONS = { jwks: { allowHttp: true, allow: ['127.0.0.1'] } };

const b64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

export async function runJwks(options: BenchOptions, log: (line: string) => void): Promise<JwksRow[]> {
  const count = options.smoke ? 50 : 10_000;
  const rows: JwksRow[] = [
    { name: 'known kid (+1 probe)', requests: count, target: '1 fetch (per freshness window)' },
    { name: 'unknown kid flood', requests: count, target: '≤ 1 re-fetch per cool-down (30 s)' },
  ];
  if (!implemented('private_key_jwt')) {
    for (const row of rows) row.skipped = 'not implemented';
    return rows;
  }
  const client = await makeJwtClient('ES256');
  let fetches = 0;
  const keyServer = createServer((_req, res) => {
    fetches++;
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' });
    res.end(JSON.stringify({ keys: [client.publicJwk] }));
  });
  await new Promise<void>((resolve) => keyServer.listen(0, '127.0.0.1', resolve));
  const port = (keyServer.address() as AddressInfo).port;
  try {
    const { jwks: _inline, ...rest } = client.metadata;
    const metadata: ClientMetadata = { ...rest, jwks_uri: `http://127.0.0.1:${port}/jwks` };
    const makeStore = memoryReplayStoreFactory();
    const auth = createClientAuthenticator({
      issuer: ISSUER,
      getClient: (id) => (id === metadata.client_id ? metadata : undefined),
      ...(makeStore ? { replayStore: makeStore(ONE_CLIENT_STORE) } : {}),
      ...JWKS_URI_OPTIONS,
    } as Parameters<typeof createClientAuthenticator>[0]);
    const request = (assertion: string): ClientAuthRequest => ({
      headers: {},
      body: { client_assertion_type: [JWT_BEARER], client_assertion: [assertion] },
      query: {},
    });
    // Probe: one assertion must verify through the jwks_uri first. Its fetch (the first one of the
    // freshness window) is counted with the known-kid requests.
    fetches = 0;
    const [first] = await signAssertions(client, 1);
    try {
      await auth.authenticate(request(first as string), { endpoint: 'token' });
    } catch (error) {
      const reason = `not available: ${(error as { code?: string }).code ?? (error as Error).message}`;
      for (const row of rows) row.skipped = reason;
      return rows;
    }

    log(`jwks_uri: ${count} requests with a known kid`);
    const known = await signAssertions(client, count);
    let started = performance.now();
    let accepted = 0;
    await Promise.all(
      chunks(known, 50).map(async (part) => {
        for (const assertion of part) {
          await auth.authenticate(request(assertion), { endpoint: 'token' });
          accepted++;
        }
      }),
    );
    Object.assign(rows[0] as JwksRow, { accepted, fetches, seconds: (performance.now() - started) / 1000 });

    log(`jwks_uri: ${count} requests with unknown kids`);
    const now = Math.floor(Date.now() / 1000);
    const flood = Array.from({ length: count }, () => {
      const header = b64url({ alg: 'ES256', kid: randomUUID() });
      const payload = b64url({
        iss: client.clientId,
        sub: client.clientId,
        aud: ISSUER,
        iat: now,
        exp: now + 60,
        jti: randomUUID(),
      });
      return `${header}.${payload}.${randomBytes(64).toString('base64url')}`;
    });
    fetches = 0;
    accepted = 0;
    started = performance.now();
    await Promise.all(
      chunks(flood, 50).map(async (part) => {
        for (const assertion of part) {
          try {
            await auth.authenticate(request(assertion), { endpoint: 'token' });
            accepted++;
          } catch {
            // expected: invalid_client
          }
        }
      }),
    );
    Object.assign(rows[1] as JwksRow, { accepted, fetches, seconds: (performance.now() - started) / 1000 });
  } finally {
    keyServer.close();
  }
  return rows;
}

/** Split into `n` interleaved parts: n requests in flight at a time. */
function chunks<T>(items: T[], n: number): T[][] {
  const parts: T[][] = Array.from({ length: n }, () => []);
  for (const [i, item] of items.entries()) parts[i % n]?.push(item);
  return parts;
}
