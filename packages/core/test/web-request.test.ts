/**
 * `fromWebRequest()` (`@client-auth/core/adapter`): the neutral request from a Fetch API `Request`,
 * by the rules `fromNodeRequest()` follows. Real servers on loopback (HTTP, and HTTPS with a client
 * certificate made for this run) give the sockets and raw headers; the `Request`s are Node's own.
 */
import { X509Certificate } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { type AddressInfo, connect } from 'node:net';
import { Agent, request as undiciRequest } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { createDevPki } from '../../../scripts/dev-pki.js';
import { fromWebRequest, readWebBody } from '../src/adapter.js';
import { isOAuthError } from '../src/errors.js';
import type { ClientAuthRequest } from '../src/index.js';
import { fromNodeRequest, readBody } from '../src/node.js';

const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
});

/** A Fetch API `Request` of the same bytes as a Node request (the way a runtime would build it). */
function requestOf(req: IncomingMessage, body: Uint8Array, scheme = 'http'): Request {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    headers.append(req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string);
  }
  const init: RequestInit = { method: req.method as string, headers };
  if (body.length > 0) init.body = body;
  return new Request(`${scheme}://${req.headers.host}${req.url}`, init);
}

type Views = { node: ClientAuthRequest; web: ClientAuthRequest; https: ClientAuthRequest };

/** A real HTTP server building both views of each request it gets, for the test to compare. */
async function viewsOf(send: (port: number) => Promise<unknown>): Promise<Views> {
  let settle: (views: Views) => void = () => {};
  const views = new Promise<Views>((resolve) => {
    settle = resolve;
  });
  const server = createServer(async (req, res) => {
    const octets = await readBody(req);
    const node = await fromNodeRequest(req, { body: { kind: 'raw', raw: octets } });
    const options = { socket: req.socket, rawHeaders: req.rawHeaders };
    const web = await fromWebRequest(requestOf(req, octets), options);
    // An https URL over a plain socket (an absolute-form target says what it likes).
    const https = await fromWebRequest(requestOf(req, octets, 'https'), options);
    settle({ node, web, https });
    res.end('ok');
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  await send((server.address() as AddressInfo).port);
  return views;
}

/** Write one HTTP/1.1 request by hand (fetch() would merge repeated headers) and read the answer. */
async function raw(port: number, head: string, body: string): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  socket.end(`${head}Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  let text = '';
  for await (const chunk of socket) text += chunk;
  return text;
}

describe('fromWebRequest(): the same view as fromNodeRequest() of the same bytes', () => {
  it('headers, every form value (RFC 6749 §3.2 repeats visible), query, peer address, TLS from the socket', async () => {
    const { node, web, https } = await viewsOf((port) =>
      raw(
        port,
        'POST /token?x=1&x=2 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n' +
          'X-Extra: a\r\n',
        'client_id=c1&scope=a&scope=b&name=%C3%A9+x',
      ),
    );
    expect(web).toEqual(node);
    expect(web.body).toEqual({ client_id: ['c1'], scope: ['a', 'b'], name: ['é x'] });
    expect(web.query).toEqual({ x: ['1', '2'] });
    expect(web.peerAddress).toBe('127.0.0.1');
    expect(web.secure).toBe(false);
    // RFC 6749 §2.3.1: with a socket, TLS is the socket's word, not the URL's.
    expect(https.secure).toBe(false);
  });

  it('makes a repeated Authorization an array from the raw headers, as Node does (RFC 6749 §2.3)', async () => {
    const { node, web } = await viewsOf((port) =>
      raw(
        port,
        'POST /token HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic YTpi\r\nAuthorization: Basic YzpkCg==\r\n',
        '',
      ),
    );
    expect(web.headers.authorization).toEqual(['Basic YTpi', 'Basic YzpkCg==']);
    expect(web.headers.authorization).toEqual(node.headers.authorization);
  });

  it("reads each raw header's value from the Request's Headers, joined as iterating them joins it (RFC 9110 §5.3)", async () => {
    let headers: { fromRaw: ClientAuthRequest['headers']; iterated: ClientAuthRequest['headers'] } | undefined;
    const server = createServer(async (req, res) => {
      const octets = await readBody(req);
      const request = requestOf(req, octets);
      // A header an earlier handler removed from the Request is gone from the view as well.
      request.headers.delete('x-removed');
      const body = { kind: 'raw', raw: octets } as const;
      const fromRaw = (await fromWebRequest(request, { body, socket: req.socket, rawHeaders: req.rawHeaders })).headers;
      const iterated = (await fromWebRequest(request, { body, socket: req.socket })).headers;
      headers = { fromRaw, iterated };
      res.end('ok');
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    await raw(
      (server.address() as AddressInfo).port,
      'POST /token HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-Proto: https\r\nx-forwarded-proto: http\r\n' +
        'X-Removed: 1\r\nContent-Type: application/x-www-form-urlencoded\r\n',
      'client_id=c1',
    );
    expect(headers?.fromRaw).toEqual(headers?.iterated);
    expect(headers?.fromRaw['x-forwarded-proto']).toBe('https, http');
    expect(headers?.fromRaw['x-removed']).toBeUndefined();
  });
});

describe('fromWebRequest() without a socket (Bun, Deno, Workers, app.request())', () => {
  const form = { 'content-type': 'application/x-www-form-urlencoded' };

  it("takes TLS from the URL's scheme, or from `secure: true` (RFC 6749 §2.3.1)", async () => {
    const post = (url: string) => new Request(url, { method: 'POST', headers: form, body: 'a=b' });
    expect((await fromWebRequest(post('https://as.example/token'))).secure).toBe(true);
    expect((await fromWebRequest(post('http://as.example/token'))).secure).toBe(false);
    expect((await fromWebRequest(post('http://as.example/token'), { secure: true })).secure).toBe(true);
  });

  it('keeps a header named __proto__ as a header, not the prototype of the view', async () => {
    const request = new Request('http://as.example/token', { method: 'POST', headers: [['__proto__', 'x']] });
    const view = await fromWebRequest(request);
    expect(Object.getOwnPropertyDescriptor(view.headers, '__proto__')?.value).toBe('x');
    expect(Object.keys(view.body)).toEqual([]);
  });

  it('rejects (never throws) a body that is not a form (RFC 6749 §3.2, Appendix B)', async () => {
    const request = new Request('http://as.example/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"client_id":"c1"}',
    });
    const outcome = fromWebRequest(request).catch((error: unknown) => error);
    expect(isOAuthError(await outcome) && (await outcome)).toMatchObject({ code: 'ERR_UNSUPPORTED_CONTENT_TYPE' });
  });
});

describe('readWebBody(): the cap and the deadline of the Node path', () => {
  /** A body stream of `pieces`, then open (`hang`) or closed; records whether it was cancelled. */
  function streamOf(pieces: string[], hang = false) {
    const state = { cancelled: false };
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const piece of pieces) controller.enqueue(new TextEncoder().encode(piece));
        if (!hang) controller.close();
      },
      cancel() {
        state.cancelled = true;
      },
    });
    const request = new Request('http://as.example/token', {
      method: 'POST',
      body: stream,
      duplex: 'half',
    } as RequestInit);
    return { request, state };
  }
  const codeOf = (promise: Promise<unknown>) =>
    promise.then(
      () => 'resolved',
      (error: { code?: string; status?: number }) => `${error.status} ${error.code}`,
    );

  it('refuses a declared Content-Length over the cap before reading a single octet (413)', async () => {
    const request = new Request('http://as.example/token', {
      method: 'POST',
      headers: { 'content-length': '100' },
      body: 'x'.repeat(100),
    });
    expect(await codeOf(readWebBody(request, 64))).toBe('413 ERR_BODY_TOO_LARGE');
    expect(request.bodyUsed).toBe(false);
  });

  it('counts a body of no declared length while reading it: 413 once past the cap, and the stream is cancelled', async () => {
    const { request, state } = streamOf(['a'.repeat(40), 'b'.repeat(40)], true);
    expect(await codeOf(readWebBody(request, 64))).toBe('413 ERR_BODY_TOO_LARGE');
    expect(state.cancelled).toBe(true);
    const small = streamOf(['client_id=', 'c1']);
    expect(new TextDecoder().decode(await readWebBody(small.request, 64))).toBe('client_id=c1');
  });

  it('answers 408 for a body not complete within the deadline (RFC 9110 §15.5.9), and stops reading', async () => {
    const { request, state } = streamOf(['client_id='], true);
    expect(await codeOf(readWebBody(request, 64, 50))).toBe('408 ERR_BODY_TIMEOUT');
    expect(state.cancelled).toBe(true);
  });

  it('reads no body as no octets', async () => {
    expect((await readWebBody(new Request('http://as.example/token', { method: 'POST' }))).length).toBe(0);
  });
});

describe('fromWebRequest() over HTTPS: the socket holds the peer certificate (RFC 8705 §2)', () => {
  it("reads it from the socket, or none where `certificate: null` says the runtime's word is final", async () => {
    const pki = createDevPki();
    const client = pki.issueClient('c1');
    let settle: (views: [ClientAuthRequest, ClientAuthRequest]) => void = () => {};
    const views = new Promise<[ClientAuthRequest, ClientAuthRequest]>((resolve) => {
      settle = resolve;
    });
    const server = createTlsServer(
      { cert: pki.server.cert, key: pki.server.key, ca: pki.ca.cert, requestCert: true, rejectUnauthorized: false },
      async (req, res) => {
        const octets = await readBody(req);
        const socket = { socket: req.socket, rawHeaders: req.rawHeaders };
        const fromSocket = await fromWebRequest(requestOf(req, octets, 'https'), socket);
        const none = await fromWebRequest(requestOf(req, octets, 'https'), { ...socket, certificate: null });
        settle([fromSocket, none]);
        res.end('ok');
      },
    );
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const agent = new Agent({ connect: { ca: pki.ca.cert, cert: client.cert, key: client.key } });
    try {
      const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
      const headers = { 'content-type': 'application/x-www-form-urlencoded' };
      await (
        await undiciRequest(url, { method: 'POST', headers, body: 'client_id=c1', dispatcher: agent })
      ).body.text();
    } finally {
      await agent.close();
    }
    const [fromSocket, none] = await views;
    expect(fromSocket.secure).toBe(true);
    expect(fromSocket.certificate).toMatchObject({
      der: new Uint8Array(new X509Certificate(client.cert).raw),
      chainValidated: true,
      source: 'socket',
    });
    expect(none.secure).toBe(true);
    expect(none.certificate).toBeUndefined();
  });
});
