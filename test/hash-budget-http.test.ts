/**
 * Hashed secrets over real HTTP, through the Express, Koa and Hono adapters on loopback: what
 * each request spends is counted by the host's hash verifier (real scrypt from node:crypto), so
 * the properties that are not visible from outside are checked here. Issue 13 §3: an unknown
 * client_id must not cost a hash (an unknown-id flood exhausted the thread pool), and where plain
 * and hashed secrets coexist it costs a plain comparison (as a known plain-secret client does).
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { type ClientMetadata, createClientAuthenticator } from '@client-auth/core';
import { afterEach, describe, expect, it } from 'vitest';
import { json } from './helpers/http.js';
import { type RunningServer, startServer, VARIANTS } from './servers.js';

const SECRET = 'a-long-random-client-secret-0123456789';
const scryptKey = (secret: string, salt: Buffer) =>
  new Promise<Buffer>((resolve, reject) =>
    scrypt(secret, salt, 32, { N: 2 ** 12 }, (error, key) => (error ? reject(error) : resolve(key))),
  );
const salt = randomBytes(16);
const HASH = `host-scrypt$${salt.toString('base64url')}$${(await scryptKey(SECRET, salt)).toString('base64url')}`;

/** A host verifier of `host-scrypt$<salt>$<key>` that counts its real verifications. */
function countingVerifier() {
  const counter = { calls: 0 };
  const verifyHash = async (hash: string, secret: string) => {
    const [, salt64, key64] = hash.split('$') as [string, string, string];
    counter.calls++;
    return timingSafeEqual(await scryptKey(secret, Buffer.from(salt64, 'base64url')), Buffer.from(key64, 'base64url'));
  };
  return { counter, verifyHash };
}

const HASHED: ClientMetadata = {
  client_id: 'hashed',
  client_secrets: [{ hash: HASH }],
  token_endpoint_auth_method: 'client_secret_post',
};
const PLAIN: ClientMetadata = {
  client_id: 'plain',
  client_secret: SECRET,
  token_endpoint_auth_method: 'client_secret_post',
};

const servers: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function serve(variantName: string, clients: ClientMetadata[]) {
  const variant = VARIANTS.find((candidate) => candidate.name === variantName);
  if (variant === undefined) throw new Error(`no variant ${variantName}`);
  const { counter, verifyHash } = countingVerifier();
  const registry = new Map(clients.map((client) => [client.client_id, client]));
  const auth = createClientAuthenticator({
    issuer: 'http://localhost',
    getClient: (id) => registry.get(id),
    allowInsecureTransport: true,
    secrets: { verifyHash },
  });
  const server = await startServer(variant, { p: auth });
  servers.push(server);
  const post = (clientId: string, secret: string) =>
    fetch(`${server.url}/p/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: clientId, client_secret: secret }),
    }).then(async (response) => ({ status: response.status, body: await json(response) }));
  return { auth, counter, post };
}

describe.each(['Express 5', 'Koa 3', 'Hono'])('%s: hashed secrets over HTTP (issue 13 §3)', (variant) => {
  it('200 concurrent unknown client_ids run no hash verification where every secret is hashed, and the known client is answered (DESIGN.md §3)', async () => {
    const { auth, counter, post } = await serve(variant, [HASHED]);
    expect((await post('hashed', 'wrong')).status).toBe(401);
    const [known, ...unknown] = await Promise.all([
      post('hashed', SECRET),
      ...Array.from({ length: 200 }, (_, i) => post(`nobody-${i}`, SECRET)),
    ]);
    expect(known).toEqual({
      status: 200,
      body: { client_id: 'hashed', method: 'client_secret_post', endpoint: 'token' },
    });
    for (const response of unknown) expect(response).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    // The seed and the known client: the 200 unknown client_ids waited on a timer instead.
    expect(counter.calls).toBe(2);
    expect(auth.secretStats()).toMatchObject({ hashesVerified: 2, dummyTimedWaits: 200 });
  });

  it('where plain and hashed secrets coexist, an unknown client_id takes the dummy plain path, not a hash', async () => {
    const { auth, counter, post } = await serve(variant, [HASHED, PLAIN]);
    expect((await post('plain', 'wrong')).status).toBe(401);
    expect((await post('hashed', 'wrong')).status).toBe(401);
    const unknown = await Promise.all(Array.from({ length: 50 }, (_, i) => post(`nobody-${i}`, SECRET)));
    for (const response of unknown) expect(response.status).toBe(401);
    expect(counter.calls).toBe(1);
    expect(auth.secretStats()).toMatchObject({ dummyPlainChecks: 50, dummyTimedWaits: 0 });
  });
});
