/**
 * Slow bodies through real HTTP, on every adapter: a client that sends its headers and then
 * dribbles its body one octet at a time (or never sends it) is answered 408 `invalid_request`
 * (`ERR_BODY_TIMEOUT`, RFC 9110 §15.5.9) with `Connection: close`, and the connection is closed,
 * instead of holding the request until Node's `requestTimeout` (5 minutes by default).
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { createClientAuthenticator } from '@client-auth/core';
import { clientAuthentication as expressAuthentication } from '@client-auth/express';
import { clientAuthentication as honoAuthentication } from '@client-auth/hono';
import { clientAuthentication as koaAuthentication } from '@client-auth/koa';
import { getRequestListener } from '@hono/node-server';
import express4 from 'express4';
import express5 from 'express5';
import { Hono } from 'hono';
import { getRequestListener as getRequestListener2 } from 'hono-node-server2';
import type Koa from 'koa';
import Koa2 from 'koa2';
import Koa3 from 'koa3';
import { afterAll, describe, expect, it } from 'vitest';

const DEADLINE = 300;
const auth = createClientAuthenticator({
  issuer: 'http://localhost',
  getClient: (id) =>
    id === 'conf'
      ? { client_id: 'conf', client_secret: 'conf-secret', token_endpoint_auth_method: 'client_secret_post' }
      : undefined,
  allowInsecureTransport: true,
});
const ok = { client: 'conf' };

type Express = typeof express5;
function expressApp(express: Express): RequestListener {
  const app = express();
  app.post('/token', expressAuthentication(auth, { endpoint: 'token', bodyTimeout: DEADLINE }), (_req, res) => {
    res.json(ok);
  });
  return app as unknown as RequestListener;
}

function koaApp(KoaClass: typeof Koa): RequestListener {
  const app = new KoaClass();
  app.use(koaAuthentication(auth, { endpoint: 'token', bodyTimeout: DEADLINE }));
  app.use((ctx) => {
    ctx.body = ok;
  });
  return app.callback();
}

/**
 * `touchBody`: a middleware first makes @hono/node-server build its full Request (the web-stream
 * path). `nodeServer`: its major.
 */
function honoApp(touchBody: boolean, nodeServer: 1 | 2 = 1): RequestListener {
  const app = new Hono();
  if (touchBody) {
    app.use(async (c, next) => {
      expect(c.req.raw.body).not.toBeNull();
      await next();
    });
  }
  app.post('/token', honoAuthentication(auth, { endpoint: 'token', bodyTimeout: DEADLINE }), (c) => c.json(ok));
  const listener = nodeServer === 2 ? getRequestListener2(app.fetch) : getRequestListener(app.fetch);
  return listener as unknown as RequestListener;
}

const APPS: [string, () => RequestListener][] = [
  ['Express 4', () => expressApp(express4 as unknown as Express)],
  ['Express 5', () => expressApp(express5)],
  ['Koa 2', () => koaApp(Koa2 as unknown as typeof Koa)],
  ['Koa 3', () => koaApp(Koa3 as unknown as typeof Koa)],
  ['Hono on @hono/node-server 1 (its lightweight Request)', () => honoApp(false)],
  ['Hono on @hono/node-server 1 (web stream, after a middleware built the Request)', () => honoApp(true)],
  ['Hono on @hono/node-server 2 (its lightweight Request)', () => honoApp(false, 2)],
  ['Hono on @hono/node-server 2 (web stream, after a middleware built the Request)', () => honoApp(true, 2)],
];

const servers: Server[] = [];
afterAll(() => {
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
});

async function listen(listener: RequestListener): Promise<number> {
  const server = createServer(listener);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

interface Outcome {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The server ended the connection (FIN) rather than the test's guard. */
  closedByServer: boolean;
}

/**
 * Send the headers of a form POST, then the body one octet every 50 ms (`dribble`) or nothing at
 * all (`silent`; `chunked`: a chunked body that never comes). Resolves when the connection closes.
 * The guard is only there so that a server that never answers fails the test instead of hanging it.
 */
function slowClient(port: number, mode: 'dribble' | 'silent' | 'chunked'): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    let closedByServer = false;
    socket.on('error', () => {});
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
    });
    socket.on('end', () => {
      closedByServer = true;
    });
    const framing = mode === 'chunked' ? 'Transfer-Encoding: chunked' : 'Content-Length: 4096';
    socket.write(`POST /token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n`);
    socket.write(`${framing}\r\n\r\n`);
    const dribble =
      mode === 'dribble'
        ? setInterval(() => {
            if (!socket.destroyed && socket.writable) socket.write('a');
          }, 50)
        : undefined;
    const guard = setTimeout(() => socket.destroy(), 10_000);
    socket.on('close', () => {
      clearInterval(dribble);
      clearTimeout(guard);
      const [head = '', body = ''] = received.split('\r\n\r\n');
      const [statusLine = '', ...fields] = head.split('\r\n');
      const headers = Object.fromEntries(
        fields.map((field) => [
          field.slice(0, field.indexOf(':')).toLowerCase(),
          field.slice(field.indexOf(':') + 1).trim(),
        ]),
      );
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body, closedByServer });
    });
  });
}

describe.each(APPS)('%s: a body that does not arrive in time (RFC 9110 §15.5.9)', (_name, app) => {
  it.each(['dribble', 'silent', 'chunked'] as const)(
    'answers 408 invalid_request with Connection: close and closes the connection (%s body)',
    async (mode) => {
      const port = await listen(app());
      const outcome = await slowClient(port, mode);
      expect(outcome.status).toBe(408);
      expect(outcome.headers['content-type']).toMatch(/^application\/json/);
      expect(outcome.headers.connection?.toLowerCase()).toBe('close');
      expect(outcome.headers['cache-control']).toBe('no-store');
      expect(JSON.parse(outcome.body.slice(outcome.body.indexOf('{'), outcome.body.lastIndexOf('}') + 1))).toEqual({
        error: 'invalid_request',
        error_description: `the request body did not arrive within ${DEADLINE} ms`,
      });
      expect(outcome.closedByServer).toBe(true);
    },
  );

  it('gives each slow body on one middleware its whole deadline from its own start, and answers a prompt request meanwhile (one timer per middleware, issue 16)', async () => {
    const port = await listen(app());
    const first = slowClient(port, 'silent');
    await new Promise((resolve) => setTimeout(resolve, DEADLINE / 2));
    let secondClosed = false;
    const second = slowClient(port, 'silent').then((outcome) => {
      secondClosed = true;
      return outcome;
    });
    const prompt = await fetch(`http://127.0.0.1:${port}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'client_id=conf&client_secret=conf-secret',
    });
    expect(prompt.status).toBe(200);
    expect((await first).status).toBe(408);
    // The second read started half a deadline later: the sweep that expired the first left it running.
    expect(secondClosed).toBe(false);
    expect((await second).status).toBe(408);
  });

  it('still authenticates a body that arrives within the deadline, on a kept-alive connection', async () => {
    const port = await listen(app());
    for (let i = 0; i < 2; i += 1) {
      const response = await fetch(`http://127.0.0.1:${port}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'client_id=conf&client_secret=conf-secret',
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual(ok);
    }
  });
});

describe('bodyTimeout is checked when the middleware is created (TypeError at setup)', () => {
  it.each([0, -1, 1.5, '300', Number.NaN, 2 ** 31])('refuses bodyTimeout %s on every adapter', (bodyTimeout) => {
    const options = { endpoint: 'token', bodyTimeout } as never;
    expect(() => expressAuthentication(auth, options)).toThrow(TypeError);
    expect(() => koaAuthentication(auth, options)).toThrow(TypeError);
    expect(() => honoAuthentication(auth, options)).toThrow(TypeError);
  });
});
