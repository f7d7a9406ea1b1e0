/**
 * attest_jwt_client_auth through the example servers (DESIGN.md §5: ATTESTATION_ISSUERS), as a
 * wallet drives them (draft-ietf-oauth-attestation-based-client-auth-10): an attester key and an
 * instance key generated for this run, a challenge from POST /challenge, the Client Attestation
 * and its PoP in their headers, over real HTTP (undici) to Express, Koa and Hono. Then the replay
 * of one PoP, and of one challenge, across two instances behind one issuer sharing a real Redis.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK } from 'jose';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  logLines,
  type RunningExample,
  startExample,
  startExampleAtLoopbackIssuer,
} from './helpers/example-server.js';
import { noRedisReason, reportSkip, suiteRedis } from './helpers/redis.js';
import { noClusterReason, OwnRedisCluster } from './helpers/redis-cluster.js';
import { ERROR_DESCRIPTION_CHARACTERS } from './helpers/rfc6749.js';
import { attestationHeaders, attestersOf, createWallet, popJwt, type Wallet } from './helpers/wallet.js';

const A = 'draft-ietf-oauth-attestation-based-client-auth-10';
const CHALLENGE_SECRET = 'example-attestation-challenge-secret-0123456789';

let dir: string;
let issuersFile: string;
let wallet: Wallet;
let rogue: Wallet;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'client-auth-attestation-'));
  [wallet, rogue] = await Promise.all([
    createWallet('demo-wallet'),
    createWallet('demo-wallet', 'https://rogue-attester.example.test'),
  ]);
  // ATTESTATION_ISSUERS: attester iss → its JWK Set.
  issuersFile = join(dir, 'attesters.json');
  const attesters = attestersOf(wallet);
  writeFileSync(
    issuersFile,
    JSON.stringify(Object.fromEntries(Object.entries(attesters).map(([iss, { jwks }]) => [iss, jwks]))),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

async function post(url: string, headers: [string, string][], form: string): Promise<Answer> {
  const flat: string[] = ['content-type', 'application/x-www-form-urlencoded'];
  for (const [name, value] of headers) flat.push(name, value);
  const response = await request(url, { method: 'POST', headers: flat, body: form });
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, body: text === '' ? {} : JSON.parse(text) };
}

async function challengeFrom(server: RunningExample): Promise<string> {
  const response = await request(`${server.url}/challenge`, {
    method: 'POST',
    headers: { accept: 'application/json' },
  });
  expect(response.statusCode).toBe(200);
  // §6.1: "MUST make the response uncacheable by adding a Cache-Control header field including ... no-store".
  expect(response.headers['cache-control']).toContain('no-store');
  const body = (await response.body.json()) as { attestation_challenge?: unknown };
  expect(typeof body.attestation_challenge).toBe('string');
  return body.attestation_challenge as string;
}

/** The last refusal code the server logged (one JSON line per refused authentication). */
function lastCode(server: RunningExample): unknown {
  return logLines(server)
    .filter((line) => line.code !== undefined)
    .at(-1)?.code;
}

const GRANT = 'grant_type=client_credentials';

interface BadCase {
  title: string;
  headers: (issuer: string, challenge: string) => Promise<[string, string][]>;
  form?: string;
  expect: { status: number; error: string; code: string };
}

const BAD: BadCase[] = [
  {
    title: `a missing PoP header (${A} §7.2 item 1)`,
    headers: async (issuer, challenge) =>
      (await attestationHeaders(wallet, issuer, { pop: { challenge } })).slice(0, 1),
    expect: { status: 400, error: 'invalid_request', code: 'ERR_ATTESTATION_HEADER_MISSING' },
  },
  {
    title: `a repeated attestation header (${A} §7.1 item 1)`,
    headers: async (issuer, challenge) => {
      const headers = await attestationHeaders(wallet, issuer, { pop: { challenge } });
      return [headers[0] as [string, string], ...headers];
    },
    expect: { status: 400, error: 'invalid_request', code: 'ERR_ATTESTATION_HEADER_REPEATED' },
  },
  {
    title: `an oversized attestation header (${A} §9.5)`,
    headers: async (issuer, challenge) => [
      ['OAuth-Client-Attestation', `${'a'.repeat(9000)}.b.c`],
      ['OAuth-Client-Attestation-PoP', await popJwt(wallet, issuer, { challenge })],
    ],
    expect: { status: 400, error: 'invalid_request', code: 'ERR_ATTESTATION_HEADER_TOO_LARGE' },
  },
  {
    title: `an attestation from an untrusted attester (${A} §7.1 item 4)`,
    headers: (issuer, challenge) => attestationHeaders(rogue, issuer, { pop: { challenge } }),
    expect: { status: 401, error: 'invalid_client', code: 'ERR_ATTESTATION_ISSUER_UNTRUSTED' },
  },
  {
    title: `an attestation with a key from its own header (${A} §7.1 item 4)`,
    headers: (issuer, challenge) =>
      attestationHeaders(wallet, issuer, {
        attestation: { signingKey: rogue.attester.privateKey, header: { jwk: rogue.attester.publicJwk } },
        pop: { challenge },
      }),
    expect: { status: 401, error: 'invalid_client', code: 'ERR_ATTESTATION_KEY_IN_HEADER' },
  },
  {
    title: `a wrong attestation typ (${A} §4)`,
    headers: (issuer, challenge) =>
      attestationHeaders(wallet, issuer, { attestation: { header: { typ: 'JWT' } }, pop: { challenge } }),
    expect: { status: 401, error: 'invalid_client', code: 'ERR_ATTESTATION_TYP_INVALID' },
  },
  {
    title: `sub other than the client (${A} §7.5)`,
    headers: (issuer, challenge) => attestationHeaders(wallet, issuer, { pop: { challenge } }),
    form: `${GRANT}&client_id=demo-basic`,
    expect: { status: 401, error: 'invalid_client', code: 'ERR_CLIENT_ID_MISMATCH' },
  },
  {
    title: `an expired attestation (${A} §4, §7.4)`,
    headers: (issuer, challenge) => {
      const now = Math.floor(Date.now() / 1000);
      return attestationHeaders(wallet, issuer, {
        attestation: { claims: { iat: now - 7200, exp: now - 3600 } },
        pop: { challenge },
      });
    },
    expect: { status: 400, error: 'use_fresh_attestation', code: 'ERR_ATTESTATION_EXPIRED' },
  },
  {
    title: `a PoP not signed by cnf.jwk (${A} §7.2 item 4)`,
    headers: (issuer, challenge) =>
      attestationHeaders(wallet, issuer, { pop: { challenge, signingKey: rogue.instance.privateKey } }),
    expect: { status: 401, error: 'invalid_client', code: 'ERR_ATTESTATION_POP_SIGNATURE_INVALID' },
  },
  {
    title: `a PoP for another audience (${A} §7.2 item 7)`,
    headers: (_issuer, challenge) =>
      attestationHeaders(wallet, 'https://other-as.example.test', { pop: { challenge } }),
    expect: { status: 401, error: 'invalid_client', code: 'ERR_ATTESTATION_POP_AUD_MISMATCH' },
  },
  {
    title: `a PoP without the challenge (${A} §6.1, §7.4)`,
    headers: (issuer) => attestationHeaders(wallet, issuer),
    expect: { status: 400, error: 'use_attestation_challenge', code: 'ERR_ATTESTATION_CHALLENGE_MISSING' },
  },
  {
    title: `a cnf.jwk with private parts (${A} §7.1 item 5)`,
    headers: async (issuer, challenge) =>
      attestationHeaders(wallet, issuer, {
        attestation: { claims: { cnf: { jwk: await exportJWK(wallet.instance.privateKey) } } },
        pop: { challenge },
      }),
    expect: { status: 401, error: 'invalid_client', code: 'ERR_ATTESTATION_CNF_PRIVATE_KEY' },
  },
  {
    title: `a weak cnf.jwk (${A} §7.1; RFC 7518 §3.3)`,
    headers: async (issuer, challenge) => {
      const { generateKeyPairSync } = await import('node:crypto');
      const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
      return attestationHeaders(wallet, issuer, {
        attestation: { claims: { cnf: { jwk: weak } } },
        pop: { challenge },
      });
    },
    expect: { status: 401, error: 'invalid_client', code: 'ERR_ATTESTATION_CNF_KEY_TOO_WEAK' },
  },
];

for (const name of ['express', 'koa', 'hono'] as const) {
  describe(`a wallet against examples/${name} with ATTESTATION_ISSUERS`, () => {
    let server: RunningExample & { issuer: string };
    beforeAll(async () => {
      server = await startExampleAtLoopbackIssuer(name, { ATTESTATION_ISSUERS: issuersFile, LOG_LEVEL: 'info' });
    }, 60_000);
    afterAll(() => server?.stop());

    it(`publishes the method, its algorithms and the challenge endpoint (${A} §8, §6.1)`, async () => {
      const response = await request(`${server.url}/.well-known/oauth-authorization-server`);
      const metadata = (await response.body.json()) as Record<string, unknown>;
      expect(metadata.token_endpoint_auth_methods_supported).toContain('attest_jwt_client_auth');
      expect(metadata.client_attestation_signing_alg_values_supported).toContain('ES256');
      expect(metadata.client_attestation_pop_signing_alg_values_supported).toContain('ES256');
      expect(metadata.challenge_endpoint).toBe(`${server.issuer}/challenge`);
    });

    it(`authenticates at /token with a challenge, and chains the next challenge from the response (${A} §6.1, §6.2, §7.5)`, async () => {
      const first = await post(
        `${server.url}/token`,
        await attestationHeaders(wallet, server.issuer, { pop: { challenge: await challengeFrom(server) } }),
        GRANT,
      );
      expect(first.status).toBe(200);
      expect(first.body.token_type).toBe('Bearer');
      const next = first.headers['oauth-client-attestation-challenge'];
      expect(typeof next).toBe('string');
      // §6.2: "The Client MUST use this new Challenge for the next OAuth-Client-Attestation-PoP".
      const second = await post(
        `${server.url}/token`,
        await attestationHeaders(wallet, server.issuer, { pop: { challenge: next as string } }),
        GRANT,
      );
      expect(second.status).toBe(200);
    });

    it(`authenticates at /par (${A} §7.5; RFC 9126 §2)`, async () => {
      const response = await post(
        `${server.url}/par`,
        await attestationHeaders(wallet, server.issuer, { pop: { challenge: await challengeFrom(server) } }),
        'response_type=code&client_id=demo-wallet',
      );
      expect(response.status).toBe(201);
      expect(typeof response.body.request_uri).toBe('string');
    });

    it(`refuses a replayed PoP and a reused challenge (${A} §12.1)`, async () => {
      const headers = await attestationHeaders(wallet, server.issuer, {
        pop: { challenge: await challengeFrom(server) },
      });
      expect((await post(`${server.url}/token`, headers, GRANT)).status).toBe(200);
      const replay = await post(`${server.url}/token`, headers, GRANT);
      expect([replay.status, replay.body.error, lastCode(server)]).toEqual([
        401,
        'invalid_client',
        'ERR_ATTESTATION_POP_REPLAYED',
      ]);
    });

    for (const bad of BAD) {
      it(`refuses ${bad.title}`, async () => {
        const response = await post(
          `${server.url}/token`,
          await bad.headers(server.issuer, await challengeFrom(server)),
          bad.form ?? GRANT,
        );
        expect([response.status, response.body.error, lastCode(server)]).toEqual([
          bad.expect.status,
          bad.expect.error,
          bad.expect.code,
        ]);
        expect(response.body.error_description).toMatch(ERROR_DESCRIPTION_CHARACTERS);
        expect(response.headers['cache-control']).toBe('no-store');
        // §7.4: use_attestation_challenge carries a fresh challenge, and nothing else does.
        expect(response.headers['oauth-client-attestation-challenge'] !== undefined).toBe(
          bad.expect.error === 'use_attestation_challenge',
        );
      });
    }
  });
}

/**
 * The challenges and PoP jtis shared by two instances, through one Redis (REDIS_URL) and through a
 * Redis Cluster of three primaries and three replicas on ports 7130–7135 (REDIS_CLUSTER_NODES,
 * issue 19), where a challenge's record and a PoP's lie on whichever shard their keys hash to.
 */
const SHARED_STORES = [
  {
    name: 'Redis (REDIS_URL)',
    skip: noRedisReason,
    open: async () => {
      const redis = await suiteRedis();
      return { env: { REDIS_URL: redis.url }, close: () => redis.close() };
    },
  },
  {
    name: 'a Redis Cluster (REDIS_CLUSTER_NODES, REDIS_WAIT_REPLICAS=1)',
    skip: noClusterReason,
    open: async () => {
      const cluster = await OwnRedisCluster.start(7130);
      return {
        env: { REDIS_CLUSTER_NODES: cluster.seeds, REDIS_WAIT_REPLICAS: '1' },
        close: () => cluster.close(),
      };
    },
  },
] as const;

reportSkip(noRedisReason);
reportSkip(noClusterReason);

for (const store of SHARED_STORES) {
  describe.skipIf(store.skip !== undefined)(
    `two example instances behind one issuer, sharing ${store.name} (${A} §12.1)`,
    () => {
      let shared: { env: Record<string, string>; close: () => Promise<void> };
      let first: RunningExample;
      let second: RunningExample;
      let issuer: string;
      beforeAll(async () => {
        shared = await store.open();
        const port = await freePort();
        issuer = `http://127.0.0.1:${port}`;
        const env = {
          ISSUER: issuer,
          ...shared.env,
          ATTESTATION_ISSUERS: issuersFile,
          ATTESTATION_CHALLENGE_SECRET: CHALLENGE_SECRET,
        };
        [first, second] = await Promise.all([
          startExample('express', { ...env, PORT: String(port) }),
          startExample('hono', env),
        ]);
      }, 60_000);
      afterAll(async () => {
        await Promise.all([first?.stop(), second?.stop()]);
        await shared?.close();
      });

      it('refuses at the second instance the PoP the first accepted', async () => {
        const headers = await attestationHeaders(wallet, issuer, { pop: { challenge: await challengeFrom(first) } });
        expect((await post(`${first.url}/token`, headers, GRANT)).status).toBe(200);
        const replay = await post(`${second.url}/token`, headers, GRANT);
        expect([replay.status, replay.body.error, lastCode(second)]).toEqual([
          401,
          'invalid_client',
          'ERR_ATTESTATION_POP_REPLAYED',
        ]);
      });

      it('accepts at one instance a challenge the other issued, once (single use across instances)', async () => {
        const challenge = await challengeFrom(first);
        const accepted = await post(
          `${second.url}/token`,
          await attestationHeaders(wallet, issuer, { pop: { challenge } }),
          GRANT,
        );
        expect(accepted.status).toBe(200);
        // A new PoP (new jti) with the same challenge, at the instance that issued it.
        const reused = await post(
          `${first.url}/token`,
          await attestationHeaders(wallet, issuer, { pop: { challenge } }),
          GRANT,
        );
        expect([reused.status, reused.body.error, lastCode(first)]).toEqual([
          400,
          'use_attestation_challenge',
          'ERR_ATTESTATION_CHALLENGE_REUSED',
        ]);
        expect(typeof reused.headers['oauth-client-attestation-challenge']).toBe('string');
      });

      it('accepts one of 20 PoPs sent at once across both instances with one challenge (single use)', async () => {
        const challenge = await challengeFrom(second);
        const answers = await Promise.all(
          Array.from({ length: 20 }, async (_, i) =>
            post(
              `${(i % 2 === 0 ? first : second).url}/token`,
              await attestationHeaders(wallet, issuer, { pop: { challenge } }),
              GRANT,
            ),
          ),
        );
        const statuses = answers.map((answer) => answer.status);
        expect(statuses.filter((status) => status === 200)).toHaveLength(1);
        for (const answer of answers.filter((each) => each.status !== 200)) {
          expect([answer.status, answer.body.error]).toEqual([400, 'use_attestation_challenge']);
        }
      });
    },
  );
}
