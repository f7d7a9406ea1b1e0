/**
 * Issue 19, end to end: two processes of the Express example share a real Redis Cluster (three
 * primaries, three replicas on ports 7110–7115) through REDIS_CLUSTER_NODES, with
 * REDIS_WAIT_REPLICAS=1 and FAILURE_LIMIT. One assertion submitted 200 times at once across both is
 * accepted exactly once; the failure count is shared; a failover forced mid-run accepts nothing
 * twice, and an assertion accepted before it is refused after it; with the primary of a client's
 * shard frozen, that client gets 503 `temporarily_unavailable` and nothing is accepted, and once the
 * cluster has failed over and the old primary is back, service is normal without restarting the
 * servers.
 *
 * The assertions are private_key_jwt (ES256, inline jwks).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replayKey } from '@client-auth/redis';
import { type CryptoKey, exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientAssertion } from '../../../test/helpers/assertion.js';
import { type RunningExample, startExample } from '../../../test/helpers/example-server.js';
import { json } from '../../../test/helpers/http.js';
import { eventually, freePort, reportSkip } from '../../../test/helpers/redis.js';
import { noClusterReason, OwnRedisCluster } from '../../../test/helpers/redis-cluster.js';
import {
  type TokenAnswer as Answer,
  submitPast503 as submit,
  assertionTokenRequest as tokenRequest,
} from '../../../test/helpers/token-request.js';

const BASE_PORT = 7110;
const CLIENT_ID = 'cluster-e2e';
const SECRET_CLIENT = { id: 's6BhdRkqt3', secret: '7Fjfp0ZBr1KtDRbnfVdmIw' };

reportSkip(noClusterReason);

describe.skipIf(noClusterReason !== undefined)(
  'two Express example servers sharing a Redis Cluster (REDIS_CLUSTER_NODES, REDIS_WAIT_REPLICAS=1)',
  () => {
    let cluster: OwnRedisCluster;
    let dir: string;
    let issuer: string;
    let privateKey: CryptoKey;
    let kid: string;
    const servers: RunningExample[] = [];
    const bases = () => servers.map((server) => server.url) as [string, string];

    beforeAll(async () => {
      const keys = await generateKeyPair('ES256');
      [cluster] = await Promise.all([OwnRedisCluster.start(BASE_PORT)]);
      dir = mkdtempSync(join(tmpdir(), 'client-auth-cluster-e2e-'));
      privateKey = keys.privateKey;
      kid = randomUUID();
      const clientsFile = join(dir, 'clients.json');
      writeFileSync(
        clientsFile,
        JSON.stringify([
          {
            client_id: CLIENT_ID,
            client_name: 'issue 19 end-to-end client',
            token_endpoint_auth_method: 'private_key_jwt',
            token_endpoint_auth_signing_alg: 'ES256',
            jwks: { keys: [{ ...(await exportJWK(keys.publicKey)), kid, alg: 'ES256', use: 'sig' }] },
          },
          {
            client_id: SECRET_CLIENT.id,
            client_secret: SECRET_CLIENT.secret,
            token_endpoint_auth_method: 'client_secret_post',
          },
        ]),
      );
      const [portA, portB] = [await freePort(), await freePort()];
      // One public issuer for both instances, as behind a load balancer.
      issuer = `http://localhost:${portA}`;
      const env = {
        ISSUER: issuer,
        CLIENTS_FILE: clientsFile,
        REDIS_CLUSTER_NODES: cluster.seeds,
        REDIS_WAIT_REPLICAS: '1',
        FAILURE_LIMIT: '3/60/120',
        FAILURE_LIMIT_KEY: 'client',
      };
      servers.push(
        ...(await Promise.all([
          startExample('express', { ...env, PORT: String(portA) }),
          startExample('express', { ...env, PORT: String(portB) }),
        ])),
      );
    });

    afterAll(async () => {
      await Promise.all(servers.map((server) => server.stop()));
      await cluster?.close();
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    });

    const assertion = () => clientAssertion(CLIENT_ID, issuer, privateKey, { alg: 'ES256', kid });

    /** The shard holding this client's jti records (one slot: the client hash tag). */
    const clientShard = () => cluster.shardOf(replayKey('client-auth:jti:', CLIENT_ID, 'any'));

    it('200 concurrent uses of one assertion across both instances: exactly one 200 (OpenID Connect Core §9 jti "MUST only be used once")', async () => {
      const jwt = await assertion();
      const [a, b] = bases();
      const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => tokenRequest(i % 2 === 0 ? a : b, jwt)));
      for (const server of servers) expect(server.output()).toMatch(/Redis Cluster via .*acknowledged by 1 replica/);
      expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1);
      for (const answer of answers.filter((candidate) => candidate.status !== 200)) {
        // A replay (401 invalid_client, RFC 7521 §4.2.1) or, on a loaded machine, a store timeout (503).
        expect([401, 503]).toContain(answer.status);
        expect(answer.error).toBe(answer.status === 401 ? 'invalid_client' : 'temporarily_unavailable');
      }
    });

    it('counts failed secrets at both instances together and blocks at both (RFC 6749 §2.3.1: protect against brute force)', async () => {
      const [a, b] = bases();
      const post = (base: string, secret: string) =>
        fetch(`${base}/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: 'client_credentials',
            client_id: SECRET_CLIENT.id,
            client_secret: secret,
          }),
        });
      for (const [base, secret] of [
        [a, 'wrong-1'],
        [b, 'wrong-2'],
        [a, 'wrong-3'],
      ] as const) {
        expect((await post(base, secret)).status).toBe(401);
      }
      for (const base of [a, b]) {
        const blocked = await post(base, SECRET_CLIENT.secret);
        expect(blocked.status).toBe(429);
        expect(blocked.headers.get('retry-after')).toBe('120');
        expect((await json(blocked)).error).toBe('invalid_client');
      }
    });

    it('a failover forced mid-run (CLUSTER FAILOVER) accepts nothing twice, and an assertion accepted before it is refused after it', async () => {
      const [a, b] = bases();
      const before = await assertion();
      expect((await submit(a, before)).status).toBe(200);
      const { replica } = await clientShard();
      const accepted = new Map<string, number>();
      let failedOver = false;
      const failover = (async () => {
        await new Promise((resolve) => setTimeout(resolve, 200));
        await cluster.command(replica.port, 'CLUSTER', 'FAILOVER');
        failedOver = await eventually(
          async () => (await cluster.topology()).some((node) => node.port === replica.port && node.role === 'master'),
          15_000,
        );
      })();
      // Each assertion goes to both instances at once, round after round, while the shard fails over.
      const deadline = Date.now() + 4000;
      let rounds = 0;
      while (Date.now() < deadline || !failedOver) {
        const jwts = await Promise.all(Array.from({ length: 10 }, () => assertion()));
        const answers = await Promise.all(jwts.flatMap((jwt) => [tokenRequest(a, jwt), tokenRequest(b, jwt)]));
        answers.forEach((answer, i) => {
          const jwt = jwts[Math.floor(i / 2)] as string;
          if (answer.status === 200) accepted.set(jwt, (accepted.get(jwt) ?? 0) + 1);
          else expect([401, 503]).toContain(answer.status);
        });
        rounds += 1;
        if (Date.now() > deadline + 15_000) break;
      }
      await failover;
      expect(failedOver).toBe(true);
      expect(rounds).toBeGreaterThan(1);
      // Service went on around the failover: assertions were accepted, each at one instance only.
      expect(accepted.size).toBeGreaterThan(0);
      expect([...accepted.values()].filter((count) => count > 1)).toEqual([]);
      expect(await cluster.healthy()).toBe(true);
      // The record of `before` is on the promoted replica: refused at either instance.
      for (const base of [a, b]) expect(await submit(base, before)).toEqual({ status: 401, error: 'invalid_client' });
      expect((await submit(b, await assertion())).status).toBe(200);
    });

    it('clients see 503 while the primary of their shard is frozen, nothing is accepted, and normal service after the failover without restarting the servers', async () => {
      const [a, b] = bases();
      const before = await assertion();
      expect((await submit(a, before)).status).toBe(200);
      const { primary, replica } = await clientShard();
      const frozen = cluster.node(primary.port);
      frozen.pause();
      const during: Answer[] = [];
      try {
        // The replica takes over after the node timeout (1 s) and an election.
        const promoted = await eventually(async () => {
          during.push(await tokenRequest(a, await assertion()), await tokenRequest(b, before));
          return (await cluster.topology()).some((node) => node.port === replica.port && node.role === 'master');
        }, 20_000);
        expect(promoted).toBe(true);
      } finally {
        // Back, the old primary learns it was replaced and answers MOVED: the clients follow it.
        frozen.resume();
      }
      expect(during.length).toBeGreaterThan(0);
      for (const answer of during) expect(answer).toEqual({ status: 503, error: 'temporarily_unavailable' });
      expect(await cluster.healthy(30_000)).toBe(true);
      for (const base of [a, b]) {
        expect(await eventually(async () => (await tokenRequest(base, await assertion())).status === 200)).toBe(true);
        expect(await submit(base, before)).toEqual({ status: 401, error: 'invalid_client' });
      }
    });
  },
);
