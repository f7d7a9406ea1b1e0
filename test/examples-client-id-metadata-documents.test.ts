/**
 * Client ID Metadata Documents through every example server (DESIGN.md §5:
 * `CLIENT_ID_METADATA_DOCUMENTS=1`, `JWKS_URI_ALLOW`, `NODE_EXTRA_CA_CERTS`), driven from outside
 * like a user: the server is a child process, the client's documents and keys are served over real
 * HTTPS on loopback with a certificate of the per-run test PKI, whose CA the child trusts through
 * `NODE_EXTRA_CA_CERTS` (the core's built-in guarded fetcher). "CIMD §N" cites the sections of
 * draft-ietf-oauth-client-id-metadata-document-02.
 */
import { randomUUID } from 'node:crypto';
import { type CryptoKey, decodeJwt, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { clientDocument, DocumentHost } from './helpers/document-host.js';
import { logLines, type RunningExample, startExampleAtLoopbackIssuer } from './helpers/example-server.js';
import { createTestPki } from './helpers/pki.js';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** 12 host names on loopback (Linux routes 127.0.0.0/8 to lo): more hosts than fetch slots. */
const LOOPBACK_HOSTS = Array.from({ length: 12 }, (_, i) => `127.0.0.${i + 1}`);

let host: DocumentHost;
let caFile: string;
let privateKey: CryptoKey;
let publicJwk: JWK;

beforeAll(async () => {
  const pki = await createTestPki();
  const server = await pki.issue({
    subject: [['CN', 'MCP client host']],
    san: { dns: ['localhost'], ip: [...LOOPBACK_HOSTS, '::1'] },
    usage: 'server',
  });
  caFile = pki.writeFiles().caCert;
  host = new DocumentHost(server);
  await host.start();
  const pair = await generateKeyPair('ES256', { extractable: true });
  privateKey = pair.privateKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'mcp-client-key', alg: 'ES256', use: 'sig' };
});
afterAll(() => host?.stop());

function form(fields: Record<string, string>): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  };
}

describe.each(['express', 'koa', 'hono'] as const)('examples/%s: Client ID Metadata Documents', (name) => {
  let server: RunningExample;
  let issuer: string;
  /** This suite's paths on the shared host, so that counts are its own. */
  const prefix = `/${name}-${randomUUID()}`;
  const jwksPath = `${prefix}/jwks.json`;

  beforeAll(async () => {
    host.json(jwksPath, { keys: [publicJwk] }, { 'cache-control': 'max-age=600' });
    const started = await startExampleAtLoopbackIssuer(name, {
      CLIENT_ID_METADATA_DOCUMENTS: '1',
      // Every outbound fetch: the documents and the keys they name (not [::1], for the guard cases).
      JWKS_URI_ALLOW: '127.0.0.0/8,localhost',
      NODE_EXTRA_CA_CERTS: caFile,
    });
    server = started;
    issuer = started.issuer;
  });
  afterAll(() => server?.stop());

  /** A document at a fresh path of this suite, served with `members`; its client_id. */
  function publish(members: Record<string, unknown>, hostName = 'localhost', headers: Record<string, string> = {}) {
    const path = `${prefix}/${randomUUID()}.json`;
    const clientId = host.url(path, hostName);
    host.json(path, clientDocument(clientId, members), headers);
    return { path, clientId };
  }

  async function assertion(clientId: string): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ jti: randomUUID() })
      .setProtectedHeader({ alg: 'ES256', kid: publicJwk.kid as string })
      .setIssuer(clientId)
      .setSubject(clientId)
      .setAudience(issuer)
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .sign(privateKey);
  }

  async function tokenRequest(clientId: string): Promise<Response> {
    return fetch(
      `${issuer}/token`,
      form({
        grant_type: 'client_credentials',
        client_assertion_type: ASSERTION_TYPE,
        client_assertion: await assertion(clientId),
      }),
    );
  }

  async function parRequest(clientId: string): Promise<Response> {
    return fetch(
      `${issuer}/par`,
      form({ client_id: clientId, response_type: 'code', redirect_uri: 'http://127.0.0.1:3000/callback' }),
    );
  }

  /** The refusal logged for `clientId`, once the server wrote it (stdout arrives after the response). */
  async function logged(clientId: string): Promise<Record<string, unknown>> {
    let line: Record<string, unknown> | undefined;
    await vi.waitFor(
      () => {
        line = logLines(server).find((entry) => entry.client_id === clientId);
        expect(line).toBeDefined();
      },
      { timeout: 10_000 },
    );
    return line as Record<string, unknown>;
  }

  /** Authenticate `clientId` at /par and expect a refusal: its status, error and logged code. */
  async function refused(
    clientId: string,
  ): Promise<{ status: number; error: unknown; code: unknown; line: Record<string, unknown> }> {
    const response = await parRequest(clientId);
    const body = (await response.json()) as { error?: string; error_description?: string };
    const line = await logged(clientId);
    if (response.status === 401) {
      expect(response.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
      expect(body.error_description).toBe('client authentication failed');
    }
    return { status: response.status, error: body.error, code: line.code, line };
  }

  it('advertises client_id_metadata_document_supported in its RFC 8414 metadata (CIMD §6)', async () => {
    const metadata = (await (await fetch(`${issuer}/.well-known/oauth-authorization-server`)).json()) as Record<
      string,
      unknown
    >;
    expect(metadata.client_id_metadata_document_supported).toBe(true);
    expect(metadata.token_endpoint_auth_methods_supported).toEqual(expect.arrayContaining(['private_key_jwt', 'none']));
  });

  it('a private_key_jwt document client with client_credentials gets tokens at /token; one fetch of the document and of its jwks_uri serves them all (CIMD §5.2, §8.2)', async () => {
    const { path, clientId } = publish(
      { grant_types: ['client_credentials'], jwks_uri: host.url(jwksPath) },
      'localhost',
      { 'cache-control': 'max-age=300' },
    );
    for (let i = 0; i < 4; i += 1) {
      const response = await tokenRequest(clientId);
      expect(response.status).toBe(200);
      const { access_token } = (await response.json()) as { access_token: string };
      expect(decodeJwt(access_token).client_id).toBe(clientId);
    }
    expect(host.count(path)).toBe(1);
    expect(host.count(jwksPath)).toBe(1);
  });

  it('a document client without client_credentials in its grant_types gets unauthorized_client (RFC 7591 §2 default)', async () => {
    const { clientId } = publish({ jwks_uri: host.url(jwksPath) });
    const response = await tokenRequest(clientId);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe('unauthorized_client');
  });

  it('a public (none) document client is accepted at /par with 201 (CIMD §8.2, RFC 9126 §2.2)', async () => {
    const { clientId } = publish({
      token_endpoint_auth_method: 'none',
      redirect_uris: ['http://127.0.0.1:3000/callback'],
    });
    const response = await parRequest(clientId);
    expect(response.status).toBe(201);
    expect(((await response.json()) as { request_uri: string }).request_uri).toMatch(
      /^urn:ietf:params:oauth:request_uri:/,
    );
  });

  it('a malformed client identifier URL is 400 invalid_request, and nothing is fetched (CIMD §3)', async () => {
    const path = `${prefix}/never.json`;
    host.json(path, {});
    for (const clientId of [
      host.url(path).replace('https:', 'http:'),
      `${host.url(path)}#fragment`,
      host.url(path).replace('https://', 'https://user:pass@'),
      host.url(`${prefix}/../never.json`),
    ]) {
      const result = await refused(clientId);
      expect(result, clientId).toMatchObject({
        status: 400,
        error: 'invalid_request',
        code: 'ERR_CLIENT_ID_URL_MALFORMED',
      });
    }
    expect(host.count(path)).toBe(0);
  });

  it('a loopback address outside JWKS_URI_ALLOW is refused by the SSRF guard, and a redirect to it is not followed (CIMD §8.6, §5)', async () => {
    const guarded = publish({ token_endpoint_auth_method: 'none' }, '[::1]');
    expect(await refused(guarded.clientId)).toMatchObject({
      status: 401,
      code: 'ERR_CLIENT_METADATA_DOCUMENT_REFUSED',
    });
    expect(host.count(guarded.path)).toBe(0);
    const redirecting = `${prefix}/${randomUUID()}.json`;
    host.route(redirecting, (_req, res) => res.writeHead(302, { location: host.url(guarded.path, '[::1]') }).end());
    expect(await refused(host.url(redirecting))).toMatchObject({
      status: 401,
      code: 'ERR_CLIENT_METADATA_DOCUMENT_STATUS',
    });
    expect(host.count(redirecting)).toBe(1);
    expect(host.count(guarded.path)).toBe(0);
  });

  it('a document over 5 KB, not JSON, or with another client_id (case, trailing slash) is refused, each with its code (CIMD §8.7, §4)', async () => {
    const large = publish({ token_endpoint_auth_method: 'none', padding: 'x'.repeat(6000) });
    expect(await refused(large.clientId)).toMatchObject({ code: 'ERR_CLIENT_METADATA_DOCUMENT_TOO_LARGE' });
    const text = publish({ token_endpoint_auth_method: 'none' }, 'localhost', { 'content-type': 'text/html' });
    expect(await refused(text.clientId)).toMatchObject({ code: 'ERR_CLIENT_METADATA_DOCUMENT_NOT_JSON' });
    for (const variant of [(id: string) => id.toUpperCase(), (id: string) => `${id}/`]) {
      const path = `${prefix}/${randomUUID()}.json`;
      const clientId = host.url(path);
      host.json(path, clientDocument(variant(clientId), { token_endpoint_auth_method: 'none' }));
      expect(await refused(clientId)).toMatchObject({ code: 'ERR_CLIENT_METADATA_DOCUMENT_CLIENT_ID_MISMATCH' });
    }
  });

  it('a document asking for a secret, or with invalid metadata, is refused; the problems reach the log, not the client (CIMD §4, RFC 7591 §3.2.2)', async () => {
    const secret = publish({ token_endpoint_auth_method: 'client_secret_basic', client_secret: 'not-for-documents' });
    const secretResult = await refused(secret.clientId);
    expect(secretResult).toMatchObject({ status: 401, code: 'ERR_CLIENT_METADATA_DOCUMENT_SECRET' });
    expect(server.output()).not.toContain('not-for-documents');
    const invalid = publish({ jwks_uri: `http://127.0.0.1:${host.port}/jwks.json` });
    const invalidResult = await refused(invalid.clientId);
    expect(invalidResult).toMatchObject({ status: 401, code: 'ERR_CLIENT_METADATA_DOCUMENT_INVALID' });
    expect(invalidResult.line.problems).toEqual([expect.objectContaining({ field: 'jwks_uri' })]);
  });

  it('a body that never ends is refused once the document timeout passes (CIMD §5.1)', async () => {
    const path = `${prefix}/${randomUUID()}.json`;
    host.route(path, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"client_id":');
    });
    expect(await refused(host.url(path))).toMatchObject({
      status: 401,
      code: 'ERR_CLIENT_METADATA_DOCUMENT_UNREACHABLE',
    });
  }, 30_000);

  it('a flood of unknown URLs stays within 8 fetches in flight and 2 per host; the rest get 503 at once (CIMD §5.2)', async () => {
    await vi.waitFor(() => expect(host.inFlight).toBe(0));
    host.peak = 0;
    host.peakByHost.clear();
    const clients = LOOPBACK_HOSTS.flatMap((hostName) =>
      [0, 1, 2].map(() => publish({ token_endpoint_auth_method: 'none' }, hostName)),
    );
    host.hold();
    const answered: Response[] = [];
    const requests = clients.map(({ clientId }) =>
      parRequest(clientId).then((response) => {
        answered.push(response);
        return response;
      }),
    );
    // Every request is either answered (refused without a fetch) or held at the host.
    await vi.waitFor(() => expect(answered.length + host.inFlight).toBe(clients.length), { timeout: 20_000 });
    host.release();
    const responses = await Promise.all(requests);
    expect(host.peak).toBeGreaterThan(0);
    expect(host.peak).toBeLessThanOrEqual(8);
    for (const [hostName, peak] of host.peakByHost) expect(peak, hostName).toBeLessThanOrEqual(2);
    const busy = responses.filter((response) => response.status === 503);
    expect(busy).toHaveLength(clients.length - host.peak);
    expect(responses.filter((response) => response.status === 201)).toHaveLength(host.peak);
    for (const response of busy) {
      expect(response.headers.get('retry-after')).toBe('1');
      expect(((await response.json()) as { error: string }).error).toBe('temporarily_unavailable');
    }
    await vi.waitFor(() =>
      expect(logLines(server).filter((line) => line.code === 'ERR_CLIENT_METADATA_DOCUMENT_BUSY')).toHaveLength(
        busy.length,
      ),
    );
  }, 60_000);
});
