/**
 * The rules every builder of the neutral {@link ClientAuthRequest} follows, whatever the request
 * object it starts from (`fromNodeRequest()` in node.ts, `fromWebRequest()` in web_request.ts):
 * where the form comes from, what the connection says (TLS, the peer certificate, the peer
 * address), a repeated `Authorization` made visible, the query string kept apart. Written once so
 * that a Node.js request and a Fetch API request of the same bytes give the core the same view.
 */
import type { TLSSocket } from 'node:tls';
import { ATTESTATION_HEADER, ATTESTATION_POP_HEADER } from './credentials/attestation.js';
import { InvalidRequest } from './errors.js';
import { emptyParameters, formFromParsedBody, parseForm, parseFormBody } from './form.js';
import type { ClientAuthRequest, FormParameters, PresentedCertificate } from './types.js';

/** How the adapter found the body. */
export type RequestBody =
  /** No parser ran: read the stream (with the cap and the deadline). */
  | { kind: 'stream' }
  /** The octets or text are at hand (Koa `rawBody`, Hono's body cache): parse them, seeing every duplicate. */
  | { kind: 'raw'; raw: string | Uint8Array }
  /** A parser ran and left only its object (arrays for repeated keys). */
  | { kind: 'parsed'; parsed: unknown };

/**
 * The socket a request arrived on, as far as the core reads it: a Node.js `net.Socket`, or the
 * `tls.TLSSocket` of an HTTPS server.
 */
export type RequestSocket = { remoteAddress?: string | undefined } & Partial<
  Pick<TLSSocket, 'encrypted' | 'authorized' | 'getPeerX509Certificate'>
>;

/** The form of a body that is already at hand (RFC 6749 Appendix B). */
export function formFromBody(
  contentType: string | undefined,
  source: Exclude<RequestBody, { kind: 'stream' }>,
): FormParameters {
  return source.kind === 'raw'
    ? parseFormBody(contentType, source.raw)
    : formFromParsedBody(contentType, source.parsed);
}

/**
 * Headers that carry a credential, by the length of their name: each must occur once (RFC 6749
 * §2.3; draft-ietf-oauth-attestation-based-client-auth-10 §7.1 item 1, §7.2 item 1: "precisely one").
 * Their names' lengths (13, 24, 28) differ, so the length alone picks the one candidate.
 */
const CREDENTIAL_HEADERS: ReadonlyMap<number, string> = new Map(
  ['authorization', ATTESTATION_HEADER, ATTESTATION_POP_HEADER].map((name) => [name.length, name]),
);

/**
 * Every value of each credential header (`Authorization`, `OAuth-Client-Attestation`,
 * `OAuth-Client-Attestation-PoP`) that occurs more than once in a raw header list (`[name, value,
 * name, value, …]`, as Node's `rawHeaders`), else `undefined`. Node keeps only the first
 * `Authorization` and joins other repeats with ", ", and the Fetch API's `Headers` join them all:
 * an array lets the core refuse the repetition.
 */
export function repeatedCredentialHeaders(raw: readonly string[]): Record<string, string[]> | undefined {
  let repeated: Record<string, string[]> | undefined;
  let seen: Record<string, string> | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    // The case-folding copy is made for candidates (a credential header's length) only.
    const candidate = CREDENTIAL_HEADERS.get(name.length);
    if (candidate === undefined || name.toLowerCase() !== candidate) continue;
    const value = raw[i + 1] as string;
    seen ??= {};
    const first = seen[candidate];
    if (first === undefined) seen[candidate] = value;
    else {
      repeated ??= {};
      const all = repeated[candidate];
      if (all === undefined) repeated[candidate] = [first, value];
      else all.push(value);
    }
  }
  return repeated;
}

/** The query parameters of a request URL, every value kept. Malformed escapes are refused. */
export function queryParameters(url: string | undefined): FormParameters {
  if (url === undefined) return emptyParameters();
  const question = url.indexOf('?');
  if (question === -1) return emptyParameters();
  const hash = url.indexOf('#', question);
  return parseForm(url.slice(question + 1, hash === -1 ? undefined : hash));
}

/** The peer certificate of a TLS connection, if the client sent one. */
export function socketCertificate(socket: RequestSocket): PresentedCertificate | undefined {
  if (socket.encrypted !== true || typeof socket.getPeerX509Certificate !== 'function') return undefined;
  const certificate = socket.getPeerX509Certificate();
  if (certificate === undefined) return undefined;
  const presented: PresentedCertificate = {
    der: new Uint8Array(certificate.raw),
    chainValidated: socket.authorized === true,
    source: 'socket',
  };
  // The intermediates the client sent, for validation against configured trust anchors.
  const chain: Uint8Array[] = [];
  let current = certificate;
  for (let issuer = current.issuerCertificate; issuer !== undefined && chain.length < 8; ) {
    if (issuer.raw.equals(current.raw)) break;
    chain.push(new Uint8Array(issuer.raw));
    current = issuer;
    issuer = current.issuerCertificate;
  }
  if (chain.length > 0) presented.chain = chain;
  return presented;
}

/**
 * The neutral request from its parts. With a `socket`, the connection is TLS when the socket is
 * (or when `secure` is `true`: the framework's own verdict under a trust-proxy setting), and the
 * peer certificate and address are the socket's. `certificate` replaces the socket's (`null`:
 * none, whatever the socket holds), for runtimes that give it another way.
 */
export function neutralRequest(
  headers: ClientAuthRequest['headers'],
  body: FormParameters,
  url: string | undefined,
  secure: boolean,
  socket: RequestSocket | undefined,
  certificate?: PresentedCertificate | null,
): ClientAuthRequest {
  const request: ClientAuthRequest = {
    headers,
    body,
    query: queryParameters(url),
    secure: secure || socket?.encrypted === true,
  };
  const presented = certificate === undefined ? socket && socketCertificate(socket) : certificate;
  if (presented !== undefined && presented !== null) request.certificate = presented;
  const peerAddress = socket?.remoteAddress;
  if (peerAddress !== undefined) request.peerAddress = peerAddress;
  return request;
}

/** 413 `invalid_request`: the body is over the adapter's cap (every adapter answers with this one). */
export function bodyTooLarge(limit: number): InvalidRequest {
  return new InvalidRequest('ERR_BODY_TOO_LARGE', `the request body exceeds ${limit} octets`, { status: 413 });
}

/**
 * 408 `invalid_request`: the body did not arrive in time. RFC 9110 §15.5.9: the server "did not
 * receive a complete request message within the time that it was prepared to wait"; the rest of
 * the body may still be in transit, so the response carries `Connection: close` (errorResponse).
 */
export function bodyTimedOut(timeout: number): InvalidRequest {
  return new InvalidRequest('ERR_BODY_TIMEOUT', `the request body did not arrive within ${timeout} ms`, {
    status: 408,
  });
}
