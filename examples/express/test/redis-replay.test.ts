/**
 * Issue 7, end to end: two processes of the Express example share one Redis (REDIS_URL), as two
 * instances behind a load balancer would. One assertion submitted 200 times at once across both
 * is accepted exactly once; with Redis stopped, requests fail with 503 `temporarily_unavailable`
 * and none is accepted; with Redis started again, authentication works without restarting the
 * servers.
 *
 * The assertions are private_key_jwt (ES256, inline jwks). Until the core implements that method
 * (the server's metadata does not list it), the tests that need it are skipped and say why; the
 * guard (`needsPrivateKeyJwt`) is to be removed once it does.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CryptoKey, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { eventually, freePort, noOwnRedisReason, OwnRedisServer, reportSkip } from '../../../test/helpers/redis.js';

const EXAMPLE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLIENT_ID = 'redis-e2e';
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

interface ExampleProcess {
  base: string;
  child: ChildProcess;
  output(): string;
}

/** Start `pnpm --dir examples/express start`'s command with `env`; resolve once it listens. */
async function startExample(port: number, env: Record<string, string>): Promise<ExampleProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', 'src/server.ts'], {
    cwd: EXAMPLE_DIR,
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`example did not start:\n${output}`)), 45_000);
    child.stdout?.on('data', () => {
      if (output.includes('listening on')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`example exited with ${code}:\n${output}`));
    });
  });
  return { base: `http://127.0.0.1:${port}`, child, output: () => output };
}

async function stopExample(example: ExampleProcess | undefined): Promise<void> {
  const child = example?.child;
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

interface Answer {
  status: number;
  error?: string;
}

async function tokenRequest(base: string, assertion: string): Promise<Answer> {
  const response = await fetch(`${base}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_assertion_type: JWT_BEARER,
      client_assertion: assertion,
    }).toString(),
  });
  const body = (await response.json()) as { error?: string };
  return body.error === undefined ? { status: response.status } : { status: response.status, error: body.error };
}

reportSkip(noOwnRedisReason);

describe.skipIf(noOwnRedisReason !== undefined)('two Express example servers sharing one Redis (REDIS_URL)', () => {
  let redis: OwnRedisServer;
  let dir: string;
  let issuer: string;
  let privateKey: CryptoKey;
  let kid: string;
  const servers: ExampleProcess[] = [];
  /** Why the server cannot run the private_key_jwt tests yet, or undefined when it can. */
  let privateKeyJwtMissing: string | undefined;

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
    servers.push(...(await Promise.all([startExample(portA, env), startExample(portB, env)])));

    const metadata = (await (await fetch(`${servers[0]!.base}/.well-known/oauth-authorization-server`)).json()) as {
      token_endpoint_auth_methods_supported?: string[];
    };
    const supported = metadata.token_endpoint_auth_methods_supported ?? [];
    privateKeyJwtMissing = supported.includes('private_key_jwt')
      ? undefined
      : `the server does not support private_key_jwt yet (token_endpoint_auth_methods_supported: ${supported.join(', ')})`;
    if (privateKeyJwtMissing !== undefined)
      console.warn(`\n[redis e2e] skipping assertion tests: ${privateKeyJwtMissing}\n`);
  });

  afterAll(async () => {
    await Promise.all(servers.map(stopExample));
    await redis?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  /** Skip (with the reason) while the core has no private_key_jwt. Remove once it does. */
  function needsPrivateKeyJwt(ctx: TestContext): void {
    if (privateKeyJwtMissing !== undefined) ctx.skip(privateKeyJwtMissing);
  }

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

  it('accepts exactly one of 200 concurrent submissions of one assertion across both instances (OpenID Connect Core §9: jti "MUST only be used once")', async (ctx) => {
    needsPrivateKeyJwt(ctx);
    // Each instance accepts a fresh assertion: the setup is right.
    for (const server of servers) expect(await tokenRequest(server.base, await assertion())).toEqual({ status: 200 });

    const replayed = await assertion();
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) => tokenRequest(servers[i % 2]!.base, replayed)),
    );
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1);
    expect(answers.filter((answer) => answer.status === 401 && answer.error === 'invalid_client')).toHaveLength(199);
  });

  it('with Redis stopped mid-run answers 503 temporarily_unavailable and accepts nothing; recovers when Redis is back, without a server restart', async (ctx) => {
    needsPrivateKeyJwt(ctx);
    const acceptedBefore = await assertion();
    expect(await tokenRequest(servers[0]!.base, acceptedBefore)).toEqual({ status: 200 });

    // Mid-run: one assertion submitted 200 times while Redis goes away. Whatever raced the stop,
    // at most one is accepted, and every other answer is a replay refusal or the documented 503.
    const racing = await assertion();
    const [answers] = await Promise.all([
      Promise.all(Array.from({ length: 200 }, (_, i) => tokenRequest(servers[i % 2]!.base, racing))),
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
      ...fresh.map((jwt, i) => tokenRequest(servers[i % 2]!.base, jwt)),
      ...Array.from({ length: 20 }, (_, i) => tokenRequest(servers[i % 2]!.base, repeated)),
      ...servers.map((server) => tokenRequest(server.base, acceptedBefore)),
    ]);
    for (const answer of down) expect(answer).toEqual({ status: 503, error: 'temporarily_unavailable' });

    // Redis back (empty: this test's Redis keeps no data): both instances recover on their own.
    await redis.restart();
    for (const server of servers) {
      const recovered = await eventually(
        async () => (await tokenRequest(server.base, await assertion())).status === 200,
      );
      expect(recovered, `${server.base} authenticates again without a restart`).toBe(true);
    }
    const again = await assertion();
    expect(await tokenRequest(servers[0]!.base, again)).toEqual({ status: 200 });
    expect(await tokenRequest(servers[1]!.base, again)).toEqual({ status: 401, error: 'invalid_client' });
  });
});
