/**
 * One JSON line per authentication event worth an operator's eye (DESIGN.md §5): every refusal
 * with its stable `code`, and every client assertion accepted only because `AUDIENCE=compatible`.
 * The core's events carry no secret, assertion or certificate; JSON escaping keeps a hostile
 * client_id on its line.
 */
import type { AuthenticatedEvent, FailureEvent } from '@client-auth/core';

function line(level: 'info' | 'warn', msg: string, fields: object): void {
  process.stdout.write(`${JSON.stringify({ level, time: Date.now(), msg, ...fields })}\n`);
}

/** `onFailure`: the precise reason stays in the log, the client saw a generic description. */
export function logRefusal(event: FailureEvent): void {
  line('info', 'client authentication refused', event);
}

/**
 * `onAuthenticated`: only the successes that rely on `AUDIENCE=compatible` (an `aud` that is not
 * the issuer as sole value, rfc7523bis §4), so that operators know which clients to move before
 * the option can go (rfc7523bis §6).
 */
export function logAuthenticated(event: AuthenticatedEvent): void {
  if (event.audience === 'compatible') {
    line('warn', 'client assertion accepted only under AUDIENCE=compatible: its aud is not the issuer alone', event);
  }
}
