/**
 * FAILURE_LIMIT in the example server: after N wrong secrets a client_id is refused with
 * invalid_client and Retry-After (RFC 6749 §2.3.1 brute-force protection), the right secret too:
 * 429 for body credentials (RFC 6585 §4), 401 with the Basic challenge for Basic (RFC 6749 §5.2).
 * Attacks on the limiter: failure-limit-attacks.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningExample, startExample } from '../../../test/helpers/example-server.js';
import { json } from '../../../test/helpers/http.js';
import { noOwnRedisReason, OwnRedisServer, reportSkip } from '../../../test/helpers/redis.js';

let server: RunningExample;
beforeAll(async () => {
  server = await startExample('express', { FAILURE_LIMIT: '2/60/120' });
});
afterAll(() => server?.stop());

const token = (secret: string) =>
  fetch(`${server.url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 's6BhdRkqt3', client_secret: secret }),
  });

describe('FAILURE_LIMIT (example server)', () => {
  it('blocks a client_id after 2 failures with 429 invalid_client and Retry-After: 120', async () => {
    expect((await token('wrong-1')).status).toBe(401);
    expect((await token('wrong-2')).status).toBe(401);
    const blocked = await token('7Fjfp0ZBr1KtDRbnfVdmIw');
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get('retry-after')).toBe('120');
    expect((await json(blocked)).error).toBe('invalid_client');
  });
});

reportSkip(noOwnRedisReason);

describe.skipIf(noOwnRedisReason !== undefined)('FAILURE_LIMIT with REDIS_URL: one count for every instance', () => {
  let redis: OwnRedisServer;
  const servers: RunningExample[] = [];
  beforeAll(async () => {
    redis = await OwnRedisServer.start();
    const env = { FAILURE_LIMIT: '2/60/120', REDIS_URL: redis.url };
    servers.push(...(await Promise.all([startExample('express', env), startExample('express', env)])));
  });
  afterAll(async () => {
    await Promise.all(servers.map((running) => running.stop()));
    await redis?.close();
  });

  const basic = (base: string, secret: string) =>
    fetch(`${base}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`s6BhdRkqt3:${secret}`).toString('base64')}`,
      },
      body: 'grant_type=client_credentials',
    });

  it('blocks a client_id at instance A after one failure at A and one at B (RFC 6749 §2.3.1); Basic: 401 with the challenge (RFC 6749 §5.2)', async () => {
    const [a, b] = servers.map((running) => running.url) as [string, string];
    expect((await basic(a, 'wrong-1')).status).toBe(401);
    expect((await basic(b, 'wrong-2')).status).toBe(401);
    const blocked = await basic(a, '7Fjfp0ZBr1KtDRbnfVdmIw');
    expect(blocked.status).toBe(401);
    expect(blocked.headers.get('www-authenticate')).toMatch(/^Basic realm="/);
    expect(blocked.headers.get('retry-after')).toBe('120');
    expect((await json(blocked)).error).toBe('invalid_client');
    const atB = await basic(b, '7Fjfp0ZBr1KtDRbnfVdmIw');
    expect(atB.status).toBe(401);
    expect(atB.headers.get('retry-after')).toBe('120');
  });
});
