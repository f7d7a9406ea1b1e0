/**
 * @client-auth/hono: the adapter's own options and behaviour, through `app.request()` (no socket)
 * and on @hono/node-server. The protocol rules are in the shared case table (test/cases.ts), which
 * also runs through this adapter.
 */
import { X509Certificate } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { certificateThumbprint, createClientAuthenticator } from '@client-auth/core';
import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { afterEach, describe, expect, it } from 'vitest';
import { createDevPki } from '../../../scripts/dev-pki.js';
import { json } from '../../../test/helpers/http.js';
import { clientAuthentication } from '../src/index.js';

const clients = new Map([
  ['pub', { client_id: 'pub', token_endpoint_auth_method: 'none' }],
  ['conf', { client_id: 'conf', client_secret: 'conf-secret', token_endpoint_auth_method: 'client_secret_post' }],
]);
const getClient = (id: string) => clients.get(id);
const auth = createClientAuthenticator({ issuer: 'http://localhost', getClient, allowInsecureTransport: true });
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

function post(
  app: Hono,
  body: string | Uint8Array,
  headers: Record<string, string> = FORM,
  url = 'http://localhost/token',
) {
  return app.request(url, { method: 'POST', headers, body });
}

describe('clientAuthentication() options', () => {
  it('are checked when the middleware is created (TypeError at setup)', () => {
    const bad: [unknown, unknown][] = [
      [undefined, { endpoint: 'token' }],
      [auth, { endpoint: 'nope' }],
      [auth, { endpoint: 'token', variable: '' }],
      [auth, { endpoint: 'token', errors: 'next' }],
      [auth, { endpoint: 'token', bodyLimit: -1 }],
      [auth, { endpoint: 'token', getCertificate: 'socket' }],
    ];
    for (const [authenticator, options] of bad) {
      expect(() => clientAuthentication(authenticator as typeof auth, options as { endpoint: 'token' })).toThrow(
        TypeError,
      );
    }
  });

  it('returns a named middleware', () => {
    expect(clientAuthentication(auth, { endpoint: 'token' }).name).toBe('clientAuthenticationMiddleware');
  });
});

describe('under app.request() (no socket)', () => {
  it("sets c.get('client') and the route can still read the body (parseBody, text)", async () => {
    const app = new Hono();
    app.post('/token', clientAuthentication(auth, { endpoint: 'token' }), async (c) =>
      c.json({ client: c.get('client').clientId, form: await c.req.parseBody(), text: await c.req.text() }),
    );
    const response = await post(app, 'client_id=pub&grant_type=client_credentials');
    expect(await json(response)).toEqual({
      client: 'pub',
      form: { client_id: 'pub', grant_type: 'client_credentials' },
      text: 'client_id=pub&grant_type=client_credentials',
    });
  });

  it('puts the result under another variable when asked, typed through Variables', async () => {
    const app = new Hono();
    app.post('/token', clientAuthentication(auth, { endpoint: 'token', variable: 'caller' }), (c) =>
      c.json({ caller: c.get('caller').clientId }),
    );
    expect(await json(await post(app, 'client_id=pub'))).toEqual({ caller: 'pub' });
  });

  it('takes the certificate from getCertificate where there is no socket (RFC 8705 §3.1 thumbprint)', async () => {
    const pem = createDevPki().issueClient('pub').cert;
    const der = new Uint8Array(new X509Certificate(pem).raw);
    const app = new Hono();
    app.post(
      '/token',
      clientAuthentication(auth, {
        endpoint: 'token',
        getCertificate: () => ({ der, chainValidated: true, source: 'test' }),
      }),
      (c) => c.json({ x5t: c.get('client').certificate?.thumbprint }),
    );
    expect(await json(await post(app, 'client_id=pub'))).toEqual({ x5t: certificateThumbprint(der) });
  });

  it('treats an https request URL as TLS where there is no socket (RFC 6749 §2.3.1)', async () => {
    const strict = createClientAuthenticator({ issuer: 'https://as.example', getClient });
    const app = new Hono();
    app.post('/token', clientAuthentication(strict, { endpoint: 'token' }), (c) => c.text(c.get('client').method));
    const body = 'client_id=conf&client_secret=conf-secret';
    expect(await (await post(app, body, FORM, 'https://as.example/token')).text()).toBe('client_secret_post');
    const plain = await post(app, body, FORM, 'http://as.example/token');
    expect(plain.status).toBe(400);
  });

  it("throws an HTTPException carrying the RFC 6749 response when errors: 'throw'", async () => {
    const app = new Hono();
    const causes: unknown[] = [];
    app.post('/token', clientAuthentication(auth, { endpoint: 'token', errors: 'throw' }), (c) => c.text('no'));
    app.onError((error, c) => {
      if (error instanceof HTTPException) {
        causes.push((error.cause as { code?: string }).code);
        return error.getResponse();
      }
      return c.text('other', 500);
    });
    const response = await post(app, 'client_id=conf&client_secret=wrong');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Basic realm="http://localhost"');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await json(response)).toEqual({
      error: 'invalid_client',
      error_description: 'client authentication failed',
    });
    expect(causes).toEqual(['ERR_SECRET_MISMATCH']);
  });

  it('refuses invalid UTF-8 octets instead of reading them as U+FFFD (RFC 6749 Appendix B)', async () => {
    const app = new Hono();
    app.post('/token', clientAuthentication(auth, { endpoint: 'token' }), (c) => c.text('accepted'));
    const body = new Uint8Array([...Buffer.from('client_id=conf&client_secret=conf-secret'), 0xff]);
    const response = await post(app, body);
    expect(response.status).toBe(400);
    expect((await json(response)).error).toBe('invalid_request');
  });

  it('caps a body without Content-Length while reading it, and leaves a small one readable', async () => {
    const app = new Hono();
    app.post('/token', clientAuthentication(auth, { endpoint: 'token', bodyLimit: 64 }), async (c) =>
      c.text(await c.req.text()),
    );
    const stream = (text: string) =>
      new ReadableStream({
        start(controller) {
          for (const part of text.match(/.{1,10}/g) ?? []) controller.enqueue(new TextEncoder().encode(part));
          controller.close();
        },
      });
    const big = await app.request('http://localhost/token', {
      method: 'POST',
      headers: FORM,
      body: stream(`client_id=pub&pad=${'x'.repeat(100)}`),
      duplex: 'half',
    } as RequestInit);
    expect(big.status).toBe(413);
    const small = await app.request('http://localhost/token', {
      method: 'POST',
      headers: FORM,
      body: stream('client_id=pub&grant_type=x'),
      duplex: 'half',
    } as RequestInit);
    expect(await small.text()).toBe('client_id=pub&grant_type=x');
  });
});

describe('on @hono/node-server', () => {
  it('detects a repeated Authorization header from the raw headers (RFC 6749 §2.3)', async () => {
    const app = new Hono();
    app.post('/token', clientAuthentication(auth, { endpoint: 'token' }), (c) => c.text('accepted'));
    const server = createAdaptorServer({ fetch: app.fetch }) as Server;
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    // fetch() would merge the two headers itself: write the request by hand.
    const { connect } = await import('node:net');
    const socket = connect(port, '127.0.0.1');
    const credentials = Buffer.from('conf:conf-secret').toString('base64');
    socket.end(
      `POST /token HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic ${credentials}\r\n` +
        `Authorization: Basic ${credentials}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
    );
    let text = '';
    for await (const chunk of socket) text += chunk;
    expect(text).toMatch(/^HTTP\/1\.1 400 /);
    expect(text).toContain('"error_description":"the Authorization header must not be repeated"');
  });
});

describe('on @hono/node-server: the body read straight from Node (bench/README.md)', () => {
  async function serve(app: Hono): Promise<string> {
    const server = createAdaptorServer({ fetch: app.fetch }) as Server;
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }
  const BODY = 'client_id=conf&client_secret=conf-secret&token=t%C3%A9st';

  it('reads an untouched body from the Node request, and the route still gets it every way Hono offers', async () => {
    const app = new Hono();
    app.post('/token', clientAuthentication(auth, { endpoint: 'token' }), async (c) => {
      const fromNode = Buffer.isBuffer((c.env as { incoming: { rawBody?: unknown } }).incoming.rawBody);
      const text = await c.req.text();
      const bytes = new TextDecoder().decode(await c.req.arrayBuffer());
      const parsed = await c.req.parseBody();
      const raw = await c.req.raw.text();
      return c.json({ fromNode, text, bytes, token: parsed.token, raw, client: c.get('client').clientId });
    });
    const base = await serve(app);
    const response = await fetch(`${base}/token`, { method: 'POST', headers: FORM, body: BODY });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      fromNode: true,
      text: BODY,
      bytes: BODY,
      token: 'tést',
      raw: BODY,
      client: 'conf',
    });
  });

  it('streams c.req.raw.body after the adapter read the body from Node', async () => {
    const app = new Hono();
    app.post('/token', clientAuthentication(auth, { endpoint: 'token' }), async (c) => {
      const reader = (c.req.raw.body as ReadableStream<Uint8Array>).getReader();
      const chunks: Uint8Array[] = [];
      for (let read = await reader.read(); !read.done; read = await reader.read()) chunks.push(read.value);
      return c.text(Buffer.concat(chunks).toString('utf8'));
    });
    const base = await serve(app);
    const response = await fetch(`${base}/token`, { method: 'POST', headers: FORM, body: BODY });
    expect(await response.text()).toBe(BODY);
  });

  it('answers 413 for a body over the cap, declared or chunked, read from Node', async () => {
    const app = new Hono();
    app.post('/token', clientAuthentication(auth, { endpoint: 'token', bodyLimit: 64 }), (c) => c.text('accepted'));
    const base = await serve(app);
    const big = `${BODY}&pad=${'x'.repeat(100)}`;
    const declared = await fetch(`${base}/token`, { method: 'POST', headers: FORM, body: big });
    expect(declared.status).toBe(413);
    const chunked = await fetch(`${base}/token`, {
      method: 'POST',
      headers: FORM,
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(big.slice(0, 50)));
          controller.enqueue(new TextEncoder().encode(big.slice(50)));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(await chunked.json()).toMatchObject({ error: 'invalid_request' });
    const small = await fetch(`${base}/token`, { method: 'POST', headers: FORM, body: 'client_id=pub' });
    expect(small.status).toBe(200);
  });

  it('takes the standard path when a middleware already read the body, or replaced the request', async () => {
    const read = new Hono();
    read.use('/token', async (c, next) => {
      await c.req.text();
      await next();
    });
    read.post('/token', clientAuthentication(auth, { endpoint: 'token' }), (c) =>
      c.json({ fromNode: 'rawBody' in (c.env as { incoming: object }).incoming, client: c.get('client').clientId }),
    );
    const readBase = await serve(read);
    const first = await fetch(`${readBase}/token`, { method: 'POST', headers: FORM, body: BODY });
    expect(await first.json()).toEqual({ fromNode: false, client: 'conf' });

    // A middleware that rewrites the body (as a decompressing one would): the adapter must see the rewrite.
    const replaced = new Hono();
    replaced.use('/token', async (c, next) => {
      c.req.raw = new Request(c.req.raw.url, { method: 'POST', headers: FORM, body: 'client_id=pub' });
      await next();
    });
    replaced.post('/token', clientAuthentication(auth, { endpoint: 'token' }), (c) => c.text(c.get('client').clientId));
    const replacedBase = await serve(replaced);
    const second = await fetch(`${replacedBase}/token`, { method: 'POST', headers: FORM, body: BODY });
    expect(await second.text()).toBe('pub');
  });
});
