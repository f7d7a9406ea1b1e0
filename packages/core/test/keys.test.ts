import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClientAuthenticatorOptions, normalizeOptions } from '../src/config.js';
import { isOAuthError } from '../src/errors.js';
import { isPublicAddress } from '../src/ip/special_addresses.js';
import { registeredKeys } from '../src/jwks/registered_keys.js';
import type { ClientMetadata } from '../src/types.js';
import {
  assertionRequest,
  authenticatorFor,
  claims,
  ISSUER,
  keyPair,
  NOW,
  outcome,
  sign,
} from './assertion-helpers.js';

/** A local key server: each request runs the current handler and is counted. */
class KeyServer {
  hits = 0;
  handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end('{"keys":[]}');
  readonly server: Server = createServer((req, res) => {
    this.hits += 1;
    this.handler(req, res);
  });
  port = 0;

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  url(path = '/jwks', host = '127.0.0.1'): string {
    return `http://${host}:${this.port}${path}`;
  }

  serve(body: unknown, headers: Record<string, string> = {}): void {
    this.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    };
  }

  stop(): void {
    this.server.closeAllConnections();
    this.server.close();
  }
}

const keyServer = new KeyServer();
beforeAll(() => keyServer.start());
afterAll(() => keyServer.stop());

const JWK = { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', kid: 'k1' };

function setup(jwks: ClientAuthenticatorOptions['jwks'], clock = { now: 1_000_000_000 }) {
  const config = normalizeOptions({ issuer: ISSUER, getClient: () => undefined, now: () => clock.now, jwks });
  return { config, clock };
}

function uriClient(uri: string): ClientMetadata {
  return { client_id: `c-${randomUUID()}`, jwks_uri: uri, token_endpoint_auth_method: 'private_key_jwt' };
}

/** {@link registeredKeys} as a promise: a malformed inline registration throws synchronously. */
async function registeredKeysPromise(...args: Parameters<typeof registeredKeys>): Promise<unknown> {
  return registeredKeys(...args);
}

async function code(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    if (isOAuthError(error)) return error.code;
    throw error;
  }
}

const LOCAL = { allowHttp: true, allow: ['127.0.0.1'] };

describe('client keys: inline jwks (RFC 7591 §2)', () => {
  it('returns the registered keys, skipping members that are not JWKs (RFC 7517 §5)', async () => {
    const { config } = setup(undefined);
    const keys = await registeredKeysPromise(
      { client_id: 'a', jwks: { keys: [JWK, 'junk' as never, { kid: 'no-kty' } as never] } },
      config,
    );
    expect(keys).toEqual([JWK]);
  });

  it('refuses a malformed set and both jwks and jwks_uri (RFC 7591 §2: "MUST NOT both be present")', async () => {
    const { config } = setup(undefined);
    expect(await code(registeredKeysPromise({ client_id: 'a', jwks: [JWK] as never }, config))).toBe(
      'ERR_CLIENT_METADATA_INVALID',
    );
    expect(
      await code(
        registeredKeysPromise({ client_id: 'a', jwks: { keys: [JWK] }, jwks_uri: 'https://c.example/jwks' }, config),
      ),
    ).toBe('ERR_CLIENT_METADATA_INVALID');
  });

  it('returns no keys for a client that registered none', async () => {
    const { config } = setup(undefined);
    expect(await registeredKeysPromise({ client_id: 'a' }, config)).toEqual([]);
  });
});

describe('client keys: jwks_uri transport and SSRF guard', () => {
  it('refuses an http jwks_uri unless allowHttp (FAPI 2 §5.4.2: only over TLS)', async () => {
    keyServer.serve({ keys: [JWK] });
    const before = keyServer.hits;
    const { config } = setup({ allow: ['127.0.0.1'] });
    expect(await code(registeredKeysPromise(uriClient(keyServer.url()), config))).toBe('ERR_CLIENT_METADATA_INVALID');
    expect(keyServer.hits).toBe(before);
  });

  it('refuses credentials in the jwks_uri and a non-URL', async () => {
    const { config } = setup(LOCAL);
    expect(await code(registeredKeysPromise(uriClient(`http://u:p@127.0.0.1:${keyServer.port}/jwks`), config))).toBe(
      'ERR_CLIENT_METADATA_INVALID',
    );
    expect(await code(registeredKeysPromise(uriClient('not a url'), config))).toBe('ERR_CLIENT_METADATA_INVALID');
  });

  it('refuses loopback targets by default, by address and by name, without connecting', async () => {
    keyServer.serve({ keys: [JWK] });
    const before = keyServer.hits;
    const { config } = setup({ allowHttp: true });
    expect(await code(registeredKeysPromise(uriClient(keyServer.url()), config))).toBe('ERR_JWKS_URI_REFUSED');
    expect(await code(registeredKeysPromise(uriClient(keyServer.url('/jwks', 'localhost')), config))).toBe(
      'ERR_JWKS_URI_REFUSED',
    );
    expect(keyServer.hits).toBe(before);
  });

  it('lets listed hosts, addresses and CIDRs through', async () => {
    keyServer.serve({ keys: [JWK] });
    for (const allow of [['127.0.0.1'], ['127.0.0.0/8'], ['localhost']]) {
      const { config } = setup({ allowHttp: true, allow });
      const host = allow[0] === 'localhost' ? 'localhost' : '127.0.0.1';
      expect(await registeredKeysPromise(uriClient(keyServer.url('/jwks', host)), config)).toEqual([JWK]);
    }
  });

  it('asks the allowHost hook with the address actually connected to', async () => {
    keyServer.serve({ keys: [JWK] });
    const seen: string[] = [];
    const { config } = setup({
      allowHttp: true,
      allowHost: ({ address, url }) => {
        seen.push(`${url.hostname} ${address}`);
        return url.pathname === '/ok';
      },
    });
    expect(await registeredKeysPromise(uriClient(keyServer.url('/ok', 'localhost')), config)).toEqual([JWK]);
    expect(await code(registeredKeysPromise(uriClient(keyServer.url('/no', 'localhost')), config))).toBe(
      'ERR_JWKS_URI_REFUSED',
    );
    expect(seen.some((entry) => entry === 'localhost 127.0.0.1' || entry === 'localhost ::1')).toBe(true);
  });

  it('guards a custom fetch too: a refused target is never fetched', async () => {
    let calls = 0;
    const fetch = async () => {
      calls += 1;
      return new Response(JSON.stringify({ keys: [JWK] }));
    };
    const refused = setup({ allowHttp: true, fetch });
    expect(await code(registeredKeysPromise(uriClient(keyServer.url()), refused.config))).toBe('ERR_JWKS_URI_REFUSED');
    expect(calls).toBe(0);
    const allowed = setup({ ...LOCAL, fetch });
    expect(await registeredKeysPromise(uriClient(keyServer.url()), allowed.config)).toEqual([JWK]);
    expect(calls).toBe(1);
  });

  it('classifies special-purpose addresses (RFC 6890)', () => {
    for (const address of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      '::',
      'fe80::1',
      'fd00::1',
      '::ffff:127.0.0.1',
      '::ffff:10.0.0.1',
      'ff02::1',
      'not-an-ip',
      // Public before: they reach IPv4 space through a translator, tunnel or relay.
      '::127.0.0.1',
      '::ffff:0:127.0.0.1',
      '64:ff9b::10.0.0.1',
      '64:ff9b:1::a00:1',
      '2002:7f00:1::',
      '2001:0:4136:e378:8000:63bf:80ff:fffe',
      '2001:2::1',
      '192.88.99.1',
    ]) {
      expect(isPublicAddress(address), address).toBe(false);
    }
    for (const address of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::8.8.8.8']) {
      expect(isPublicAddress(address), address).toBe(true);
    }
  });

  it('does not follow redirects', async () => {
    let redirected = 0;
    keyServer.handler = (req, res) => {
      if (req.url === '/moved') {
        redirected += 1;
        res.end(JSON.stringify({ keys: [JWK] }));
        return;
      }
      res.writeHead(302, { location: '/moved' }).end();
    };
    const { config } = setup(LOCAL);
    expect(await code(registeredKeysPromise(uriClient(keyServer.url('/redirect')), config))).toBe(
      'ERR_JWKS_UNAVAILABLE',
    );
    expect(redirected).toBe(0);
  });

  it('caps the response size, declared or streamed', async () => {
    const big = JSON.stringify({ keys: [{ ...JWK, pad: 'p'.repeat(5000) }] });
    const { config } = setup({ ...LOCAL, maxBytes: 1000 });
    keyServer.handler = (_req, res) => res.end(big);
    expect(await code(registeredKeysPromise(uriClient(keyServer.url()), config))).toBe('ERR_JWKS_UNAVAILABLE');
    keyServer.handler = (_req, res) => {
      res.writeHead(200, { 'transfer-encoding': 'chunked' });
      res.write(big.slice(0, 600));
      res.end(big.slice(600));
    };
    expect(await code(registeredKeysPromise(uriClient(keyServer.url()), config))).toBe('ERR_JWKS_UNAVAILABLE');
  });

  it('gives up after the timeout', async () => {
    keyServer.handler = () => {
      // never answers
    };
    const { config } = setup({ ...LOCAL, timeout: 200 });
    expect(await code(registeredKeysPromise(uriClient(keyServer.url()), config))).toBe('ERR_JWKS_UNAVAILABLE');
  });

  it('refuses what is not a JWK Set: HTTP errors, non-JSON, wrong shape, too many keys', async () => {
    const { config } = setup(LOCAL);
    for (const handler of [
      (_req: IncomingMessage, res: ServerResponse) => res.writeHead(404).end('{"keys":[]}'),
      (_req: IncomingMessage, res: ServerResponse) => res.end('<html>'),
      (_req: IncomingMessage, res: ServerResponse) => res.end('[]'),
      (_req: IncomingMessage, res: ServerResponse) => res.end(JSON.stringify({ keys: Array(101).fill(JWK) })),
    ]) {
      keyServer.handler = handler;
      expect(await code(registeredKeysPromise(uriClient(keyServer.url()), config))).toBe('ERR_JWKS_UNAVAILABLE');
    }
  });
});

/** A JWK Set server on one loopback address and port, counting requests. */
async function keyServerOn(host: string, port = 0): Promise<{ hits: () => number; port: number; stop: () => void }> {
  let hits = 0;
  const server = createServer((_req, res) => {
    hits += 1;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [JWK] }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return {
    hits: () => hits,
    port: (server.address() as AddressInfo).port,
    stop: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

type Answer = { address: string; family: number }[];

/** A `lookup` answering each call with the next list (the last one repeats), counting calls. */
function scriptedLookup(...answers: Answer[]) {
  const calls: string[] = [];
  const lookup = (hostname: string, _options: unknown, callback: (e: Error | null, a: Answer) => void) => {
    calls.push(hostname);
    const answer = answers[Math.min(calls.length - 1, answers.length - 1)] as Answer;
    setImmediate(() => callback(null, answer));
  };
  return { lookup: lookup as never, calls };
}

describe('client keys: the SSRF guard on translated addresses, every resolved address and the connection', () => {
  // Two servers on one port: 127.0.0.2 stands for the client's real (allowed) key server,
  // 127.0.0.1 for the internal service an attacker wants to reach.
  let legit: Awaited<ReturnType<typeof keyServerOn>>;
  let internal: Awaited<ReturnType<typeof keyServerOn>>;
  beforeAll(async () => {
    legit = await keyServerOn('127.0.0.2');
    internal = await keyServerOn('127.0.0.1', legit.port);
  });
  afterAll(() => {
    legit.stop();
    internal.stop();
  });

  it('refuses literals that reach 127.0.0.1 through IPv6 (IPv4-compatible, SIIT, NAT64, 6to4, Teredo) without connecting (RFC 6890, RFC 6052, RFC 3056, RFC 4380)', async () => {
    const { config } = setup({ allowHttp: true });
    for (const host of [
      '[::ffff:127.0.0.1]',
      '[::127.0.0.1]',
      '[::ffff:0:127.0.0.1]',
      '[64:ff9b::127.0.0.1]',
      '[64:ff9b:1:7f00:0:100::]',
      '[2002:7f00:1::]',
      '[2001:0:4136:e378:8000:63bf:80ff:fffe]',
    ]) {
      const uri = `http://${host}:${internal.port}/jwks`;
      expect(await code(registeredKeysPromise(uriClient(uri), config)), host).toBe('ERR_JWKS_URI_REFUSED');
    }
    expect(internal.hits()).toBe(0);
  });

  it('an allowed IPv4 address admits its IPv4-mapped form (the same host), never a translated one', async () => {
    const { config } = setup({ allowHttp: true, allow: ['127.0.0.2'] });
    const before = legit.hits();
    expect(await registeredKeysPromise(uriClient(`http://[::ffff:127.0.0.2]:${legit.port}/jwks`), config)).toEqual([
      JWK,
    ]);
    expect(legit.hits() - before).toBe(1);
    for (const host of ['[::127.0.0.2]', '[64:ff9b::127.0.0.2]', '[2002:7f00:2::]']) {
      const uri = `http://${host}:${legit.port}/jwks`;
      expect(await code(registeredKeysPromise(uriClient(uri), config)), host).toBe('ERR_JWKS_URI_REFUSED');
    }
    expect(legit.hits() - before).toBe(1);
  });

  it('reads an IPv4-mapped allow CIDR as the IPv4 range it names, as trustedProxies does (RFC 4291 §2.5.5.2): never as IPv6 space holding ::127.0.0.2', async () => {
    const { config } = setup({ allowHttp: true, allow: ['::ffff:127.0.0.0/24'] });
    const before = legit.hits();
    expect(await registeredKeysPromise(uriClient(`http://127.0.0.2:${legit.port}/jwks`), config)).toEqual([JWK]);
    expect(legit.hits() - before).toBe(1);
    const compatible = `http://[::127.0.0.2]:${legit.port}/jwks`;
    expect(await code(registeredKeysPromise(uriClient(compatible), config))).toBe('ERR_JWKS_URI_REFUSED');
    expect(legit.hits() - before).toBe(1);
  });

  it('refuses at setup an allow CIDR whose prefix length is not a decimal number of bits in range (RFC 4632 §3.1)', () => {
    for (const entry of [
      '127.0.0.0/',
      '127.0.0.0/ 8',
      '127.0.0.0/0x8',
      '127.0.0.0/8.0',
      '127.0.0.0/1e1',
      '::1/129',
      '10.0.0.0/8/8',
    ]) {
      expect(() => setup({ allow: [entry] }), entry).toThrow(TypeError);
    }
  });

  it('resolves with the lookup option, and refuses when any resolved address is refused (happy eyeballs tries them all)', async () => {
    const mixed = scriptedLookup([
      { address: '127.0.0.2', family: 4 },
      { address: '127.0.0.1', family: 4 },
    ]);
    const { config } = setup({ allowHttp: true, allow: ['127.0.0.2'], lookup: mixed.lookup });
    const before = { legit: legit.hits(), internal: internal.hits() };
    const uri = `http://keys.client.test:${legit.port}/jwks`;
    expect(await code(registeredKeysPromise(uriClient(uri), config))).toBe('ERR_JWKS_URI_REFUSED');
    expect(mixed.calls).toEqual(['keys.client.test']);
    expect({ legit: legit.hits(), internal: internal.hits() }).toEqual(before);

    const single = scriptedLookup([{ address: '127.0.0.2', family: 4 }]);
    const allowed = setup({ allowHttp: true, allow: ['127.0.0.2'], lookup: single.lookup });
    expect(await registeredKeysPromise(uriClient(uri), allowed.config)).toEqual([JWK]);
    expect(legit.hits() - before.legit).toBe(1);
    expect(internal.hits()).toBe(before.internal);
  });

  it('DNS rebinding: a name that answers an allowed address, then 127.0.0.1, is refused on the next fetch and the internal server receives nothing', async () => {
    const rebinding = scriptedLookup([{ address: '127.0.0.2', family: 4 }], [{ address: '127.0.0.1', family: 4 }]);
    const { config, clock } = setup({
      allowHttp: true,
      allow: ['127.0.0.2'],
      lookup: rebinding.lookup,
      gracePeriod: 0,
    });
    const client = uriClient(`http://rebind.client.test:${legit.port}/jwks`);
    const before = { legit: legit.hits(), internal: internal.hits() };
    expect(await registeredKeysPromise(client, config)).toEqual([JWK]);
    clock.now += 86_400_001; // past the longest freshness: the next use fetches (and resolves) again
    expect(await code(registeredKeysPromise(client, config))).toBe('ERR_JWKS_URI_REFUSED');
    expect(rebinding.calls).toHaveLength(2);
    expect(legit.hits() - before.legit).toBe(1);
    expect(internal.hits()).toBe(before.internal);
  });

  it('guards a custom fetch with the lookup option too: every resolved address must pass', async () => {
    let calls = 0;
    const fetch = async () => {
      calls += 1;
      return new Response(JSON.stringify({ keys: [JWK] }));
    };
    const mixed = scriptedLookup([
      { address: '127.0.0.2', family: 4 },
      { address: '::1', family: 6 },
    ]);
    const { config } = setup({ allowHttp: true, allow: ['127.0.0.2'], lookup: mixed.lookup, fetch });
    expect(await code(registeredKeysPromise(uriClient('http://keys.client.test/jwks'), config))).toBe(
      'ERR_JWKS_URI_REFUSED',
    );
    expect(calls).toBe(0);
  });

  it('a lookup option that is not a function is a TypeError at setup', () => {
    expect(() => setup({ lookup: 'dns' as never })).toThrow(TypeError);
  });
});

describe('client keys: jwks_uri cache', () => {
  it('fetches once for many uses, and once for concurrent uses (single flight)', async () => {
    keyServer.serve({ keys: [JWK] });
    const { config } = setup(LOCAL);
    const client = uriClient(keyServer.url());
    const before = keyServer.hits;
    await Promise.all(Array.from({ length: 20 }, () => registeredKeysPromise(client, config)));
    for (let i = 0; i < 20; i += 1) await registeredKeysPromise(client, config);
    expect(keyServer.hits - before).toBe(1);
  });

  it('takes freshness from Cache-Control max-age (RFC 9111 §5.2.2.1)', async () => {
    keyServer.serve({ keys: [JWK] }, { 'cache-control': 'public, max-age=120' });
    const { config, clock } = setup(LOCAL);
    const client = uriClient(keyServer.url());
    const before = keyServer.hits;
    await registeredKeysPromise(client, config);
    clock.now += 119_000;
    await registeredKeysPromise(client, config);
    expect(keyServer.hits - before).toBe(1);
    clock.now += 2_000;
    await registeredKeysPromise(client, config);
    expect(keyServer.hits - before).toBe(2);
  });

  it('clamps freshness to the floor and the ceiling', async () => {
    const cases: [string, number, number][] = [
      ['max-age=1', 59_000, 61_000],
      ['no-store', 59_000, 61_000],
      ['max-age=99999999', 86_399_000, 86_401_000],
    ];
    for (const [cacheControl, stillFresh, stale] of cases) {
      keyServer.serve({ keys: [JWK] }, { 'cache-control': cacheControl });
      const { config, clock } = setup(LOCAL);
      const client = uriClient(keyServer.url());
      const start = clock.now;
      const before = keyServer.hits;
      await registeredKeysPromise(client, config);
      clock.now = start + stillFresh;
      await registeredKeysPromise(client, config);
      expect(keyServer.hits - before, cacheControl).toBe(1);
      clock.now = start + stale;
      await registeredKeysPromise(client, config);
      expect(keyServer.hits - before, cacheControl).toBe(2);
    }
  });

  it('re-fetches on request (unknown kid) at most once per cool-down', async () => {
    keyServer.serve({ keys: [JWK] });
    const { config, clock } = setup({ ...LOCAL, cooldown: 30 });
    const client = uriClient(keyServer.url());
    const before = keyServer.hits;
    await registeredKeysPromise(client, config);
    await registeredKeysPromise(client, config, { refresh: true });
    expect(keyServer.hits - before).toBe(2);
    for (let i = 0; i < 10; i += 1) await registeredKeysPromise(client, config, { refresh: true });
    clock.now += 29_000;
    await registeredKeysPromise(client, config, { refresh: true });
    expect(keyServer.hits - before).toBe(2);
    clock.now += 1_000;
    await registeredKeysPromise(client, config, { refresh: true });
    expect(keyServer.hits - before).toBe(3);
  });

  it('serves the last good keys for the grace period when a fetch fails, then refuses', async () => {
    keyServer.serve({ keys: [JWK] }, { 'cache-control': 'max-age=60' });
    const { config, clock } = setup({ ...LOCAL, gracePeriod: 600 });
    const client = uriClient(keyServer.url());
    await registeredKeysPromise(client, config);
    keyServer.handler = (_req, res) => res.writeHead(503).end();
    clock.now += 61_000;
    expect(await registeredKeysPromise(client, config)).toEqual([JWK]);
    clock.now += 500_000;
    expect(await registeredKeysPromise(client, config)).toEqual([JWK]);
    clock.now += 100_000;
    expect(await code(registeredKeysPromise(client, config))).toBe('ERR_JWKS_UNAVAILABLE');
  });

  it('backs off from the end of a failed fetch: after a fetch that timed out, a burst fetches nothing for 5 s', async () => {
    const clock = { now: 1_000_000_000 };
    const { config } = setup({ ...LOCAL, timeout: 200 }, clock);
    const client = uriClient(keyServer.url('/hangs'));
    // The key server never answers: the fetch ends at its timeout. While it hangs, the
    // authenticator's clock moves on by 6 s, as a fetch under the default 5-s timeout takes.
    keyServer.handler = () => {
      clock.now += 6_000;
    };
    const before = keyServer.hits;
    expect(await code(registeredKeysPromise(client, config))).toBe('ERR_JWKS_UNAVAILABLE');
    expect(keyServer.hits - before).toBe(1);
    // A burst right after the timeout: refused from the back-off, no second fetch.
    const burst = await Promise.all(Array.from({ length: 20 }, () => code(registeredKeysPromise(client, config))));
    expect(burst).toEqual(Array(20).fill('ERR_JWKS_UNAVAILABLE'));
    expect(keyServer.hits - before).toBe(1);
    clock.now += 4_999;
    expect(await code(registeredKeysPromise(client, config))).toBe('ERR_JWKS_UNAVAILABLE');
    expect(keyServer.hits - before).toBe(1);
    // 5 s after the failure: one fetch again (single flight for a concurrent burst).
    clock.now += 1;
    keyServer.serve({ keys: [JWK] });
    expect(await Promise.all(Array.from({ length: 5 }, () => registeredKeysPromise(client, config)))).toEqual(
      Array(5).fill([JWK]),
    );
    expect(keyServer.hits - before).toBe(2);
  });

  it('keeps separate entries per client and per jwks_uri', async () => {
    keyServer.serve({ keys: [JWK] });
    const { config } = setup(LOCAL);
    const before = keyServer.hits;
    await registeredKeysPromise(uriClient(keyServer.url('/a')), config);
    await registeredKeysPromise(uriClient(keyServer.url('/a')), config);
    expect(keyServer.hits - before).toBe(2);
  });
});

describe('private_key_jwt with a jwks_uri (RFC 7591 §2, RFC 7523 §3)', () => {
  it('verifies with fetched keys, and picks up a rotated key after one re-fetch on its unknown kid', async () => {
    const first = await keyPair('ES256', 'first');
    const second = await keyPair('PS256', 'second');
    keyServer.serve({ keys: [first.publicJwk] }, { 'cache-control': 'max-age=3600' });
    const client: ClientMetadata = {
      client_id: 'rotating',
      token_endpoint_auth_method: 'private_key_jwt',
      jwks_uri: keyServer.url('/rotating'),
    };
    const { auth } = authenticatorFor([client], { jwks: LOCAL });
    const before = keyServer.hits;
    for (let i = 0; i < 5; i += 1) {
      const jwt = await sign(claims('rotating', NOW), first.privateKey, { alg: 'ES256', kid: 'first' });
      expect(await outcome(auth, assertionRequest(jwt))).toBe('ok');
    }
    expect(keyServer.hits - before).toBe(1);

    keyServer.serve({ keys: [first.publicJwk, second.publicJwk] }, { 'cache-control': 'max-age=3600' });
    const rotated = await sign(claims('rotating', NOW), second.privateKey, { alg: 'PS256', kid: 'second' });
    expect(await outcome(auth, assertionRequest(rotated))).toBe('ok');
    expect(keyServer.hits - before).toBe(2);

    // A flood of unknown kids causes no further fetch within the cool-down.
    for (let i = 0; i < 10; i += 1) {
      const jwt = await sign(claims('rotating', NOW), second.privateKey, { alg: 'PS256', kid: `nope-${i}` });
      expect(await outcome(auth, assertionRequest(jwt))).toBe('ERR_ASSERTION_KEY_NOT_FOUND');
    }
    expect(keyServer.hits - before).toBe(2);
  });

  it('refuses with ERR_JWKS_UNAVAILABLE when the keys cannot be fetched', async () => {
    const pair = await keyPair('ES256');
    keyServer.handler = (_req, res) => res.writeHead(500).end();
    const client: ClientMetadata = {
      client_id: 'down',
      token_endpoint_auth_method: 'private_key_jwt',
      jwks_uri: keyServer.url('/down'),
    };
    const { auth } = authenticatorFor([client], { jwks: LOCAL });
    const jwt = await sign(claims('down', NOW), pair.privateKey, { alg: 'ES256' });
    expect(await outcome(auth, assertionRequest(jwt))).toBe('ERR_JWKS_UNAVAILABLE');
  });
});
