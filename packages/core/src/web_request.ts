/**
 * The neutral {@link ClientAuthRequest} from a Fetch API `Request` (Hono, and any runtime whose
 * handlers receive one): the twin of `fromNodeRequest()`, following the same rules
 * (neutral_request.ts). Where the runtime also exposes the Node.js request underneath
 * (`@hono/node-server`'s `c.env.incoming`), its socket and raw headers say what a `Request` cannot:
 * whether the connection is TLS, the peer certificate and address, a repeated `Authorization`.
 */
import { type BodyDeadline, startBodyDeadline, timeoutMilliseconds } from './body_deadline.js';
import { DEFAULT_BODY_LIMIT, DEFAULT_BODY_TIMEOUT, emptyParameters, parseFormBody } from './form.js';
import {
  bodyTimedOut,
  bodyTooLarge,
  formFromBody,
  neutralRequest,
  type RequestBody,
  type RequestSocket,
  repeatedCredentialHeaders,
} from './neutral_request.js';
import type { ClientAuthRequest, PresentedCertificate } from './types.js';

export interface WebRequestOptions {
  /** How the body is found. Default `{ kind: 'stream' }`: read `request.body` (capped, with a deadline). */
  body?: RequestBody;
  /** Cap on a body read from the stream, in octets. Default 64 KiB. */
  bodyLimit?: number;
  /**
   * Milliseconds to wait for the whole body read from the stream, or the adapter's
   * {@link BodyDeadline} (one timer for all its reads). Default 10 000.
   */
  bodyTimeout?: number | BodyDeadline;
  /**
   * The Node.js socket under the request, where the runtime exposes it (`@hono/node-server`:
   * `c.env.incoming.socket`). TLS, the peer certificate and the peer address are then the
   * socket's, as for `fromNodeRequest()`; the request URL's scheme is not trusted for TLS (an
   * absolute-form request target can say `https` on a plain connection).
   */
  socket?: RequestSocket;
  /**
   * The raw header list under the request (`c.env.incoming.rawHeaders`). `Headers` join a
   * repeated `Authorization` with ", "; from the raw list it is seen as repeated and refused.
   */
  rawHeaders?: readonly string[];
  /**
   * `true` counts as TLS whatever the socket (a verdict of the runtime or of a trusted proxy).
   * Otherwise: the socket's, or without a socket, whether the request URL is `https:` (what
   * runtimes without one build it from).
   */
  secure?: boolean;
  /**
   * The TLS peer certificate, where the runtime gives it other than through `socket`; `null`:
   * none (the socket's is not read either). Default: the socket's.
   */
  certificate?: PresentedCertificate | null;
}

/**
 * `read`, or 408 `invalid_request` (`ERR_BODY_TIMEOUT`) once `timeout` ms have passed, when
 * `onTimeout` runs (to stop reading). The deadline covers the whole body, as `readBody()`'s on the
 * Node path: a body dribbled one octet at a time must not reset it. `timeout` may also be a
 * {@link BodyDeadline} shared by many reads.
 */
export function withBodyDeadline<T>(
  read: Promise<T>,
  timeout: number | BodyDeadline,
  onTimeout?: () => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const stopClock = startBodyDeadline(timeout, () => {
      onTimeout?.();
      reject(bodyTimedOut(timeoutMilliseconds(timeout)));
    });
    read.then(
      (value) => {
        stopClock();
        resolve(value);
      },
      (error: unknown) => {
        stopClock();
        reject(error);
      },
    );
  });
}

/**
 * Read a Fetch API request's body, refusing more than `limit` octets (413 `invalid_request`,
 * at once when `Content-Length` declares it, else as soon as the count passes it) and a body not
 * complete within `timeout` ms (408 `invalid_request`; or a shared {@link BodyDeadline}). The
 * request's body is consumed.
 */
export function readWebBody(
  request: Request,
  limit: number = DEFAULT_BODY_LIMIT,
  timeout: number | BodyDeadline = DEFAULT_BODY_TIMEOUT,
): Promise<Uint8Array<ArrayBuffer>> {
  const declared = Number(request.headers.get('content-length') ?? undefined);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(bodyTooLarge(limit));
  const stream = request.body;
  if (stream === null) return Promise.resolve(new Uint8Array(0));
  const reader = stream.getReader();
  return withBodyDeadline(readCapped(reader, limit), timeout, () => void reader.cancel().catch(() => {}));
}

async function readCapped(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  limit: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw bodyTooLarge(limit);
    }
    chunks.push(value);
  }
  // One buffer of its own (a chunk may be a view of a larger or shared one).
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.length;
  }
  return body;
}

/**
 * Request headers with lower-case names (as `Headers` gives them), in an object without inherited
 * members (a header may be named `__proto__`); `rawHeaders` as in {@link WebRequestOptions}. With
 * `rawHeaders`, the names are those of the raw list and each value is `headers.get(name)` (what
 * iterating `headers` gives too), so that a runtime that reads its header values lazily from the
 * raw list (`@hono/node-server` 2) need not build a whole `Headers` object: that alone cost as
 * much as authenticating a `client_secret_basic` request (bench/README.md, issue 16).
 */
export function webHeaders(headers: Headers, rawHeaders?: readonly string[]): ClientAuthRequest['headers'] {
  const view = emptyParameters<string | string[] | undefined>();
  if (rawHeaders === undefined) {
    headers.forEach((value, name) => {
      view[name] = value;
    });
    return view;
  }
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] as string).toLowerCase();
    // HTTP/2 pseudo-headers (`:method`) are no header fields (RFC 9113 §8.3); `Headers` refuses them.
    if (name.startsWith(':') || view[name] !== undefined) continue;
    const value = headers.get(name);
    if (value !== null) view[name] = value;
  }
  const repeated = repeatedCredentialHeaders(rawHeaders);
  if (repeated !== undefined) Object.assign(view, repeated);
  return view;
}

/**
 * Build the neutral request view from a Fetch API `Request`.
 *
 * @example
 * ```ts
 * // Hono on @hono/node-server: the body through Hono's cache, the connection from Node's socket
 * const request = await fromWebRequest(c.req.raw, {
 *   body: { kind: 'raw', raw: new Uint8Array(await c.req.arrayBuffer()) },
 *   socket: c.env.incoming.socket,
 *   rawHeaders: c.env.incoming.rawHeaders,
 * })
 * const { client } = await auth.authenticate(request, { endpoint: 'token' })
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3
 */
export function fromWebRequest(request: Request, options: WebRequestOptions = {}): Promise<ClientAuthRequest> {
  const source = options.body ?? { kind: 'stream' };
  try {
    const headers = webHeaders(request.headers, options.rawHeaders);
    const contentType = headers['content-type'] as string | undefined;
    if (source.kind === 'stream') {
      return readWebBody(request, options.bodyLimit, options.bodyTimeout).then((octets) =>
        fromWeb(request, options, headers, parseFormBody(contentType, octets)),
      );
    }
    return Promise.resolve(fromWeb(request, options, headers, formFromBody(contentType, source)));
  } catch (error) {
    return Promise.reject(error);
  }
}

function fromWeb(
  request: Request,
  options: WebRequestOptions,
  headers: ClientAuthRequest['headers'],
  body: ClientAuthRequest['body'],
): ClientAuthRequest {
  const { socket } = options;
  // Without a socket the URL is the runtime's own account of the connection (Bun, Deno, Workers).
  const secure = options.secure === true || (socket === undefined && request.url.startsWith('https:'));
  return neutralRequest(headers, body, request.url, secure, socket, options.certificate);
}
