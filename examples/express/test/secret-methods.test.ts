/**
 * The Express example server driven from outside, over real HTTP on loopback, with curl and fetch:
 * the three methods of the foundation and every kind of bad input of issue 2.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningExample, run, startExample } from '../../../test/helpers/example-server.js';
import { json } from '../../../test/helpers/http.js';

const FORM = 'application/x-www-form-urlencoded';
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
// RFC 6749 Appendix B: form-encode each part before Basic.
const formEncode = (value: string) =>
  encodeURIComponent(value)
    .replace(/%20/g, '+')
    .replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const basic = (id: string, secret: string) => `Basic ${b64(`${formEncode(id)}:${formEncode(secret)}`)}`;

let server: RunningExample;
let clientsFile: string;

const extraClients = [
  {
    client_id: 's6BhdRkqt3',
    client_secret: '7Fjfp0ZBr1KtDRbnfVdmIw',
    token_endpoint_auth_method: 'client_secret_basic',
  },
  { client_id: 'demo-post', client_secret: 'demo-post-secret', token_endpoint_auth_method: 'client_secret_post' },
  { client_id: 'demo-public', token_endpoint_auth_method: 'none' },
  { client_id: 'special client', client_secret: ' %&+£€:x', token_endpoint_auth_method: 'client_secret_basic' },
];

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'client-auth-'));
  clientsFile = join(dir, 'clients.json');
  writeFileSync(clientsFile, JSON.stringify(extraClients));
  server = await startExample('express');
});
afterAll(async () => {
  await server?.stop();
});

async function post(path: string, body: string, headers: Record<string, string> = {}) {
  return fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': FORM, ...headers }, body });
}

async function expectOAuthError(response: Response, status: number, error: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect(response.headers.get('cache-control')).toBe('no-store');
  expect(response.headers.get('pragma')).toBe('no-cache');
  if (status === 401)
    expect(response.headers.get('www-authenticate')).toBe(`Basic realm="http://localhost:${server.port}"`);
  const body = await json(response);
  expect(body.error).toBe(error);
  expect(typeof body.error_description).toBe('string');
  return body;
}

describe('examples/express: getting a token with each method', () => {
  it('prints a ready-to-paste curl line per method on start', () => {
    const output = server.output();
    expect(output).toContain("curl -u 's6BhdRkqt3:7Fjfp0ZBr1KtDRbnfVdmIw'");
    expect(output).toContain('client_secret_post');
    expect(output).toContain('client_id=demo-public');
  });

  it('issues a token to curl -u with the RFC 6749 §2.3.1 example credentials', async () => {
    const { code, stdout } = await run('curl', [
      '-s',
      '-u',
      's6BhdRkqt3:7Fjfp0ZBr1KtDRbnfVdmIw',
      '-d',
      'grant_type=client_credentials',
      `${server.url}/token`,
    ]);
    expect(code).toBe(0);
    const body = JSON.parse(stdout);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 300 });
    // RFC 9068: a JWT access token typed at+jwt, carrying client_id, verifiable with the server's keys.
    expect(decodeProtectedHeader(body.access_token).typ).toBe('at+jwt');
    const jwks = createRemoteJWKSet(new URL(`${server.url}/jwks`));
    const { payload } = await jwtVerify(body.access_token, jwks, {
      issuer: `http://localhost:${server.port}`,
      typ: 'at+jwt',
    });
    expect(payload).toMatchObject({
      client_id: 's6BhdRkqt3',
      sub: 's6BhdRkqt3',
      aud: `http://localhost:${server.port}`,
    });
    expect(typeof payload.jti).toBe('string');
    expect(payload.cnf).toBeUndefined();
  });

  it('issues a token for client_secret_basic sent form-encoded as RFC 6749 Appendix B requires', async () => {
    const response = await post('/token', 'grant_type=client_credentials', {
      authorization: basic('s6BhdRkqt3', '7Fjfp0ZBr1KtDRbnfVdmIw'),
    });
    expect(response.status).toBe(200);
  });

  it('issues a token for client_secret_post with curl -d', async () => {
    const { stdout } = await run('curl', [
      '-s',
      '-d',
      'client_id=demo-post',
      '-d',
      'client_secret=demo-post-secret',
      '-d',
      'grant_type=client_credentials',
      `${server.url}/token`,
    ]);
    expect(JSON.parse(stdout).token_type).toBe('Bearer');
  });

  it('authenticates a public client (none) but refuses it the client_credentials grant (RFC 6749 §4.4)', async () => {
    const response = await post('/token', 'client_id=demo-public&grant_type=client_credentials');
    expect(response.status).toBe(400);
    expect((await json(response)).error).toBe('unauthorized_client');
    const par = await post('/par', 'client_id=demo-public&response_type=code');
    expect(par.status).toBe(201);
  });

  it('answers unsupported_grant_type for other grants, after authenticating', async () => {
    const response = await post('/token', 'client_id=demo-public&grant_type=password');
    expect(response.status).toBe(400);
    expect((await json(response)).error).toBe('unsupported_grant_type');
  });
});

describe('examples/express: every endpoint authenticates the client', () => {
  const auth = { authorization: basic('s6BhdRkqt3', '7Fjfp0ZBr1KtDRbnfVdmIw') };

  it('introspects and revokes a token (RFC 7662, RFC 7009)', async () => {
    const issued = await json(await post('/token', 'grant_type=client_credentials', auth));
    const active = await json(await post('/introspect', `token=${issued.access_token}`, auth));
    expect(active).toMatchObject({ active: true, client_id: 's6BhdRkqt3' });
    const revoked = await post('/revoke', `token=${issued.access_token}`, auth);
    expect(revoked.status).toBe(200);
    expect(await json(await post('/introspect', `token=${issued.access_token}`, auth))).toEqual({ active: false });
  });

  it('answers PAR with 201 (RFC 9126 §2.2), device authorization (RFC 8628 §3.2) and CIBA', async () => {
    const par = await post('/par', 'response_type=code', auth);
    expect(par.status).toBe(201);
    expect((await json(par)).request_uri).toMatch(/^urn:ietf:params:oauth:request_uri:/);
    const device = await json(await post('/device_authorization', 'scope=x', auth));
    expect(Object.keys(device)).toEqual(
      expect.arrayContaining(['device_code', 'user_code', 'verification_uri', 'expires_in']),
    );
    const ciba = await json(await post('/bc-authorize', 'scope=openid', auth));
    expect(Object.keys(ciba)).toEqual(expect.arrayContaining(['auth_req_id', 'expires_in']));
  });

  it.each(['/token', '/introspect', '/revoke', '/par', '/device_authorization', '/bc-authorize'])(
    'refuses a wrong secret at %s with 401 invalid_client',
    async (path) => {
      await expectOAuthError(
        await post(path, 'token=x', { authorization: basic('s6BhdRkqt3', 'wrong') }),
        401,
        'invalid_client',
      );
    },
  );

  it('serves the RFC 8414 metadata document generated by the core', async () => {
    const metadata = await json(await fetch(`${server.url}/.well-known/oauth-authorization-server`));
    expect(metadata).toMatchObject({
      issuer: `http://localhost:${server.port}`,
      token_endpoint: `http://localhost:${server.port}/token`,
      revocation_endpoint: `http://localhost:${server.port}/revoke`,
      introspection_endpoint: `http://localhost:${server.port}/introspect`,
      pushed_authorization_request_endpoint: `http://localhost:${server.port}/par`,
      device_authorization_endpoint: `http://localhost:${server.port}/device_authorization`,
      backchannel_authentication_endpoint: `http://localhost:${server.port}/bc-authorize`,
    });
    for (const field of ['token', 'revocation', 'introspection']) {
      expect(metadata[`${field}_endpoint_auth_methods_supported`]).toEqual(
        expect.arrayContaining(['client_secret_basic', 'client_secret_post']),
      );
    }
  });
});

describe('examples/express: bad input gets a clear RFC 6749 error, never a 500', () => {
  const grant = 'grant_type=client_credentials';
  it.each([
    ['garbage Authorization', { authorization: '"<>" ;;; @@' }, grant, 400, 'invalid_request'],
    ['an unknown one-word scheme', { authorization: 'garbage' }, grant, 401, 'invalid_client'],
    ['a wrong scheme', { authorization: 'Bearer abc' }, grant, 401, 'invalid_client'],
    ['bad base64', { authorization: 'Basic !!!!' }, grant, 400, 'invalid_request'],
    ['a missing colon', { authorization: `Basic ${b64('s6BhdRkqt3')}` }, grant, 400, 'invalid_request'],
    ['a bad percent escape', { authorization: `Basic ${b64('s6BhdRkqt3:%G1')}` }, grant, 400, 'invalid_request'],
    ['a NUL character', { authorization: `Basic ${b64('s6BhdRkqt3:a%00b')}` }, grant, 400, 'invalid_request'],
    ['a control character', { authorization: `Basic ${b64('s6BhdRkqt3:a\u0001b')}` }, grant, 400, 'invalid_request'],
    [
      'invalid UTF-8',
      { authorization: `Basic ${Buffer.from([0x61, 0x3a, 0xc3, 0x28]).toString('base64')}` },
      grant,
      400,
      'invalid_request',
    ],
    ['an empty secret', { authorization: `Basic ${b64('s6BhdRkqt3:')}` }, grant, 401, 'invalid_client'],
    ['a huge Authorization header', { authorization: `Basic ${'QUFB'.repeat(3000)}` }, grant, 400, 'invalid_request'],
    [
      'Basic and client_secret together',
      { authorization: basic('s6BhdRkqt3', '7Fjfp0ZBr1KtDRbnfVdmIw') },
      `${grant}&client_secret=x`,
      400,
      'invalid_request',
    ],
    [
      'a mismatched body client_id',
      { authorization: basic('s6BhdRkqt3', '7Fjfp0ZBr1KtDRbnfVdmIw') },
      `${grant}&client_id=demo-post`,
      401,
      'invalid_client',
    ],
    ['a repeated client_id', {}, `${grant}&client_id=demo-public&client_id=demo-public`, 400, 'invalid_request'],
    ['a bad escape in the body', {}, `${grant}&client_id=demo%ZZ`, 400, 'invalid_request'],
    ['invalid UTF-8 in the body', {}, `${grant}&client_id=%C3%28`, 400, 'invalid_request'],
    ['no client authentication', {}, grant, 401, 'invalid_client'],
    ['an unknown client', {}, `${grant}&client_id=nobody`, 401, 'invalid_client'],
  ])('%s', async (_title, headers, body, status, error) => {
    await expectOAuthError(await post('/token', body, headers as Record<string, string>), status, error);
  });

  it('a repeated Authorization header (Node would silently keep the first)', async () => {
    const header = basic('s6BhdRkqt3', '7Fjfp0ZBr1KtDRbnfVdmIw');
    const { stdout } = await run('curl', [
      '-s',
      '-i',
      '-H',
      `Authorization: ${header}`,
      '-H',
      `Authorization: ${header}`,
      '-d',
      grant,
      `${server.url}/token`,
    ]);
    expect(stdout).toMatch(/^HTTP\/1\.1 400/);
    expect(stdout).toContain('"error":"invalid_request"');
  });

  it('a JSON body', async () => {
    const response = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: 'demo-public', grant_type: 'client_credentials' }),
    });
    await expectOAuthError(response, 400, 'invalid_request');
  });

  it('a multipart body', async () => {
    const form = new FormData();
    form.set('client_id', 'demo-public');
    form.set('grant_type', 'client_credentials');
    await expectOAuthError(await fetch(`${server.url}/token`, { method: 'POST', body: form }), 400, 'invalid_request');
  });

  it('an oversized body: 413 invalid_request', async () => {
    const response = await post(
      '/token',
      `client_id=demo-public&grant_type=client_credentials&pad=${'x'.repeat(70_000)}`,
    );
    await expectOAuthError(response, 413, 'invalid_request');
  });

  it('an oversized chunked body without Content-Length: 413 invalid_request', async () => {
    const chunks = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 80; i += 1) controller.enqueue(new TextEncoder().encode(`pad${i}=${'x'.repeat(1000)}&`));
        controller.close();
      },
    });
    const response = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: { 'content-type': FORM },
      body: chunks,
      duplex: 'half',
    } as RequestInit);
    await expectOAuthError(response, 413, 'invalid_request');
  });

  it('credentials in the query string (RFC 6749 §2.3.1)', async () => {
    const response = await fetch(`${server.url}/token?client_secret=demo-post-secret`, {
      method: 'POST',
      headers: { 'content-type': FORM },
      body: 'client_id=demo-post&grant_type=client_credentials',
    });
    await expectOAuthError(response, 400, 'invalid_request');
  });
});

describe('examples/express: configuration', () => {
  it('serves the clients of CLIENTS_FILE, with Basic credentials form-encoded per Appendix B', async () => {
    const custom = await startExample('express', { CLIENTS_FILE: clientsFile });
    try {
      const response = await fetch(`${custom.url}/token`, {
        method: 'POST',
        headers: { 'content-type': FORM, authorization: basic('special client', ' %&+£€:x') },
        body: 'grant_type=client_credentials',
      });
      expect(response.status).toBe(200);
      expect(custom.output()).toContain(clientsFile);
    } finally {
      await custom.stop();
    }
  });

  it('refuses secrets over plain HTTP when ISSUER is not a localhost URL (RFC 6749 §2.3.1)', async () => {
    const remote = await startExample('express', { ISSUER: 'http://as.example.test' });
    try {
      const response = await fetch(`${remote.url}/token`, {
        method: 'POST',
        headers: { 'content-type': FORM, authorization: basic('s6BhdRkqt3', '7Fjfp0ZBr1KtDRbnfVdmIw') },
        body: 'grant_type=client_credentials',
      });
      const body = await json(response);
      expect(response.status).toBe(400);
      expect(body.error).toBe('invalid_request');
    } finally {
      await remote.stop();
    }
  });

  it('refuses to start with a CLIENTS_FILE that is not a JSON array', async () => {
    const bad = join(clientsFile, '..', 'bad.json');
    writeFileSync(bad, '{"client_id":"x"}');
    await expect(startExample('express', { CLIENTS_FILE: bad })).rejects.toThrow(/JSON array/);
  });
});
