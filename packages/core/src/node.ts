/**
 * `@client-auth/core/node`: build the neutral {@link ClientAuthRequest} from a Node.js
 * `IncomingMessage`, the part the Express and Koa adapters would otherwise each write. Its twin for
 * a Fetch API `Request` (Hono) is `fromWebRequest()` in `@client-auth/core/adapter`; the rules both
 * follow are in neutral_request.ts.
 */
// Kept in the published declarations (preserve): they name node:* types, and TypeScript 6 and
// later no longer add @types/node to a program by default (`types: []`).
/// <reference types="node" preserve="true" />
import type { IncomingMessage } from 'node:http';
import { type BodyDeadline, startBodyDeadline, timeoutMilliseconds } from './body_deadline.js';
import { DEFAULT_BODY_LIMIT, DEFAULT_BODY_TIMEOUT, parseFormBody } from './form.js';
import {
  bodyTimedOut,
  bodyTooLarge,
  formFromBody,
  neutralRequest,
  type RequestBody,
  repeatedCredentialHeaders,
} from './neutral_request.js';
import type { ClientAuthRequest } from './types.js';

export { bodyTimedOut, bodyTooLarge, queryParameters, socketCertificate } from './neutral_request.js';

/** How the adapter found the body (the same three ways as for a Fetch API request). */
export type NodeBody = RequestBody;

export interface NodeRequestOptions {
  /** The request URL as received (Express: `req.originalUrl`), for the query string. */
  url?: string;
  body: NodeBody;
  /** Cap on a body read from the stream, in octets. Default 64 KiB. */
  bodyLimit?: number;
  /**
   * Milliseconds to wait for the whole body read from the stream, or the adapter's
   * {@link BodyDeadline} (one timer for all its reads). Default 10 000.
   */
  bodyTimeout?: number | BodyDeadline;
  /**
   * The framework's own verdict on TLS, where the application told it which proxies to trust
   * (Express `req.secure` under `app.set('trust proxy', …)`, Koa `ctx.secure` under
   * `app.proxy = true`); without such a setting both equal the socket's. `true` counts as TLS
   * whatever the socket; anything else leaves the socket's verdict. Default: the socket's.
   */
  secure?: boolean;
}

/**
 * Request headers with lower-case names, as Node parsed them; a repeated credential header
 * (`Authorization`, of which Node keeps only the first, or an attestation header, which it joins)
 * becomes an array of every value so that the core can refuse it. Node's own object is used as it
 * is when there is nothing to add (no copy per request).
 */
export function nodeHeaders(req: IncomingMessage): Record<string, string | string[] | undefined> {
  const repeated = repeatedCredentialHeaders(req.rawHeaders);
  if (repeated === undefined) return req.headers;
  return { ...req.headers, ...repeated };
}

/**
 * Read a request body from its stream, refusing more than `limit` octets (413 `invalid_request`)
 * and a body not complete within `timeout` milliseconds (408 `invalid_request`): a client that
 * sends its headers and then dribbles its body, or never sends it, holds the request no longer.
 * `timeout` may also be a {@link BodyDeadline} shared by many reads.
 */
export function readBody(
  req: IncomingMessage,
  limit: number = DEFAULT_BODY_LIMIT,
  timeout: number | BodyDeadline = DEFAULT_BODY_TIMEOUT,
): Promise<Uint8Array> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(bodyTooLarge(limit));
  // Already consumed by someone else: nothing left to read (the adapter passes parsed bodies instead).
  if (req.readableEnded) return Promise.resolve(new Uint8Array(0));
  return new Promise((resolve, reject) => {
    // Listening to the events directly is cheaper than a `for await` over the request (Node's
    // stream async iterator cost ~5 % of a whole Express request). The listeners stay until the
    // request is gone (removing them cost more than leaving them; `settled` makes them inert), and
    // they are passed inline: a named closure costs a property definition per request when the
    // sources run through tsx (bench/README.md).
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    // The deadline covers the whole body, not the gaps between its chunks: an idle timeout would
    // be reset by every octet of a body dribbled one octet at a time.
    const stopClock = startBodyDeadline(timeout, () => {
      if (settled) return;
      settled = true;
      reject(bodyTimedOut(timeoutMilliseconds(timeout)));
    });
    req.on('data', (chunk: Buffer | string) => {
      if (settled) return;
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += buffer.length;
      if (size > limit) {
        settled = true;
        stopClock();
        // Stop collecting and let the rest drain, so that the 413 can still be answered.
        req.resume();
        reject(bodyTooLarge(limit));
        return;
      }
      chunks.push(buffer);
    });
    req.on('end', () => {
      if (settled) return;
      settled = true;
      stopClock();
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
    });
    // No 'error' listener: Node emits an IncomingMessage's error only to listeners, and every
    // error destroys the request, which emits 'close' (one listener fewer per request).
    req.on('close', () => {
      if (settled) return;
      // Closed before `end`: the client went away in the middle of its body.
      settled = true;
      stopClock();
      reject(Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
    });
  });
}

/**
 * Build the neutral request view from a Node.js request.
 *
 * @example
 * ```ts
 * const request = await fromNodeRequest(req, { url: req.originalUrl, body: { kind: 'stream' } })
 * const { client } = await auth.authenticate(request, { endpoint: 'token' })
 * ```
 */
export function fromNodeRequest(req: IncomingMessage, options: NodeRequestOptions): Promise<ClientAuthRequest> {
  const contentType = req.headers['content-type'];
  const source = options.body;
  if (source.kind === 'stream') {
    return readBody(req, options.bodyLimit, options.bodyTimeout).then((octets) =>
      fromNode(req, options, parseFormBody(contentType, octets)),
    );
  }
  try {
    return Promise.resolve(fromNode(req, options, formFromBody(contentType, source)));
  } catch (error) {
    return Promise.reject(error);
  }
}

function fromNode(
  req: IncomingMessage,
  options: NodeRequestOptions,
  body: ClientAuthRequest['body'],
): ClientAuthRequest {
  return neutralRequest(nodeHeaders(req), body, options.url ?? req.url, options.secure === true, req.socket);
}
