/**
 * FAILURE_LIMIT under attack, through real HTTP against the Express example server, with the
 * limiter in memory and on Redis (two instances sharing it). RFC 6749 §2.3.1 ("MUST protect any
 * endpoint utilizing it against brute force attacks") and DESIGN.md §3 ("failures are counted only
 * where guessing can succeed; a blocked entry is never evicted before its block ends; a lockout
 * must not be cheaper than the guessing it prevents"):
 * - the race: 80 concurrent guesses at a hashed secret (79 wrong, 1 right) get at most
 *   maxFailures verifications;
 * - garbage assertions and secrets naming a private_key_jwt client never block it;
 * - keyed by client and source address (FAILURE_LIMIT_KEY), sockets bound to 127.0.0.x;
 * - a blocked Basic client gets 401 + WWW-Authenticate + Retry-After, body credentials 429;
 * - a flood of made-up client_ids never unblocks a client (memory bound; a full Redis).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { type IncomingHttpHeaders, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashSecret } from '@client-auth/core';
import { type CryptoKey, exportJWK, generateKeyPair } from 'jose';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientAssertion } from '../../../test/helpers/assertion.js';
import { type RunningExample, startExample } from '../../../test/helpers/example-server.js';
import { noOwnRedisReason, OwnRedisServer, reportSkip } from '../../../test/helpers/redis.js';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const LIMIT = 5;
const BLOCK = 300;

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: { error?: string; error_description?: string; access_token?: string };
}

/** POST /token from a chosen loopback source address (`localAddress`), with a form body. */
function token(
  server: RunningExample,
  fields: Record<string, string>,
  options: { from?: string; basic?: [string, string] } = {},
): Promise<Reply> {
  const body = new URLSearchParams({ grant_type: 'client_credentials', ...fields }).toString();
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    'content-length': String(Buffer.byteLength(body)),
  };
  if (options.basic !== undefined) {
    // RFC 6749 §2.3.1: each part form-encoded, then Basic.
    const [id, secret] = options.basic.map(encodeURIComponent);
    headers.authorization = `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
  }
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: server.port,
        path: '/token',
        method: 'POST',
        headers,
        localAddress: options.from ?? '127.0.0.1',
        agent: false,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const post = (server: RunningExample, clientId: string, secret: string, from?: string) =>
  token(server, { client_id: clientId, client_secret: secret }, from === undefined ? {} : { from });

let pkKey: CryptoKey;
let clientsFile: string;
const HASHED_SECRET = randomBytes(16).toString('base64url');

/** A client assertion; ES256 ones name the registered key `pk-1`. */
function assertion(clientId: string, aud: string, key: CryptoKey | Uint8Array, alg: string): Promise<string> {
  return clientAssertion(clientId, aud, key, { alg, ...(alg === 'ES256' ? { kid: 'pk-1' } : {}) });
}

beforeAll(async () => {
  const pair = await generateKeyPair('ES256', { extractable: true });
  pkKey = pair.privateKey;
  // scrypt ln=13: a verification takes tens of milliseconds, long enough for 80 concurrent
  // requests to all pass a check made before any of them is recorded (the race of the old code).
  const hash = await hashSecret(HASHED_SECRET, { ln: 13 });
  const clients = [
    { client_id: 'hashed', client_secrets: [{ hash }], token_endpoint_auth_method: 'client_secret_post' },
    { client_id: 'basic-client', client_secret: 'basic-secret', token_endpoint_auth_method: 'client_secret_basic' },
    { client_id: 'post-client', client_secret: 'post-secret', token_endpoint_auth_method: 'client_secret_post' },
    {
      client_id: 'pkB',
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'pk-1', alg: 'ES256', use: 'sig' }] },
    },
  ];
  clientsFile = join(mkdtempSync(join(tmpdir(), 'client-auth-limiter-')), 'clients.json');
  writeFileSync(clientsFile, JSON.stringify(clients));
});

reportSkip(noOwnRedisReason);

interface Backend {
  /** Two instances sharing one limiter (the same process twice for memory). */
  servers: [RunningExample, RunningExample];
  /** An instance keyed by client only (FAILURE_LIMIT_KEY=client). */
  byClient: RunningExample;
}

const backends: {
  name: string;
  skip: boolean;
  start(env: Record<string, string>): Promise<Backend>;
  stop(): Promise<void>;
}[] = [];

{
  const running: RunningExample[] = [];
  backends.push({
    name: 'in memory',
    skip: false,
    async start(env) {
      // The in-memory limiter, whatever REDIS_URL the suite runs with (.ci/run sets one, whose
      // state would outlive this run).
      const memory = { ...env, REDIS_URL: '' };
      const [one, byClient] = await Promise.all([
        startExample('express', memory),
        startExample('express', { ...memory, FAILURE_LIMIT_KEY: 'client' }),
      ]);
      running.push(one, byClient);
      return { servers: [one, one], byClient };
    },
    async stop() {
      await Promise.all(running.map((server) => server.stop()));
    },
  });
}
{
  const running: RunningExample[] = [];
  let redis: OwnRedisServer | undefined;
  backends.push({
    name: 'on Redis, two instances',
    skip: noOwnRedisReason !== undefined,
    async start(env) {
      redis = await OwnRedisServer.start();
      const shared = { ...env, REDIS_URL: redis.url };
      const [one, two, byClient] = await Promise.all([
        startExample('express', shared),
        startExample('express', shared),
        startExample('express', { ...shared, FAILURE_LIMIT_KEY: 'client' }),
      ]);
      running.push(one, two, byClient);
      return { servers: [one, two], byClient };
    },
    async stop() {
      await Promise.all(running.map((server) => server.stop()));
      await redis?.close();
    },
  });
}

for (const backend of backends) {
  describe.skipIf(backend.skip)(`FAILURE_LIMIT ${backend.name} (RFC 6749 §2.3.1)`, () => {
    let setup: Backend;
    beforeAll(async () => {
      setup = await backend.start({ CLIENTS_FILE: clientsFile, FAILURE_LIMIT: `${LIMIT}/60/${BLOCK}` });
    }, 60_000);
    afterAll(() => backend.stop());

    it('80 concurrent guesses at a hashed secret (79 wrong, the right one last): at most maxFailures are verified, the rest get 429 unchecked', async () => {
      const [one, two] = setup.servers;
      const secrets = [...Array.from({ length: 79 }, (_, i) => `wrong-${i}`), HASHED_SECRET];
      const replies = await Promise.all(secrets.map((secret, i) => post(i % 2 === 0 ? one : two, 'hashed', secret)));
      const statuses = replies.map((reply) => reply.status);
      // Verified requests answer 401 (wrong) or 200 (right); refused ones 429 without a check.
      expect(statuses.filter((status) => status !== 429).length).toBeLessThanOrEqual(LIMIT);
      expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(80 - LIMIT);
      for (const reply of replies.filter(({ status }) => status === 429)) {
        expect(reply.body.error).toBe('invalid_client');
        expect(Number(reply.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      }
    });

    it('garbage assertions, secrets and Basic credentials naming a private_key_jwt client never block it', async () => {
      const [one, two] = setup.servers;
      const aud = (server: RunningExample) => `http://localhost:${server.port}`;
      for (let i = 0; i < 3 * LIMIT; i++) {
        const server = i % 2 === 0 ? one : two;
        const garbage = await assertion('pkB', aud(server), randomBytes(32), 'HS256');
        expect((await token(server, { client_assertion_type: ASSERTION_TYPE, client_assertion: garbage })).status).toBe(
          401,
        );
        expect((await post(server, 'pkB', `guess-${i}`)).status).toBe(401);
        expect((await token(server, {}, { basic: ['pkB', `guess-${i}`] })).status).toBe(401);
      }
      const valid = await assertion('pkB', aud(one), pkKey, 'ES256');
      const reply = await token(one, { client_assertion_type: ASSERTION_TYPE, client_assertion: valid });
      expect(reply.status).toBe(200);
      expect(typeof reply.body.access_token).toBe('string');
    });

    it('keyed by client and source address (default): failures from 127.0.0.2 block 127.0.0.2 only; FAILURE_LIMIT_KEY=client blocks the client everywhere', async () => {
      const [one, two] = setup.servers;
      for (let i = 0; i < LIMIT; i++) {
        expect((await post(i % 2 === 0 ? one : two, 'post-client', `wrong-${i}`, '127.0.0.2')).status).toBe(401);
      }
      expect((await post(two, 'post-client', 'post-secret', '127.0.0.2')).status).toBe(429);
      expect((await post(one, 'post-client', 'post-secret', '127.0.0.1')).status).toBe(200);
      expect((await post(two, 'post-client', 'post-secret', '127.0.0.1')).status).toBe(200);

      for (let i = 0; i < LIMIT; i++) await post(setup.byClient, 'post-client', `wrong-${i}`, '127.0.0.2');
      expect((await post(setup.byClient, 'post-client', 'post-secret', '127.0.0.1')).status).toBe(429);
    });

    it('a blocked Basic client gets 401 invalid_client with WWW-Authenticate: Basic realm and Retry-After (RFC 6749 §5.2); body credentials get 429 with Retry-After (RFC 6585 §4)', async () => {
      const [one, two] = setup.servers;
      for (let i = 0; i < LIMIT; i++) {
        const wrong = await token(
          i % 2 === 0 ? one : two,
          {},
          { basic: ['basic-client', `wrong-${i}`], from: '127.0.0.3' },
        );
        expect(wrong.status).toBe(401);
      }
      const blocked = await token(two, {}, { basic: ['basic-client', 'basic-secret'], from: '127.0.0.3' });
      expect(blocked.status).toBe(401);
      expect(blocked.headers['www-authenticate']).toBe(`Basic realm="http://localhost:${two.port}"`);
      expect(blocked.headers['retry-after']).toBe(String(BLOCK));
      expect(blocked.body).toEqual({ error: 'invalid_client', error_description: 'client authentication failed' });

      for (let i = 0; i < LIMIT; i++) await post(i % 2 === 0 ? one : two, 'post-client', `wrong-${i}`, '127.0.0.3');
      const body = await post(one, 'post-client', 'post-secret', '127.0.0.3');
      expect(body.status).toBe(429);
      expect(body.headers['www-authenticate']).toBeUndefined();
      expect(body.headers['retry-after']).toBe(String(BLOCK));
      expect(body.body.error).toBe('invalid_client');
    });
  });
}

describe('FAILURE_LIMIT in memory: a flood of made-up client_ids never unblocks a client (DESIGN.md §3)', () => {
  let server: RunningExample;
  beforeAll(async () => {
    // maxEntries 20: the 4th field of FAILURE_LIMIT.
    // The in-memory limiter is the subject here, whatever REDIS_URL the suite runs with (.ci/run sets one).
    server = await startExample('express', {
      CLIENTS_FILE: clientsFile,
      FAILURE_LIMIT: `2/60/${BLOCK}/20`,
      REDIS_URL: '',
    });
  });
  afterAll(() => server?.stop());

  it('the block survives 200 made-up client_ids; once every entry is blocked, new keys get 503 and the block still holds', async () => {
    expect((await post(server, 'post-client', 'wrong-1')).status).toBe(401);
    expect((await post(server, 'post-client', 'wrong-2')).status).toBe(401);
    for (let i = 0; i < 200; i++) expect((await post(server, `made-up-${i}`, 'x')).status).toBe(401);
    expect((await post(server, 'post-client', 'post-secret')).status).toBe(429);

    // Block 19 more keys (2 failures each): the table is full of blocks.
    for (let i = 0; i < 19; i++) {
      await post(server, `blocked-${i}`, 'x');
      await post(server, `blocked-${i}`, 'x');
    }
    const full = await post(server, 'one-more', 'x');
    expect(full.status).toBe(503);
    expect(full.body.error).toBe('temporarily_unavailable');
    expect(full.headers['retry-after']).toBe('1');
    expect((await post(server, 'post-client', 'post-secret')).status).toBe(429);
  });
});

describe.skipIf(noOwnRedisReason !== undefined)('FAILURE_LIMIT on Redis: a full Redis never unblocks a client', () => {
  let redis: OwnRedisServer;
  let client: ReturnType<typeof createClient>;
  let server: RunningExample;
  beforeAll(async () => {
    redis = await OwnRedisServer.start();
    client = createClient({ url: redis.url });
    client.on('error', () => {});
    await client.connect();
    server = await startExample('express', {
      CLIENTS_FILE: clientsFile,
      FAILURE_LIMIT: `2/60/${BLOCK}`,
      REDIS_URL: redis.url,
    });
  });
  afterAll(async () => {
    client?.destroy();
    await server?.stop();
    await redis?.close();
  });

  it('with noeviction and Redis full: the blocked client stays blocked, made-up client_ids get 503 (fail closed)', async () => {
    expect((await post(server, 'post-client', 'wrong-1')).status).toBe(401);
    expect((await post(server, 'post-client', 'wrong-2')).status).toBe(401);
    // Over maxmemory for good: a limit below what Redis already uses (filling up to the limit left
    // it at the edge, where a freed buffer let the next write through).
    const used = Number(/used_memory:(\d+)/.exec(await client.info('memory'))?.[1]);
    await client.configSet({ maxmemory: String(Math.floor(used / 2)), 'maxmemory-policy': 'noeviction' });
    await expect(client.set('one-more', 'x')).rejects.toThrow(/OOM/);
    for (let i = 0; i < 20; i++) {
      const reply = await post(server, `made-up-${i}`, 'x');
      expect(reply.status).toBe(503);
      expect(reply.body.error).toBe('temporarily_unavailable');
    }
    expect((await post(server, 'post-client', 'post-secret')).status).toBe(429);
  });

  it('the example server warns at start when the eviction policy could evict limiter keys', async () => {
    await client.configSet({ maxmemory: '0', 'maxmemory-policy': 'volatile-lru' });
    await client.configSet('maxmemory', '100mb');
    const warned = await startExample('express', {
      CLIENTS_FILE: clientsFile,
      FAILURE_LIMIT: '2',
      REDIS_URL: redis.url,
    });
    try {
      expect(warned.output()).toMatch(
        /FAILURE_LIMIT: redis maxmemory-policy is volatile-lru .*set maxmemory-policy noeviction/,
      );
    } finally {
      await warned.stop();
    }
  });
});
