/**
 * Hashed secrets under load (issue 13 §3): the hash budget of an authenticator (at most N hash
 * verifications at once, a bounded queue, 503 beyond it) and the stand-in checks of unknown
 * client_ids, which cost the cheapest real check of the deployment without spending the budget.
 * Hash verifications are real (node:crypto scrypt in the host's `verifyHash`, or SHA-256) and
 * counted by the host hook itself; concurrency is real (Promise.all of real calls). No timing is
 * asserted.
 */
import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type ClientAuthenticatorOptions,
  type ClientAuthRequest,
  type ClientMetadata,
  createClientAuthenticator,
  errorResponse,
  hashSecret,
  type OAuthError,
} from '../src/index.js';

const token = { endpoint: 'token' } as const;
const SECRET = 'a-long-random-client-secret-0123456789';

function post(clientId: string, secret: string): ClientAuthRequest {
  return { headers: {}, body: { client_id: [clientId], client_secret: [secret] }, secure: true };
}

async function refused(promise: Promise<unknown>): Promise<OAuthError> {
  try {
    await promise;
  } catch (error) {
    return error as OAuthError;
  }
  throw new Error('expected a refusal');
}

/** A gate the test opens: a host verifier waiting on it is a slow verifier (an HSM, a remote KMS). */
function gate(): { wait: Promise<void>; open: () => void } {
  let open = () => {};
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open };
}

const scryptKey = (secret: string, salt: Buffer) =>
  new Promise<Buffer>((resolve, reject) =>
    scrypt(secret, salt, 32, { N: 2 ** 12 }, (error, key) => (error ? reject(error) : resolve(key))),
  );

/** A host hash format: `host-scrypt$<salt>$<key>` (real scrypt, N = 4096: several milliseconds). */
async function hostHash(secret: string): Promise<string> {
  const salt = randomBytes(16);
  return `host-scrypt$${salt.toString('base64url')}$${(await scryptKey(secret, salt)).toString('base64url')}`;
}

const sha256 = (secret: string) => createHash('sha256').update(secret).digest();
const digest = (secret: string) => `sha256:${sha256(secret).toString('base64url')}`;

/**
 * The host's verifier for `host-scrypt$…` and `sha256:…`, counting each real verification per
 * format; `hold` makes the scrypt ones wait on a gate first.
 */
function hostVerifier() {
  const counts = { scrypt: 0, sha256: 0 };
  let held: Promise<void> | undefined;
  const verifyHash = async (hash: string, secret: string): Promise<boolean> => {
    if (hash.startsWith('sha256:')) {
      counts.sha256++;
      return timingSafeEqual(Buffer.from(hash.slice(7), 'base64url'), sha256(secret));
    }
    const [scheme, salt, key] = hash.split('$') as [string, string, string];
    if (scheme !== 'host-scrypt') return false;
    counts.scrypt++;
    if (held !== undefined) await held;
    return timingSafeEqual(await scryptKey(secret, Buffer.from(salt, 'base64url')), Buffer.from(key, 'base64url'));
  };
  return {
    counts,
    verifyHash,
    hold(wait: Promise<void> | undefined) {
      held = wait;
    },
  };
}

function authenticator(clients: ClientMetadata[], secrets: ClientAuthenticatorOptions['secrets']) {
  const registry = new Map(clients.map((client) => [client.client_id, client]));
  return createClientAuthenticator({
    issuer: 'https://as.example.com',
    getClient: (id) => registry.get(id),
    ...(secrets === undefined ? {} : { secrets }),
  });
}

const hashedClient = async (id: string) => ({
  client_id: id,
  client_secrets: [{ hash: await hostHash(SECRET) }],
  token_endpoint_auth_method: 'client_secret_post' as const,
});
const plainClient = (id: string) => ({
  client_id: id,
  client_secret: SECRET,
  token_endpoint_auth_method: 'client_secret_post' as const,
});

describe('unknown client_ids spend no hash (DESIGN.md §3: an unknown client costs what a wrong secret does)', () => {
  it('200 concurrent unknown client_ids run no hash verification where every secret is hashed, and a known hashed client is answered among them', async () => {
    const host = hostVerifier();
    const auth = authenticator([await hashedClient('hashed')], { verifyHash: host.verifyHash });
    // The server has checked its client before (as a live one has): one verification measured.
    expect((await refused(auth.authenticate(post('hashed', 'wrong'), token))).code).toBe('ERR_SECRET_MISMATCH');
    expect(host.counts.scrypt).toBe(1);

    const unknown = Array.from({ length: 200 }, (_, i) =>
      refused(auth.authenticate(post(`nobody-${i}`, SECRET), token)),
    );
    const [known, ...errors] = await Promise.all([auth.authenticate(post('hashed', SECRET), token), ...unknown]);
    expect(known.clientId).toBe('hashed');
    expect(new Set(errors.map((error) => error.code))).toEqual(new Set(['ERR_CLIENT_NOT_FOUND']));
    // Two real verifications: the seed and the known client; none for the 200 unknown ids.
    expect(host.counts.scrypt).toBe(2);
    expect(auth.secretStats()).toMatchObject({ hashesVerified: 2, dummyTimedWaits: 200, dummyPlainChecks: 0 });
  });

  it('a secret sent for a client registered with another method (ERR_METHOD_MISMATCH) spends no hash either (RFC 6749 §2.3.2)', async () => {
    const host = hostVerifier();
    const auth = authenticator(
      [
        await hashedClient('hashed'),
        { client_id: 'jwt', token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [] } },
      ],
      { verifyHash: host.verifyHash },
    );
    await refused(auth.authenticate(post('hashed', 'wrong'), token));
    const errors = await Promise.all(
      Array.from({ length: 20 }, () => refused(auth.authenticate(post('jwt', SECRET), token))),
    );
    expect(new Set(errors.map((error) => error.code))).toEqual(new Set(['ERR_METHOD_MISMATCH']));
    expect(host.counts.scrypt).toBe(1);
    expect(auth.secretStats().dummyTimedWaits).toBe(20);
  });

  it('the built-in scrypt: unknown client_ids run none of it (counted by the budget)', async () => {
    const hashed = {
      client_id: 'hashed',
      client_secrets: [{ hash: await hashSecret(SECRET, { ln: 12 }) }],
      token_endpoint_auth_method: 'client_secret_post' as const,
    };
    const auth = authenticator([hashed], undefined);
    await refused(auth.authenticate(post('hashed', 'wrong'), token));
    await Promise.all(
      Array.from({ length: 50 }, (_, i) => refused(auth.authenticate(post(`nobody-${i}`, SECRET), token))),
    );
    expect(auth.secretStats()).toMatchObject({ hashesVerified: 1, dummyTimedWaits: 50, hashesRunning: 0 });
  });
});

describe('mixed plain and hashed secrets: an unknown client_id costs a plain comparison (no enumeration of plain clients)', () => {
  it.each([
    ['the hashed client checked last', ['plain', 'hashed']],
    ['the plain client checked last', ['hashed', 'plain']],
  ])('takes the dummy plain path, %s', async (_title, order) => {
    const host = hostVerifier();
    const auth = authenticator([await hashedClient('hashed'), plainClient('plain')], { verifyHash: host.verifyHash });
    for (const id of order) await refused(auth.authenticate(post(id, 'wrong'), token));
    const errors = await Promise.all(
      Array.from({ length: 20 }, (_, i) => refused(auth.authenticate(post(`nobody-${i}`, SECRET), token))),
    );
    expect(new Set(errors.map((error) => error.code))).toEqual(new Set(['ERR_CLIENT_NOT_FOUND']));
    expect(host.counts.scrypt).toBe(1);
    expect(auth.secretStats()).toMatchObject({ dummyPlainChecks: 20, dummyTimedWaits: 0, hashesVerified: 1 });
  });

  it("secrets.unknownClientCost: 'hash' chooses the timed imitation there, 'plain' the dummy comparison where all are hashed", async () => {
    const host = hostVerifier();
    const mixed = authenticator([await hashedClient('hashed'), plainClient('plain')], {
      verifyHash: host.verifyHash,
      unknownClientCost: 'hash',
    });
    await refused(mixed.authenticate(post('plain', 'wrong'), token));
    await refused(mixed.authenticate(post('hashed', 'wrong'), token));
    await refused(mixed.authenticate(post('nobody', SECRET), token));
    expect(mixed.secretStats()).toMatchObject({ dummyTimedWaits: 1, dummyPlainChecks: 0 });

    const hashedOnly = authenticator([await hashedClient('hashed')], {
      verifyHash: host.verifyHash,
      unknownClientCost: 'plain',
    });
    await refused(hashedOnly.authenticate(post('hashed', 'wrong'), token));
    await refused(hashedOnly.authenticate(post('nobody', SECRET), token));
    expect(hashedOnly.secretStats()).toMatchObject({ dummyTimedWaits: 0, dummyPlainChecks: 1 });
    expect(host.counts.scrypt).toBe(2);
  });

  it('each authenticator keeps its own memory: another one that has only seen hashes does not make this one imitate them', async () => {
    const host = hostVerifier();
    const hashed = authenticator([await hashedClient('hashed')], { verifyHash: host.verifyHash });
    const plain = authenticator([plainClient('plain')], { verifyHash: host.verifyHash });
    await refused(hashed.authenticate(post('hashed', 'wrong'), token));
    await refused(plain.authenticate(post('nobody', SECRET), token));
    expect(plain.secretStats()).toMatchObject({ dummyPlainChecks: 1, dummyTimedWaits: 0, hashesVerified: 0 });
  });
});

describe('a hash cheaper than a timer (a host SHA-256 digest) is verified for real by the stand-in, never a costly one', () => {
  it('verifies a digest measured cheap, outside the budget, and never the costly scrypt of another client', async () => {
    const host = hostVerifier();
    const auth = authenticator(
      [
        {
          client_id: 'digest',
          client_secrets: [{ hash: digest(SECRET) }],
          token_endpoint_auth_method: 'client_secret_post',
        },
        {
          client_id: 'digest-2',
          client_secrets: [{ hash: digest(`${SECRET}2`) }],
          token_endpoint_auth_method: 'client_secret_post',
        },
        await hashedClient('costly'),
      ],
      { verifyHash: host.verifyHash },
    );
    // Most checks are cheap; the costly client is checked last.
    await refused(auth.authenticate(post('digest', 'wrong'), token));
    await refused(auth.authenticate(post('digest-2', 'wrong'), token));
    await refused(auth.authenticate(post('costly', 'wrong'), token));
    const before = { ...host.counts };
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => refused(auth.authenticate(post(`nobody-${i}`, SECRET), token))),
    );
    expect(host.counts).toEqual({ sha256: before.sha256 + 20, scrypt: before.scrypt });
    expect(auth.secretStats()).toMatchObject({ dummyHashChecks: 20, dummyTimedWaits: 0, hashesVerified: 3 });
  });
});

describe('the hash budget: at most maxConcurrentHashes at once, maxQueuedHashes waiting, 503 beyond (RFC 6749 §5.2)', () => {
  it('refuses the excess at once with 503 temporarily_unavailable, ERR_SECRET_HASH_BUSY and Retry-After: 1 (RFC 9110 §10.2.3), then recovers', async () => {
    const host = hostVerifier();
    const auth = authenticator([await hashedClient('hashed')], {
      verifyHash: host.verifyHash,
      maxConcurrentHashes: 2,
      maxQueuedHashes: 3,
    });
    const held = gate();
    host.hold(held.wait);
    const outcomes = Array.from({ length: 10 }, () =>
      auth.authenticate(post('hashed', SECRET), token).then(
        (result) => ({ ok: result.clientId }),
        (error: OAuthError) => ({ error }),
      ),
    );
    // The five over the budget are answered while the five admitted still wait on the gate.
    const busy = await Promise.all(outcomes.slice(5));
    expect(auth.secretStats()).toMatchObject({ hashesRunning: 2, hashesQueued: 3, hashBusyRefusals: 5 });
    for (const outcome of busy) {
      const error = (outcome as { error: OAuthError }).error;
      expect(error.code).toBe('ERR_SECRET_HASH_BUSY');
      const response = errorResponse(error);
      expect(response.status).toBe(503);
      expect(response.headers['retry-after']).toBe('1');
      const body = JSON.parse(response.body);
      expect(body.error).toBe('temporarily_unavailable');
      // RFC 6749 §5.2: error_description is %x20-21 / %x23-5B / %x5D-7E.
      expect(body.error_description).toMatch(/^[\x20-\x21\x23-\x5b\x5d-\x7e]+$/);
    }
    held.open();
    expect(await Promise.all(outcomes.slice(0, 5))).toEqual(Array(5).fill({ ok: 'hashed' }));
    // Capacity is back: nothing running, nothing queued, the next check admitted.
    host.hold(undefined);
    expect((await auth.authenticate(post('hashed', SECRET), token)).clientId).toBe('hashed');
    expect(auth.secretStats()).toMatchObject({ hashesRunning: 0, hashesQueued: 0, hashBusyRefusals: 5 });
  });

  it('an unknown client_id is refused 503 too while the budget is full, as a known hashed client would be (no enumeration by 503)', async () => {
    const host = hostVerifier();
    const auth = authenticator(
      [
        await hashedClient('hashed'),
        { client_id: 'jwt', token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [] } },
      ],
      { verifyHash: host.verifyHash, maxConcurrentHashes: 1, maxQueuedHashes: 0 },
    );
    await refused(auth.authenticate(post('hashed', 'wrong'), token));
    const held = gate();
    host.hold(held.wait);
    const running = auth.authenticate(post('hashed', SECRET), token);
    expect((await refused(auth.authenticate(post('hashed', SECRET), token))).code).toBe('ERR_SECRET_HASH_BUSY');
    expect((await refused(auth.authenticate(post('nobody', SECRET), token))).code).toBe('ERR_SECRET_HASH_BUSY');
    expect((await refused(auth.authenticate(post('jwt', SECRET), token))).code).toBe('ERR_SECRET_HASH_BUSY');
    held.open();
    await running;
    expect((await refused(auth.authenticate(post('nobody', SECRET), token))).code).toBe('ERR_CLIENT_NOT_FOUND');
    // One seed and one admitted check: the refused ones and the unknown ids ran nothing.
    expect(host.counts.scrypt).toBe(2);
  });

  it('a host verifier that throws releases its slot (the request fails as a server error, the budget does not leak)', async () => {
    const auth = authenticator(
      [{ client_id: 'h', client_secrets: [{ hash: 'custom' }], token_endpoint_auth_method: 'client_secret_post' }],
      {
        verifyHash: () => {
          throw new Error('verifier down');
        },
        maxConcurrentHashes: 1,
        maxQueuedHashes: 0,
      },
    );
    for (let i = 0; i < 3; i++)
      await expect(auth.authenticate(post('h', SECRET), token)).rejects.toThrow('verifier down');
    expect(auth.secretStats()).toMatchObject({ hashesRunning: 0, hashesQueued: 0, hashBusyRefusals: 0 });
  });

  it.each([
    ['secrets.maxConcurrentHashes 0', { maxConcurrentHashes: 0 }],
    ['secrets.maxConcurrentHashes 1.5', { maxConcurrentHashes: 1.5 }],
    ['secrets.maxConcurrentHashes "2"', { maxConcurrentHashes: '2' }],
    ['secrets.maxConcurrentHashes 1025', { maxConcurrentHashes: 1025 }],
    ['secrets.maxQueuedHashes -1', { maxQueuedHashes: -1 }],
    ['secrets.maxQueuedHashes NaN', { maxQueuedHashes: Number.NaN }],
    ['secrets.unknownClientCost "never"', { unknownClientCost: 'never' }],
    ['secrets null', null],
  ])('throws TypeError at setup for %s', (_title, secrets) => {
    expect(() =>
      createClientAuthenticator({
        issuer: 'https://as.example.com',
        getClient: () => undefined,
        secrets: secrets as never,
      }),
    ).toThrow(TypeError);
  });

  it('accepts maxQueuedHashes 0 (no waiting) and the documented bounds', () => {
    for (const secrets of [
      { maxQueuedHashes: 0 },
      { maxConcurrentHashes: 1 },
      { maxConcurrentHashes: 1024, maxQueuedHashes: 100_000 },
      { unknownClientCost: 'auto' as const },
    ]) {
      expect(() =>
        createClientAuthenticator({ issuer: 'https://as.example.com', getClient: () => undefined, secrets }),
      ).not.toThrow();
    }
  });
});
