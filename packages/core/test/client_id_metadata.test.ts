/**
 * Client ID Metadata Documents in the core (draft-ietf-oauth-client-id-metadata-document; "CIMD
 * §N" cites the sections of its -02 revision): https URL client_ids resolved from their documents,
 * fetched over real TLS from a loopback host with a certificate of the per-run test PKI (undici
 * trusting the run's CA as the caller's `jwks.fetch`; the examples suite drives the built-in
 * fetcher with NODE_EXTRA_CA_CERTS), judged, cached and bounded.
 */
import { randomUUID } from 'node:crypto';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientDocument, DocumentHost } from '../../../test/helpers/document-host.js';
import { createTestPki } from '../../../test/helpers/pki.js';
import { clientIdUrlProblem } from '../src/client_id_metadata/client_id_url.js';
import {
  type ClientAuthenticatorOptions,
  type ClientAuthRequest,
  ClientIdMetadataDocumentProblems,
  type ClientMetadata,
  createClientAuthenticator,
  type FailureEvent,
  isOAuthError,
} from '../src/index.js';
import { assertionRequest, claims, ENDPOINTS, ISSUER, type KeyPair, keyPair, NOW, sign } from './assertion-helpers.js';

let host: DocumentHost;
let agent: Agent;
let key: KeyPair;
const LOOPBACK_HOSTS = Array.from({ length: 4 }, (_, i) => `127.0.0.${i + 1}`);

beforeAll(async () => {
  const pki = await createTestPki();
  const server = await pki.issue({
    subject: [['CN', 'client host']],
    san: { dns: ['localhost'], ip: [...LOOPBACK_HOSTS, '::1'] },
    usage: 'server',
  });
  host = new DocumentHost(server);
  await host.start();
  agent = new Agent({ connect: { ca: pki.ca.certPem } });
  key = await keyPair('ES256');
  host.json('/jwks.json', { keys: [key.publicJwk] }, { 'cache-control': 'max-age=600' });
});
afterAll(async () => {
  await host?.stop();
  await agent?.close();
});

/** A fetch trusting the run's CA: the caller-supplied `jwks.fetch` (the guard still runs first). */
function trustingFetch(url: string, init: RequestInit): Promise<Response> {
  return undiciFetch(url, { ...(init as object), dispatcher: agent }) as unknown as Promise<Response>;
}

const registered: ClientMetadata[] = [];

function authenticator(options: Partial<ClientAuthenticatorOptions> = {}, clock = { now: NOW * 1000 }) {
  const failures: FailureEvent[] = [];
  const auth = createClientAuthenticator({
    issuer: ISSUER,
    endpoints: ENDPOINTS,
    getClient: (id) => registered.find((client) => client.client_id === id),
    now: () => clock.now,
    jwks: { fetch: trustingFetch, allow: ['127.0.0.0/8', 'localhost'] },
    clientIdMetadataDocuments: {},
    onFailure: (event) => failures.push(event),
    ...options,
  });
  return { auth, failures, clock };
}

/** A fresh path on the host, and the client_id naming it. */
function newClient(path = `/clients/${randomUUID()}.json`, hostName = 'localhost'): { path: string; clientId: string } {
  return { path, clientId: host.url(path, hostName) };
}

async function signedRequest(clientId: string): Promise<ClientAuthRequest> {
  return assertionRequest(await sign(claims(clientId, NOW), key.privateKey, { alg: 'ES256', kid: key.publicJwk.kid }));
}

function publicRequest(clientId: string): ClientAuthRequest {
  return { headers: {}, body: { client_id: [clientId] }, secure: true };
}

async function refusal(promise: Promise<unknown>): Promise<{ code: string; status: number; error: string }> {
  try {
    await promise;
  } catch (error) {
    if (isOAuthError(error)) return { code: error.code, status: error.status, error: error.error };
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('the client identifier URL (CIMD §3)', () => {
  const good = 'https://client.example/oauth/client.json';
  const bad: [string, string][] = [
    ['http://client.example/oauth/client.json', 'https scheme'],
    ['HTTPS://client.example/oauth/client.json', 'https scheme'],
    ['https://client.example/oauth/client.json#frag', 'fragment'],
    ['https://client.example/oauth/client.json#', 'fragment'],
    ['https://user@client.example/oauth/client.json', 'username or password'],
    ['https://user:pass@client.example/oauth/client.json', 'username or password'],
    ['https://@client.example/oauth/client.json', 'username or password'],
    ['https://client.example', 'path component'],
    ['https://client.example/', 'path component'],
    ['https://client.example?x=1', 'path component'],
    ['https://client.example/./client.json', '. or ..'],
    ['https://client.example/a/../client.json', '. or ..'],
    ['https://client.example/%2e/client.json', '. or ..'],
    ['https://client.example/%2E%2e/client.json', '. or ..'],
    ['https://client.example/client.json/.', '. or ..'],
    ['https://Client.Example/oauth/client.json', 'normal form'],
    ['https://client.example:443/oauth/client.json', 'normal form'],
    ['https://client.example/oauth/client json', 'normal form'],
    ['https://client.example/oauth\\client.json', 'normal form'],
    ['https://client.example\\oauth\\client.json', 'path component'],
    ['https://0x7f.1/oauth/client.json', 'normal form'],
    ['https:client.example/oauth/client.json', 'https scheme'],
    [`https://client.example/${'a'.repeat(1100)}`, 'over 1024'],
  ];
  for (const [clientId, reason] of bad) {
    const shown = clientId.length > 80 ? `${clientId.slice(0, 40)}… (${clientId.length} characters)` : clientId;
    it(`refuses ${shown}: ${reason} (CIMD §3)`, () => {
      expect(clientIdUrlProblem(clientId)).toContain(reason);
    });
  }
  it('accepts an https URL with a path, a port and a query; %252e is no dot segment (CIMD §3)', () => {
    for (const clientId of [
      good,
      'https://client.example:8443/client.json',
      'https://client.example/client.json?tenant=1',
      'https://client.example/%252e/client.json',
      'https://[2001:db8::1]/client.json',
    ]) {
      expect(clientIdUrlProblem(clientId), clientId).toBeUndefined();
    }
  });
  it('answers a malformed URL client_id with 400 invalid_request ERR_CLIENT_ID_URL_MALFORMED, before any fetch (CIMD §3)', async () => {
    const { auth, failures } = authenticator();
    const before = host.total();
    for (const clientId of [
      host.url('/x.json').replace('https:', 'http:'),
      `${host.url('/x.json')}#f`,
      host.url('/x.json').replace('https://', 'https://u:p@'),
      host.url('/a/../x.json'),
      host.url('/'),
      host.url('/x.json').replace('https://localhost', 'https://LOCALHOST'),
    ]) {
      expect(await refusal(auth.authenticate(publicRequest(clientId), { endpoint: 'token' })), clientId).toEqual({
        code: 'ERR_CLIENT_ID_URL_MALFORMED',
        status: 400,
        error: 'invalid_request',
      });
    }
    expect(host.total()).toBe(before);
    expect(failures.every((event) => event.problems?.[0]?.field === 'client_id')).toBe(true);
  });
});

describe('document clients authenticate (CIMD §4, §8.2)', () => {
  it('a private_key_jwt document with a jwks_uri: one fetch of each serves many requests within freshness (CIMD §5.2)', async () => {
    const { auth } = authenticator();
    const { path, clientId } = newClient();
    host.json(path, clientDocument(clientId, { jwks_uri: host.url('/jwks.json') }), { 'cache-control': 'max-age=300' });
    const jwksBefore = host.count('/jwks.json');
    for (let i = 0; i < 5; i += 1) {
      const result = await auth.authenticate(await signedRequest(clientId), { endpoint: 'token' });
      expect(result).toMatchObject({ clientId, method: 'private_key_jwt', clientIdMetadataDocument: true });
      expect(result.client.client_id).toBe(clientId);
    }
    expect(host.count(path)).toBe(1);
    expect(host.count('/jwks.json') - jwksBefore).toBe(1);
  });

  it('a private_key_jwt document with inline jwks, and a none document at the PAR endpoint (CIMD §8.2)', async () => {
    const { auth } = authenticator();
    const inline = newClient();
    host.json(inline.path, clientDocument(inline.clientId, { jwks: { keys: [key.publicJwk] } }));
    expect((await auth.authenticate(await signedRequest(inline.clientId), { endpoint: 'token' })).method).toBe(
      'private_key_jwt',
    );
    const pub = newClient();
    host.json(pub.path, clientDocument(pub.clientId, { token_endpoint_auth_method: 'none' }));
    const result = await auth.authenticate(publicRequest(pub.clientId), { endpoint: 'pushed_authorization_request' });
    expect(result).toMatchObject({ clientId: pub.clientId, method: 'none', clientIdMetadataDocument: true });
  });

  it('refetches once the freshness window is over, clamped to minFreshness (RFC 9111 §5.2.2.1, CIMD §5.2)', async () => {
    const { auth, clock } = authenticator({
      jwks: { fetch: trustingFetch, allow: ['localhost'] },
      clientIdMetadataDocuments: { minFreshness: 120 },
    });
    const { path, clientId } = newClient();
    host.json(path, clientDocument(clientId, { token_endpoint_auth_method: 'none' }), { 'cache-control': 'max-age=5' });
    await auth.authenticate(publicRequest(clientId), { endpoint: 'token' });
    clock.now += 100_000; // past max-age=5, within the 120 s floor
    await auth.authenticate(publicRequest(clientId), { endpoint: 'token' });
    expect(host.count(path)).toBe(1);
    clock.now += 21_000; // past the floor
    await auth.authenticate(publicRequest(clientId), { endpoint: 'token' });
    expect(host.count(path)).toBe(2);
  });

  it('a registered client with a URL client_id comes first: no fetch (CIMD §7.2)', async () => {
    const { clientId, path } = newClient();
    host.json(path, clientDocument(clientId, { token_endpoint_auth_method: 'none' }));
    registered.push({ client_id: clientId, token_endpoint_auth_method: 'none', client_name: 'registered' });
    const { auth } = authenticator();
    const result = await auth.authenticate(publicRequest(clientId), { endpoint: 'token' });
    expect(result.client.client_name).toBe('registered');
    expect(result.clientIdMetadataDocument).toBeUndefined();
    expect(host.count(path)).toBe(0);
    expect((await auth.resolveClient(clientId))?.client_name).toBe('registered');
  });

  it('resolveClient() returns the validated document from the same cache, and undefined for an unknown opaque id', async () => {
    const { auth } = authenticator();
    const { path, clientId } = newClient();
    host.json(path, clientDocument(clientId, { token_endpoint_auth_method: 'none', redirect_uris: ['https://a/cb'] }));
    expect((await auth.resolveClient(clientId))?.redirect_uris).toEqual(['https://a/cb']);
    await auth.authenticate(publicRequest(clientId), { endpoint: 'token' });
    expect(host.count(path)).toBe(1);
    expect(await auth.resolveClient('opaque-unknown')).toBeUndefined();
  });

  it('advertises client_id_metadata_document_supported only when enabled (CIMD §6)', () => {
    expect(authenticator().auth.metadata().client_id_metadata_document_supported).toBe(true);
    const off = createClientAuthenticator({ issuer: ISSUER, getClient: () => undefined });
    expect(off.metadata()).not.toHaveProperty('client_id_metadata_document_supported');
  });

  it('is off by default: a URL client_id is an unknown client, and nothing is fetched', async () => {
    const { clientId, path } = newClient();
    host.json(path, clientDocument(clientId, { token_endpoint_auth_method: 'none' }));
    const { auth } = authenticator({ clientIdMetadataDocuments: undefined });
    expect((await refusal(auth.authenticate(publicRequest(clientId), { endpoint: 'token' }))).code).toBe(
      'ERR_CLIENT_NOT_FOUND',
    );
    expect(host.count(path)).toBe(0);
  });
});

describe('bad documents are refused, each with its code, and never cached (CIMD §4, §5, §8)', () => {
  /** Serve `respond` at a fresh path and authenticate a none client from it twice. */
  async function refusedTwice(
    serve: (path: string, clientId: string) => void,
    options: Partial<ClientAuthenticatorOptions> = {},
  ): Promise<{ code: string; fetches: number; failures: FailureEvent[]; path: string }> {
    const { auth, failures } = authenticator(options);
    const { path, clientId } = newClient();
    serve(path, clientId);
    const first = await refusal(auth.authenticate(publicRequest(clientId), { endpoint: 'token' }));
    const second = await refusal(auth.authenticate(publicRequest(clientId), { endpoint: 'token' }));
    expect(second.code).toBe(first.code);
    expect(first.status).toBe(401);
    return { code: first.code, fetches: host.count(path), failures, path };
  }
  const none = { token_endpoint_auth_method: 'none' };

  it('a non-200 status, a redirect included, which is not followed (CIMD §5)', async () => {
    for (const status of [404, 500, 201]) {
      const result = await refusedTwice((path, id) => host.json(path, clientDocument(id, none), {}, status));
      expect(result).toMatchObject({ code: 'ERR_CLIENT_METADATA_DOCUMENT_STATUS', fetches: 2 });
    }
    const target = `/redirected/${randomUUID()}.json`;
    const result = await refusedTwice((path, id) => {
      host.json(target, clientDocument(id, none));
      host.route(path, (_req, res) => res.writeHead(302, { location: host.url(target) }).end());
    });
    expect(result.code).toBe('ERR_CLIENT_METADATA_DOCUMENT_STATUS');
    expect(host.count(target)).toBe(0);
  });

  it('a document over maxBytes, by Content-Length or counted while streaming (CIMD §8.7: 5 KB)', async () => {
    const padding = 'x'.repeat(5200);
    const declared = await refusedTwice((path, id) => host.json(path, clientDocument(id, { ...none, padding })));
    expect(declared).toMatchObject({ code: 'ERR_CLIENT_METADATA_DOCUMENT_TOO_LARGE', fetches: 2 });
    const streamed = await refusedTwice((path, id) =>
      host.route(path, (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write(JSON.stringify(clientDocument(id, { ...none, padding })).slice(0, 3000));
        res.end('x'.repeat(3000));
      }),
    );
    expect(streamed.code).toBe('ERR_CLIENT_METADATA_DOCUMENT_TOO_LARGE');
    // Just at the limit is not refused for its size.
    const { auth } = authenticator();
    const { path, clientId } = newClient();
    const doc = clientDocument(clientId, none);
    const room = 5120 - JSON.stringify({ ...doc, p: '' }).length;
    host.json(path, { ...doc, p: 'x'.repeat(room) });
    expect((await auth.authenticate(publicRequest(clientId), { endpoint: 'token' })).method).toBe('none');
  });

  it('a body that never ends, or trickles past the timeout (CIMD §5.1)', async () => {
    const options = { clientIdMetadataDocuments: { timeout: 300 } };
    const never = await refusedTwice(
      (path) =>
        host.route(path, (_req, res) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.write('{');
        }),
      options,
    );
    expect(never.code).toBe('ERR_CLIENT_METADATA_DOCUMENT_UNREACHABLE');
    const trickle = await refusedTwice(
      (path) =>
        host.route(path, (_req, res) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          const timer = setInterval(() => res.write(' '), 50);
          res.on('close', () => clearInterval(timer));
        }),
      options,
    );
    expect(trickle.code).toBe('ERR_CLIENT_METADATA_DOCUMENT_UNREACHABLE');
  });

  it('not JSON: another media type, a syntax error, an array (CIMD §4)', async () => {
    const typed = await refusedTwice((path, id) =>
      host.json(path, clientDocument(id, none), { 'content-type': 'text/plain' }),
    );
    expect(typed.code).toBe('ERR_CLIENT_METADATA_DOCUMENT_NOT_JSON');
    const broken = await refusedTwice((path) =>
      host.route(path, (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"client_id":')),
    );
    expect(broken.code).toBe('ERR_CLIENT_METADATA_DOCUMENT_NOT_JSON');
    const array = await refusedTwice((path, id) => host.json(path, [clientDocument(id, none)]));
    expect(array.code).toBe('ERR_CLIENT_METADATA_DOCUMENT_NOT_JSON');
    const suffix = await refusedTwice((path) =>
      host.json(path, clientDocument('https://other.example/x.json', none), {
        'content-type': 'application/client-metadata+json; charset=utf-8',
      }),
    );
    expect(suffix.code).toBe('ERR_CLIENT_METADATA_DOCUMENT_CLIENT_ID_MISMATCH'); // a +json type is JSON
  });

  it('a client_id that differs, also by case, a trailing slash or a default port (CIMD §4, RFC 3986 §6.2.1)', async () => {
    for (const other of [
      (id: string) => id.toUpperCase(),
      (id: string) => `${id}/`,
      (id: string) => id.replace(`:${host.port}/`, `:0${host.port}/`),
      (id: string) => id.replace('https://localhost', 'https://127.0.0.1'),
      () => undefined,
    ]) {
      const result = await refusedTwice((path, id) =>
        host.json(path, clientDocument(id, { ...none, client_id: other(id) })),
      );
      expect(result).toMatchObject({ code: 'ERR_CLIENT_METADATA_DOCUMENT_CLIENT_ID_MISMATCH', fetches: 2 });
    }
  });

  it('a shared-secret method, no method (client_secret_basic), or a client_secret (CIMD §4, RFC 7591 §2)', async () => {
    for (const members of [
      { token_endpoint_auth_method: 'client_secret_basic' },
      { token_endpoint_auth_method: 'client_secret_post' },
      { token_endpoint_auth_method: 'client_secret_jwt' },
      { token_endpoint_auth_method: undefined },
      { ...none, client_secret: 'a-secret-that-must-not-be-here-at-all' },
      { ...none, client_secret_expires_at: 0 },
    ]) {
      const result = await refusedTwice((path, id) => host.json(path, clientDocument(id, members)));
      expect(result, JSON.stringify(members)).toMatchObject({
        code: 'ERR_CLIENT_METADATA_DOCUMENT_SECRET',
        fetches: 2,
      });
      expect(JSON.stringify(result.failures)).not.toContain('a-secret-that-must-not-be-here-at-all');
    }
  });

  it('invalid metadata: every RFC 7591 problem at once in onFailure, none on the wire (RFC 7591 §3.2.2)', async () => {
    let wire: unknown;
    const result = await refusedTwice((path, id) =>
      host.json(
        path,
        clientDocument(id, {
          jwks: { keys: [{ ...key.publicJwk, d: 'private' }] },
          jwks_uri: 'http://127.0.0.1/jwks.json',
          token_endpoint_auth_signing_alg: 'HS256',
        }),
      ),
    );
    expect(result).toMatchObject({ code: 'ERR_CLIENT_METADATA_DOCUMENT_INVALID', fetches: 2 });
    const fields = result.failures[0]?.problems?.map((p) => p.field) ?? [];
    expect(fields).toEqual(expect.arrayContaining(['jwks', 'jwks_uri', 'token_endpoint_auth_signing_alg']));
    expect(fields.length).toBeGreaterThanOrEqual(4);
    const { auth } = authenticator();
    const { path, clientId } = newClient();
    host.json(path, clientDocument(clientId)); // private_key_jwt without keys
    try {
      await auth.authenticate(publicRequest(clientId), { endpoint: 'token' });
    } catch (error) {
      wire = error;
    }
    expect(wire).toMatchObject({
      code: 'ERR_CLIENT_METADATA_DOCUMENT_INVALID',
      error_description: 'client authentication failed',
    });
    expect((wire as Error).cause).toBeInstanceOf(ClientIdMetadataDocumentProblems);
  });

  it('a method documents may not use (tls_client_auth by default) is invalid metadata', async () => {
    const result = await refusedTwice(
      (path, id) =>
        host.json(
          path,
          clientDocument(id, { token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_san_dns: 'a.example' }),
        ),
      // tls_client_auth enabled on this server (it needs a named trust source, RFC 8705 §7.4): the
      // refusal is the documents' rule, not the server's method list.
      { certificates: { from: 'socket', chainValidated: true } },
    );
    expect(result.code).toBe('ERR_CLIENT_METADATA_DOCUMENT_INVALID');
    expect(result.failures[0]?.problems?.[0]?.error_description).toContain(
      'not accepted from client ID metadata documents',
    );
  });

  it('an error or an invalid document is not cached: the next request fetches again and may succeed (CIMD §5.2)', async () => {
    const { auth } = authenticator();
    const { path, clientId } = newClient();
    host.json(path, clientDocument(clientId, none), {}, 503);
    expect((await refusal(auth.authenticate(publicRequest(clientId), { endpoint: 'token' }))).code).toBe(
      'ERR_CLIENT_METADATA_DOCUMENT_STATUS',
    );
    host.json(path, clientDocument(clientId, { ...none, client_secret: 'x' }));
    expect((await refusal(auth.authenticate(publicRequest(clientId), { endpoint: 'token' }))).code).toBe(
      'ERR_CLIENT_METADATA_DOCUMENT_SECRET',
    );
    host.json(path, clientDocument(clientId, none), { 'cache-control': 'max-age=300' });
    expect((await auth.authenticate(publicRequest(clientId), { endpoint: 'token' })).method).toBe('none');
    await auth.authenticate(publicRequest(clientId), { endpoint: 'token' });
    expect(host.count(path)).toBe(3);
  });
});

describe('which URLs may be fetched (CIMD §8.6 SSRF, §8 domain trust)', () => {
  it('a loopback address not in jwks.allow is refused by the SSRF guard before a connection (RFC 6890)', async () => {
    const { auth } = authenticator({ jwks: { fetch: trustingFetch, allow: ['localhost'] } });
    const { path, clientId } = newClient(undefined, '127.0.0.1');
    host.json(path, clientDocument(clientId, { token_endpoint_auth_method: 'none' }));
    expect((await refusal(auth.authenticate(publicRequest(clientId), { endpoint: 'token' }))).code).toBe(
      'ERR_CLIENT_METADATA_DOCUMENT_REFUSED',
    );
    expect(host.count(path)).toBe(0);
  });

  it('allowOrigins and allowUrl refuse other URLs with ERR_CLIENT_ID_URL_NOT_ALLOWED, before a fetch', async () => {
    const a = newClient();
    const b = newClient(undefined, '127.0.0.1');
    for (const { clientId, path } of [a, b])
      host.json(path, clientDocument(clientId, { token_endpoint_auth_method: 'none' }));
    const origins = authenticator({ clientIdMetadataDocuments: { allowOrigins: [new URL(a.clientId).origin] } }).auth;
    expect((await origins.authenticate(publicRequest(a.clientId), { endpoint: 'token' })).method).toBe('none');
    expect((await refusal(origins.authenticate(publicRequest(b.clientId), { endpoint: 'token' }))).code).toBe(
      'ERR_CLIENT_ID_URL_NOT_ALLOWED',
    );
    const seen: string[] = [];
    const predicate = authenticator({
      clientIdMetadataDocuments: {
        allowUrl: (url) => {
          seen.push(url.href);
          return url.pathname.startsWith('/allowed/');
        },
      },
    }).auth;
    expect((await refusal(predicate.authenticate(publicRequest(a.clientId), { endpoint: 'token' }))).code).toBe(
      'ERR_CLIENT_ID_URL_NOT_ALLOWED',
    );
    expect(seen).toEqual([a.clientId]);
    expect(host.count(b.path)).toBe(0);
    expect(host.count(a.path)).toBe(1);
  });

  it('refuses bad options at setup (TypeError)', () => {
    const make = (clientIdMetadataDocuments: unknown) => () =>
      createClientAuthenticator({ issuer: ISSUER, getClient: () => undefined, clientIdMetadataDocuments } as never);
    expect(make({ methods: ['client_secret_basic'] })).toThrow(/shared-secret method.*CIMD §4/);
    expect(make({ allowOrigins: ['https://a.example/path'] })).toThrow(TypeError);
    expect(make({ allowOrigins: ['http://a.example'] })).toThrow(TypeError);
    expect(make({ maxConcurrentFetches: 1, maxConcurrentFetchesPerHost: 2 })).toThrow(TypeError);
    expect(make({ maxBytes: 0 })).toThrow(TypeError);
    expect(make(null)).toThrow(TypeError);
    expect(() =>
      createClientAuthenticator({
        issuer: ISSUER,
        getClient: () => undefined,
        methods: ['client_secret_basic'],
        clientIdMetadataDocuments: {},
      }),
    ).toThrow(/neither private_key_jwt nor none/);
  });
});

describe('bounds against a flood of URLs (CIMD §5.2: failures are not cached)', () => {
  it('one fetch per URL at a time: concurrent requests for one document share it (single flight)', async () => {
    const { auth } = authenticator();
    const { path, clientId } = newClient();
    host.json(path, clientDocument(clientId, { token_endpoint_auth_method: 'none' }));
    host.hold();
    const requests = Array.from({ length: 20 }, () =>
      auth.authenticate(publicRequest(clientId), { endpoint: 'token' }),
    );
    await expect.poll(() => host.count(path)).toBe(1);
    host.release();
    expect((await Promise.all(requests)).every((result) => result.method === 'none')).toBe(true);
    expect(host.count(path)).toBe(1);
  });

  it('unknown URLs: at most maxConcurrentFetches in flight, maxConcurrentFetchesPerHost per host; the rest 503 at once', async () => {
    const { auth } = authenticator({
      clientIdMetadataDocuments: { maxConcurrentFetches: 3, maxConcurrentFetchesPerHost: 2 },
    });
    await expect.poll(() => host.inFlight).toBe(0);
    host.peak = 0;
    host.peakByHost.clear();
    host.hold();
    const clients = LOOPBACK_HOSTS.flatMap((name) => [0, 1, 2].map(() => newClient(undefined, name)));
    for (const { path, clientId } of clients)
      host.json(path, clientDocument(clientId, { token_endpoint_auth_method: 'none' }));
    const outcomes = clients.map(({ clientId }) =>
      auth.authenticate(publicRequest(clientId), { endpoint: 'token' }).then(
        () => 'ok',
        (error) => (isOAuthError(error) ? `${error.status} ${error.code}` : String(error)),
      ),
    );
    const settled: string[] = [];
    for (const outcome of outcomes) void outcome.then((value) => settled.push(value));
    await expect.poll(() => settled.length + host.inFlight).toBe(clients.length);
    host.release();
    const results = await Promise.all(outcomes);
    expect(host.peak).toBeLessThanOrEqual(3);
    for (const peak of host.peakByHost.values()) expect(peak).toBeLessThanOrEqual(2);
    expect(results.filter((r) => r === 'ok')).toHaveLength(host.peak);
    expect(results.filter((r) => r === '503 ERR_CLIENT_METADATA_DOCUMENT_BUSY')).toHaveLength(
      clients.length - host.peak,
    );
  });

  it('maxDocuments bounds the cache; documents merely fetched never evict one that authenticated (docs/LIMITS.md)', async () => {
    const { auth } = authenticator({ clientIdMetadataDocuments: { maxDocuments: 2 } });
    const a = newClient();
    const b = newClient();
    for (const { path, clientId } of [a, b])
      host.json(path, clientDocument(clientId, { jwks_uri: host.url('/jwks.json') }));
    for (const { clientId } of [a, b]) await auth.authenticate(await signedRequest(clientId), { endpoint: 'token' });
    // A flood of valid documents whose requests fail (a wrong key): fetched, valid, never proven.
    const other = await keyPair('ES256');
    for (let i = 0; i < 10; i += 1) {
      const { path, clientId } = newClient();
      host.json(path, clientDocument(clientId, { jwks_uri: host.url('/jwks.json') }));
      const jwt = await sign(claims(clientId, NOW), other.privateKey, { alg: 'ES256', kid: key.publicJwk.kid });
      expect((await refusal(auth.authenticate(assertionRequest(jwt), { endpoint: 'token' }))).code).toBe(
        'ERR_ASSERTION_SIGNATURE_INVALID',
      );
    }
    for (const { clientId } of [a, b]) await auth.authenticate(await signedRequest(clientId), { endpoint: 'token' });
    expect([host.count(a.path), host.count(b.path)]).toEqual([1, 1]);
    // Documents that authenticate do take the place of the least recently used one.
    for (let i = 0; i < 2; i += 1) {
      const { path, clientId } = newClient();
      host.json(path, clientDocument(clientId, { token_endpoint_auth_method: 'none' }));
      await auth.authenticate(publicRequest(clientId), { endpoint: 'token' });
    }
    await auth.authenticate(await signedRequest(a.clientId), { endpoint: 'token' });
    expect(host.count(a.path)).toBe(2);
  });
});
