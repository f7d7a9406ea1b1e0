/**
 * @client-auth/hono: the adapter's own options and behaviour, through `app.request()` (no socket)
 * and on real servers of @hono/node-server 1 and 2 (HTTP and HTTPS on loopback). The protocol
 * rules are in the shared case table (test/cases.ts), which also runs through this adapter.
 */
import { X509Certificate } from 'node:crypto';
import { createServer, type RequestListener, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { type AddressInfo, connect } from 'node:net';
import { certificateThumbprint, createClientAuthenticator } from '@client-auth/core';
import { getRequestListener as nodeServer1 } from '@hono/node-server';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { getRequestListener as nodeServer2 } from 'hono-node-server2';
import { Agent, request } from 'undici';
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

/** Both supported majors of @hono/node-server, each turning a Hono app into a Node request listener. */
const NODE_SERVERS: [string, (app: Hono) => RequestListener][] = [
  ['@hono/node-server 1', (app) => nodeServer1(app.fetch)],
  ['@hono/node-server 2', (app) => nodeServer2(app.fetch) as unknown as RequestListener],
];

describe.each(NODE_SERVERS)('on %s', (_name, listenerOf) => {
  async function serve(app: Hono): Promise<string> {
    const server = createServer(listenerOf(app));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }
  const BODY = 'client_id=conf&client_secret=conf-secret&token=t%C3%A9st';

  it('detects a repeated Authorization header from the raw headers (RFC 6749 §2.3)', async () => {
    const app = new Hono();
    app.post('/token', clientAuthentication(auth, { endpoint: 'token' }), (c) => c.text('accepted'));
    const { port } = new URL(await serve(app));
    // fetch() would merge the two headers itself: write the request by hand.
    const socket = connect(Number(port), '127.0.0.1');
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

  it('reads the peer address from c.env.incoming.socket: a trusted proxy may vouch for TLS (RFC 6749 §2.3.1)', async () => {
    const behind = (trustedProxies: string[]) => {
      const strict = createClientAuthenticator({ issuer: 'https://as.example', getClient, trustedProxies });
      const app = new Hono();
      app.post('/token', clientAuthentication(strict, { endpoint: 'token' }), (c) => c.text(c.get('client').method));
      return serve(app);
    };
    const headers = { ...FORM, 'x-forwarded-proto': 'https' };
    const body = 'client_id=conf&client_secret=conf-secret';
    const trusted = await fetch(`${await behind(['127.0.0.1'])}/token`, { method: 'POST', headers, body });
    expect(await trusted.text()).toBe('client_secret_post');
    const untrusted = await fetch(`${await behind(['192.0.2.1'])}/token`, { method: 'POST', headers, body });
    expect(untrusted.status).toBe(400);
    expect(await json(untrusted)).toEqual({
      error: 'invalid_request',
      error_description: 'client secrets may only be sent over TLS',
    });
  });

  it('takes TLS from the socket, not from an https request target on a plain connection (RFC 6749 §2.3.1)', async () => {
    const strict = createClientAuthenticator({ issuer: 'https://as.example', getClient });
    const app = new Hono();
    app.post('/token', clientAuthentication(strict, { endpoint: 'token' }), (c) => c.text('accepted'));
    const { port } = new URL(await serve(app));
    const socket = connect(Number(port), '127.0.0.1');
    const body = 'client_id=conf&client_secret=conf-secret';
    // RFC 9112 §3.2.2 absolute-form: @hono/node-server builds c.req.url from it (https://…).
    socket.end(
      `POST https://127.0.0.1:${port}/token HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
        `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
    );
    let text = '';
    for await (const chunk of socket) text += chunk;
    expect(text).toMatch(/^HTTP\/1\.1 400 /);
    expect(text).toContain('"error_description":"client secrets may only be sent over TLS"');
  });

  it('over HTTPS: the connection is TLS and the peer certificate reaches the result (RFC 8705 §3.1)', async () => {
    const pki = createDevPki();
    const strict = createClientAuthenticator({ issuer: 'https://as.example', getClient });
    const app = new Hono();
    app.post('/token', clientAuthentication(strict, { endpoint: 'token' }), (c) =>
      c.json({ method: c.get('client').method, x5t: c.get('client').certificate?.thumbprint ?? null }),
    );
    const server = createTlsServer(
      { cert: pki.server.cert, key: pki.server.key, ca: pki.ca.cert, requestCert: true, rejectUnauthorized: false },
      listenerOf(app),
    );
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
    const client = pki.issueClient('conf');
    const agent = new Agent({ connect: { ca: pki.ca.cert, cert: client.cert, key: client.key } });
    try {
      const response = await request(url, {
        method: 'POST',
        headers: FORM,
        body: 'client_id=conf&client_secret=conf-secret',
        dispatcher: agent,
      });
      expect(response.statusCode).toBe(200);
      expect(await response.body.json()).toEqual({
        method: 'client_secret_post',
        x5t: certificateThumbprint(new Uint8Array(new X509Certificate(client.cert).raw)),
      });
    } finally {
      await agent.close();
    }
  });

  it("reads the body through c.req, so the route still gets it from Hono's cache every way c.req offers", async () => {
    const app = new Hono();
    app.post('/token', clientAuthentication(auth, { endpoint: 'token' }), async (c) => {
      const text = await c.req.text();
      const bytes = new TextDecoder().decode(await c.req.arrayBuffer());
      const parsed = await c.req.parseBody();
      const blob = await (await c.req.blob()).text();
      // The request's own body was read once, through c.req (as by Hono's validator).
      const used = c.req.raw.bodyUsed;
      return c.json({ text, bytes, token: parsed.token, blob, used, client: c.get('client').clientId });
    });
    const base = await serve(app);
    const response = await fetch(`${base}/token`, { method: 'POST', headers: FORM, body: BODY });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      text: BODY,
      bytes: BODY,
      token: 'tést',
      blob: BODY,
      used: true,
      client: 'conf',
    });
  });

  it("hands the route a readable c.req.raw after counting a chunked body (as Hono's bodyLimit() does)", async () => {
    const app = new Hono();
    app.post('/token', clientAuthentication(auth, { endpoint: 'token' }), async (c) => {
      const reader = (c.req.raw.body as ReadableStream<Uint8Array>).getReader();
      const chunks: Uint8Array[] = [];
      for (let read = await reader.read(); !read.done; read = await reader.read()) chunks.push(read.value);
      return c.text(Buffer.concat(chunks).toString('utf8'));
    });
    const base = await serve(app);
    const response = await fetch(`${base}/token`, {
      method: 'POST',
      headers: FORM,
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(BODY.slice(0, 20)));
          controller.enqueue(new TextEncoder().encode(BODY.slice(20)));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(await response.text()).toBe(BODY);
  });

  it('answers 413 for a body over the cap, declared or chunked', async () => {
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

  it('sees what an earlier middleware did: a body it read, a request it replaced (never a private cache)', async () => {
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
