/**
 * Issue 7, end to end: two processes of the Express example share one Redis (REDIS_URL), as two
 * instances behind a load balancer would. One assertion submitted 200 times at once across both
 * is accepted exactly once; with Redis stopped, requests fail with 503 `temporarily_unavailable`
 * and none is accepted; with Redis started again, authentication works without restarting the
 * servers.
 *
 * A loaded machine can make Redis answers slower than the store's 200 ms timeout: those requests
 * get the documented 503 (fail closed) instead of 401, so single requests that must succeed retry on
 * 503, and the burst accepts 401 or 503 for every request but the one accepted.
 *
 * The assertions are private_key_jwt (ES256, inline jwks).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CryptoKey, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningExample, startExample } from '../../../test/helpers/example-server.js';
import { eventually, freePort, noOwnRedisReason, OwnRedisServer, reportSkip } from '../../../test/helpers/redis.js';
import { submitPast503 as submit, assertionTokenRequest as tokenRequest } from '../../../test/helpers/token-request.js';

const CLIENT_ID = 'redis-e2e';

reportSkip(noOwnRedisReason);

describe.skipIf(noOwnRedisReason !== undefined)('two Express example servers sharing one Redis (REDIS_URL)', () => {
  let redis: OwnRedisServer;
  let dir: string;
  let issuer: string;
  let privateKey: CryptoKey;
  let kid: string;
  const servers: RunningExample[] = [];

  beforeAll(async () => {
    redis = await OwnRedisServer.start();
    dir = mkdtempSync(join(tmpdir(), 'client-auth-e2e-'));
    const keys = await generateKeyPair('ES256');
    privateKey = keys.privateKey;
    kid = randomUUID();
    const clientsFile = join(dir, 'clients.json');
    writeFileSync(
      clientsFile,
      JSON.stringify([
        {
          client_id: CLIENT_ID,
          client_name: 'issue 7 end-to-end client',
          token_endpoint_auth_method: 'private_key_jwt',
          token_endpoint_auth_signing_alg: 'ES256',
          jwks: { keys: [{ ...(await exportJWK(keys.publicKey)), kid, alg: 'ES256', use: 'sig' }] },
        },
      ]),
    );
    const [portA, portB] = [await freePort(), await freePort()];
    // One public issuer for both instances, as behind a load balancer: an assertion whose audience
    // is that issuer is valid at either instance, so only the shared store can stop a replay.
    issuer = `http://localhost:${portA}`;
    const env = { ISSUER: issuer, CLIENTS_FILE: clientsFile, REDIS_URL: redis.url };
    servers.push(
      ...(await Promise.all([
        startExample('express', { ...env, PORT: String(portA) }),
        startExample('express', { ...env, PORT: String(portB) }),
      ])),
    );
  });

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    await redis?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  function assertion(jti: string = randomUUID()): Promise<string> {
    return new SignJWT({ jti })
      .setProtectedHeader({ alg: 'ES256', kid })
      .setIssuer(CLIENT_ID)
      .setSubject(CLIENT_ID)
      .setAudience(issuer)
      .setIssuedAt()
      .setExpirationTime('2m')
      .sign(privateKey);
  }

  it('both instances hold a connection to the shared Redis', async () => {
    const admin = createClient({ url: redis.url });
    admin.on('error', () => {});
    await admin.connect();
    try {
      const list = String(await admin.sendCommand(['CLIENT', 'LIST']));
      // Every line is one connection; one of them is this admin client.
      expect(list.trim().split('\n').length - 1).toBeGreaterThanOrEqual(2);
    } finally {
      admin.destroy();
    }
    for (const server of servers) expect(server.output()).toContain(`replay store: Redis at ${redis.url}`);
  });

  it('accepts exactly one of 200 concurrent submissions of one assertion across both instances (OpenID Connect Core §9: jti "MUST only be used once")', async () => {
    // Each instance accepts a fresh assertion: the setup is right.
    for (const server of servers) expect(await submit(server.url, await assertion())).toEqual({ status: 200 });

    const replayed = await assertion();
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) => tokenRequest(servers[i % 2]!.url, replayed)),
    );
    const count = (status: number, error?: string) =>
      answers.filter((answer) => answer.status === status && answer.error === error).length;
    console.log(
      `[redis e2e] 200 submissions: ${count(200)} accepted, ${count(401, 'invalid_client')} refused as replays, ${count(503, 'temporarily_unavailable')} refused with 503`,
    );
    expect(count(200)).toBe(1);
    expect(count(401, 'invalid_client') + count(503, 'temporarily_unavailable')).toBe(199);
    // Replays were detected at both instances, not only at the one that accepted.
    for (const index of [0, 1]) {
      const atServer = answers.filter((answer, i) => i % 2 === index && answer.status === 401);
      expect(atServer.length, `replays refused by instance ${index}`).toBeGreaterThan(0);
    }
  });

  it('with Redis stopped mid-run answers 503 temporarily_unavailable and accepts nothing; recovers when Redis is back, without a server restart', async () => {
    const acceptedBefore = await assertion();
    expect(await submit(servers[0]!.url, acceptedBefore)).toEqual({ status: 200 });

    // Mid-run: one assertion submitted 200 times while Redis goes away. Whatever raced the stop,
    // at most one is accepted, and every other answer is a replay refusal or the documented 503.
    const racing = await assertion();
    const [answers] = await Promise.all([
      Promise.all(Array.from({ length: 200 }, (_, i) => tokenRequest(servers[i % 2]!.url, racing))),
      redis.stop(),
    ]);
    expect(answers.filter((answer) => answer.status === 200).length).toBeLessThanOrEqual(1);
    for (const answer of answers) {
      expect([
        { status: 200 },
        { status: 401, error: 'invalid_client' },
        { status: 503, error: 'temporarily_unavailable' },
      ]).toContainEqual(answer);
    }

    // Redis down: fresh assertions, the same assertion many times, and a replay of one accepted
    // before: every request at either instance is refused with 503, none accepted.
    const fresh = await Promise.all(Array.from({ length: 20 }, () => assertion()));
    const repeated = await assertion();
    const down = await Promise.all([
      ...fresh.map((jwt, i) => tokenRequest(servers[i % 2]!.url, jwt)),
      ...Array.from({ length: 20 }, (_, i) => tokenRequest(servers[i % 2]!.url, repeated)),
      ...servers.map((server) => tokenRequest(server.url, acceptedBefore)),
    ]);
    for (const answer of down) expect(answer).toEqual({ status: 503, error: 'temporarily_unavailable' });

    // Redis back (empty: this test's Redis keeps no data): both instances recover on their own.
    await redis.restart();
    for (const server of servers) {
      const recovered = await eventually(
        async () => (await tokenRequest(server.url, await assertion())).status === 200,
      );
      expect(recovered, `${server.url} authenticates again without a restart`).toBe(true);
    }
    const again = await assertion();
    expect(await submit(servers[0]!.url, again)).toEqual({ status: 200 });
    expect(await submit(servers[1]!.url, again)).toEqual({ status: 401, error: 'invalid_client' });
  });
});
