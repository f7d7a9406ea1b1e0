/**
 * The telemetry seam of the request path: one observation per `authenticate()` call, started when
 * the call begins and finished once with its outcome. The core defines the seam with its own types,
 * so that the root export imports no telemetry library; `@client-auth/core/opentelemetry` fills it
 * with OpenTelemetry metrics and span attributes (the optional peer `@opentelemetry/api`).
 */
import type { ErrorCode, OAuthErrorValue } from './error_codes.js';
import { fail } from './option_checks.js';
import type { AuthMethod, EndpointName } from './types.js';

/**
 * How one `authenticate()` call ended, as telemetry sees it. Only bounded values that say nothing
 * a client could use: never a secret, an assertion, key material, or text the request chose.
 *
 * @example
 * ```ts
 * const outcome: AuthenticationOutcome = {
 *   result: 'failure',
 *   endpoint: 'token',
 *   method: 'client_secret_basic',
 *   code: 'ERR_SECRET_MISMATCH',
 *   error: 'invalid_client',
 *   status: 401,
 * }
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 * @see https://opentelemetry.io/docs/specs/semconv/registry/attributes/error/
 */
export interface AuthenticationOutcome {
  /** `'success'`: the client proved its identity; `'failure'`: anything else (a refusal, a 5xx, a bug). */
  result: 'success' | 'failure';
  /** The endpoint called; absent only when `authenticate()` was given no known endpoint (a `TypeError`). */
  endpoint?: EndpointName;
  /** The client's *registered* method, once the client was found. */
  method?: AuthMethod;
  /**
   * The client_id, only when it names a client the registry returned (every success, and a refusal
   * after the client was found). The client_id a request merely *presents* is text an attacker
   * chooses (or a secret a user typed into the wrong field), so it is never reported here.
   */
  clientId?: string;
  /** The stable code of a refusal ({@link OAuthError} `code`, docs/ERROR-CODES.md). */
  code?: ErrorCode;
  /** The RFC 6749 §5.2 `error` of a refusal. */
  error?: OAuthErrorValue;
  /** The HTTP status of a refusal. */
  status?: number;
  /**
   * A thrown error that is no {@link OAuthError} (a bug, or a `TypeError` for a bad call): its class
   * name (`TypeError`), or `_OTHER` when it has none. Never its message.
   */
  errorType?: string;
}

/**
 * The `telemetry` option of {@link createClientAuthenticator}: `start` is called synchronously at
 * the beginning of every `authenticate()` call, and the function it returns exactly once when the
 * call settles (before `onAuthenticated` / `onFailure`), with its {@link AuthenticationOutcome}. What
 * either throws is ignored. `openTelemetry()` of `@client-auth/core/opentelemetry` is the
 * OpenTelemetry implementation; any other metrics library fits the same two functions.
 *
 * @example
 * ```ts
 * const telemetry: AuthenticationTelemetry = {
 *   start() {
 *     const started = performance.now()
 *     return (outcome) => histogram.observe({ result: outcome.result }, (performance.now() - started) / 1000)
 *   },
 * }
 * createClientAuthenticator({ issuer, getClient, telemetry })
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3
 * @see https://opentelemetry.io/docs/specs/otel/overview/#metric-signal
 */
export interface AuthenticationTelemetry {
  start(endpoint: EndpointName | undefined): (outcome: AuthenticationOutcome) => void;
}

/** Finishes one observation; never throws. */
export type Observation = (outcome: AuthenticationOutcome) => void;

function ignore(): void {}

/** Start observing one call; a failing observer must not change the outcome of authentication. */
export function startObservation(telemetry: AuthenticationTelemetry, endpoint: EndpointName | undefined): Observation {
  let finish: (outcome: AuthenticationOutcome) => void;
  try {
    finish = telemetry.start(endpoint);
  } catch {
    return ignore;
  }
  return (outcome) => {
    try {
      finish(outcome);
    } catch {
      // Ignored as the hooks' exceptions are.
    }
  };
}

/** The class name of a thrown value that is no OAuthError, as OpenTelemetry's `error.type` wants it. */
export function errorTypeOf(thrown: unknown): string {
  const name = (thrown as { constructor?: { name?: unknown } } | null | undefined)?.constructor?.name;
  return thrown instanceof Error && typeof name === 'string' && name !== '' ? name : '_OTHER';
}

/** `telemetry`, checked at setup: absent, or an object with a `start` function. */
export function checkTelemetry(value: unknown): AuthenticationTelemetry | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object' || typeof (value as AuthenticationTelemetry).start !== 'function') {
    fail('telemetry must have a start(endpoint) method (openTelemetry() of @client-auth/core/opentelemetry makes one)');
  }
  return value as AuthenticationTelemetry;
}
