import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { readBody } from '../src/node.js';
import { errorResponse } from '../src/response.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** A real server whose handler hands each request's readBody outcome to the test. */
function serve(limit: number, timeout?: number): Promise<{ port: number; outcome: Promise<Uint8Array | Error> }> {
  let settle: (value: Uint8Array | Error) => void = () => {};
  const outcome = new Promise<Uint8Array | Error>((resolve) => {
    settle = resolve;
  });
  server = createServer((req: IncomingMessage, res) => {
    readBody(req, limit, timeout).then(
      (body) => {
        settle(body);
        res.end('ok');
      },
      (error: Error) => {
        settle(error);
        if (!res.destroyed) res.end();
      },
    );
  });
  return new Promise((resolve) =>
    (server as Server).listen(0, '127.0.0.1', () =>
      resolve({ port: ((server as Server).address() as AddressInfo).port, outcome }),
    ),
  );
}

/** Send a chunked request body piece by piece over a raw socket. */
function sendChunked(port: number, pieces: string[], end = true) {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  socket.write('POST /token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n');
  socket.write('Transfer-Encoding: chunked\r\n\r\n');
  for (const piece of pieces) socket.write(`${Buffer.byteLength(piece).toString(16)}\r\n${piece}\r\n`);
  if (end) socket.write('0\r\n\r\n');
  return socket;
}

describe('readBody (adapters reading the form body themselves)', () => {
  it('joins a body that arrives in several chunks', async () => {
    const { port, outcome } = await serve(1024);
    const socket = sendChunked(port, ['grant_type=client_', 'credentials&client_id=', 'a']);
    const body = await outcome;
    socket.destroy();
    expect(Buffer.from(body as Uint8Array).toString()).toBe('grant_type=client_credentials&client_id=a');
  });

  it('refuses a chunked body beyond the cap with 413 invalid_request', async () => {
    const { port, outcome } = await serve(16);
    const socket = sendChunked(port, ['a'.repeat(10), 'b'.repeat(10), 'c'.repeat(10)], false);
    const error = (await outcome) as Error & { status?: number; code?: string };
    socket.destroy();
    expect(error).toBeInstanceOf(Error);
    expect(error.status).toBe(413);
    expect(error.code).toBe('ERR_BODY_TOO_LARGE');
  });

  it('refuses a declared Content-Length beyond the cap before reading', async () => {
    const { port, outcome } = await serve(16);
    const response = await fetch(`http://127.0.0.1:${port}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'x'.repeat(100),
    });
    const error = (await outcome) as Error & { status?: number };
    expect(error.status).toBe(413);
    expect(response.status).toBe(200);
  });

  it('rejects when the client goes away in the middle of its body', async () => {
    const { port, outcome } = await serve(1024);
    const socket = sendChunked(port, ['grant_type='], false);
    setTimeout(() => socket.destroy(), 50);
    const error = (await outcome) as Error;
    expect(error).toBeInstanceOf(Error);
    expect((error as { status?: number }).status).toBeUndefined();
  });

  it('refuses a body not complete within the deadline: 408 invalid_request ERR_BODY_TIMEOUT (RFC 9110 §15.5.9)', async () => {
    const { port, outcome } = await serve(1024, 200);
    // Headers, one chunk, then nothing: the deadline counts from the start, not between chunks.
    const socket = sendChunked(port, ['grant_type='], false);
    const error = (await outcome) as Error & { status?: number; code?: string; error?: string };
    socket.destroy();
    expect(error.status).toBe(408);
    expect(error.code).toBe('ERR_BODY_TIMEOUT');
    expect(error.error).toBe('invalid_request');
    // The connection's framing is unknown then: the response closes it.
    expect(errorResponse(error).headers.connection).toBe('close');
  });

  it('reads a body that completes within the deadline', async () => {
    const { port, outcome } = await serve(1024, 5_000);
    const socket = sendChunked(port, ['grant_type=', 'client_credentials']);
    const body = await outcome;
    socket.destroy();
    expect(Buffer.from(body as Uint8Array).toString()).toBe('grant_type=client_credentials');
  });
});
