/**
 * The example server's operator log: pino (JSON lines on stdout), one line per refused client
 * authentication with its stable `code`, and one per client assertion accepted only because
 * `AUDIENCE=compatible` (DESIGN.md §5). `LOG_LEVEL` sets the level.
 *
 * What a line may hold: the core's events carry no secret, assertion or key material, and only
 * named fields are copied from them (never the whole event), so that a field added to an event
 * later does not reach the log unseen. The client_id is the one the request presented: bounded to
 * {@link MAX_LOGGED_CLIENT_ID} characters, and JSON-escaped by pino so that a hostile value stays
 * on its line.
 */
import type { AuthenticatedEvent, ClientAuthRequest, FailureEvent } from '@client-auth/core';
import { type DestinationStream, type Logger, pino } from 'pino';
import type { LogLevel } from './config.js';

/** Longest client_id written to a line; a longer one is cut and marked. */
export const MAX_LOGGED_CLIENT_ID = 200;

/** An X-Request-Id as proxies set it (Envoy always, nginx with `$request_id`): logged when well-formed. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function presentedClientId(clientId: string | undefined): string | undefined {
  if (clientId === undefined || clientId.length <= MAX_LOGGED_CLIENT_ID) return clientId;
  return `${clientId.slice(0, MAX_LOGGED_CLIENT_ID)}…(${clientId.length} characters)`;
}

/** A dual-stack listener reports IPv4 peers as IPv4-mapped IPv6 (RFC 4291 §2.5.5.2): log them dotted. */
function peerAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/** The request's fields worth a line: the peer address and the proxy's request id, if any. */
function requestFields(request: ClientAuthRequest | undefined): { peer?: string; reqId?: string } {
  if (request === undefined) return {};
  const header = request.headers['x-request-id'];
  const id = Array.isArray(header) ? undefined : header;
  return {
    ...(request.peerAddress !== undefined ? { peer: peerAddress(request.peerAddress) } : {}),
    ...(id !== undefined && REQUEST_ID.test(id) ? { reqId: id } : {}),
  };
}

/** One server's log (no state outside it). */
export class ExampleLog {
  readonly logger: Logger;

  constructor(level: LogLevel, destination?: DestinationStream) {
    this.logger = pino(
      {
        level,
        base: { pid: process.pid },
        // Levels by name ("info", "warn"), which an operator greps for.
        formatters: { level: (label) => ({ level: label }) },
      },
      destination ?? pino.destination({ dest: 1, sync: true }),
    );
  }

  /**
   * `onFailure`: the precise reason stays in the log, the client saw a generic description. A
   * refusal answered with 5xx (a store down, the hash budget full) is the server's trouble: `warn`.
   */
  readonly refusal = (event: FailureEvent, request?: ClientAuthRequest): void => {
    const fields = {
      code: event.code,
      error: event.error,
      status: event.status,
      endpoint: event.endpoint,
      client_id: presentedClientId(event.clientId),
      method: event.method,
      // What was wrong with a client ID metadata document (RFC 7591 §3.2.2 problems; no secret in them).
      ...(event.problems !== undefined ? { problems: event.problems } : {}),
      ...requestFields(request),
    };
    if (event.status >= 500) this.logger.warn(fields, 'client authentication refused');
    else this.logger.info(fields, 'client authentication refused');
  };

  /**
   * `onAuthenticated`: only the successes that rely on `AUDIENCE=compatible` (an `aud` that is not
   * the issuer as sole value, rfc7523bis §4), so that operators know which clients to move before
   * the option can go (rfc7523bis §6).
   */
  readonly authenticated = (event: AuthenticatedEvent, request?: ClientAuthRequest): void => {
    if (event.audience !== 'compatible') return;
    this.logger.warn(
      {
        audience: event.audience,
        endpoint: event.endpoint,
        client_id: presentedClientId(event.clientId),
        method: event.method,
        ...requestFields(request),
      },
      'client assertion accepted only under AUDIENCE=compatible: its aud is not the issuer alone',
    );
  };
}
