/**
 * What one `authenticate()` call holds beyond its verification: the failure-limiter attempts it
 * reserved (RFC 6749 §2.3.1 brute force), settled once when it ends, what its failure event
 * names, and its telemetry observation, finished once with the outcome. Created per request; the
 * verification context itself is built once and never changed.
 */

import { problemsOf } from './client_id_metadata/problems.js';
import type { AuthenticatedEvent, Config, FailureEvent } from './config.js';
import { isOAuthError, type OAuthError } from './errors.js';
import { limiterKeyOf, reserveAttempt, settleRefused, settleSucceeded } from './limiter.js';
import { withChallenge } from './response.js';
import { type AuthenticationOutcome, errorTypeOf, type Observation, startObservation } from './telemetry.js';
import type { AuthMethod, ClientAuthRequest, ClientAuthResult, EndpointName } from './types.js';

function emit<E>(
  hook: ((event: E, request: ClientAuthRequest) => void) | undefined,
  event: E,
  request: ClientAuthRequest,
): void {
  if (hook === undefined) return;
  try {
    hook(event, request);
  } catch {
    // A failing observer must not change the outcome of authentication.
  }
}

export class Attempt {
  readonly #config: Config;
  readonly #endpoint: EndpointName;
  /** The request as the adapter built it, handed to the hooks beside their event. */
  readonly #request: ClientAuthRequest;
  /** Limiter keys with an attempt reserved by this request (two at most: the unencoded Basic reading). */
  readonly #reserved: string[] = [];
  #clientId: string | undefined;
  #method: AuthMethod | undefined;
  /** The `telemetry` observation of this call, started with it; undefined without `telemetry`. */
  readonly #observation: Observation | undefined;

  constructor(config: Config, endpoint: EndpointName, request: ClientAuthRequest) {
    this.#config = config;
    this.#endpoint = endpoint;
    this.#request = request;
    const telemetry = config.telemetry;
    this.#observation = telemetry === undefined ? undefined : startObservation(telemetry, endpoint);
  }

  /** The client_id and (once bound) the registered method the failure event reports. */
  names(clientId: string, method?: AuthMethod): void {
    this.#clientId = clientId;
    this.#method = method;
  }

  /**
   * Reserve an attempt after the (cheap) lookup and before the (costly) verification, atomically in
   * the limiter, so that concurrent guesses are bounded as sequential ones are. A key that must
   * wait is refused with its credential unchecked. A key this request holds already is not
   * reserved twice.
   */
  reserve(clientId: string, request: ClientAuthRequest, authorizationHeader: boolean): Promise<void> | undefined {
    const limiter = this.#config.failureLimiter;
    if (limiter === undefined) return undefined;
    const key = limiterKeyOf(this.#config.failureLimiterKey, clientId, request);
    if (this.#reserved.includes(key)) return undefined;
    return reserveAttempt(limiter, key, authorizationHeader).then(() => {
      this.#reserved.push(key);
    });
  }

  /** The request authenticated: release its attempts, then tell `onAuthenticated`. */
  succeeded<R extends ClientAuthResult>(result: R): R | Promise<R> {
    const limiter = this.#config.failureLimiter;
    if (limiter !== undefined && this.#reserved.length > 0) {
      return settleSucceeded(limiter, this.#reserved).then(() => this.#announce(result));
    }
    return this.#announce(result);
  }

  #announce<R extends ClientAuthResult>(result: R): R {
    // Optional call: without telemetry the outcome object is not even built.
    this.#observation?.({
      result: 'success',
      endpoint: this.#endpoint,
      method: result.method,
      clientId: result.clientId,
    });
    const hook = this.#config.onAuthenticated;
    if (hook !== undefined) {
      const event: AuthenticatedEvent = { clientId: result.clientId, method: result.method, endpoint: this.#endpoint };
      if (result.audience !== undefined) event.audience = result.audience;
      emit(hook, event, this.#request);
    }
    return result;
  }

  /**
   * The request was refused: settle its attempts and reject with the error to answer, a 401 with
   * its `Basic` challenge (RFC 9110 §15.5.2). Anything but an {@link OAuthError} is a bug that says
   * nothing about the credential: its attempts are released (or a key would keep them in flight
   * for good) and it is thrown as it is. Always rejects.
   */
  async refuse(thrown: unknown, challenge: string): Promise<never> {
    const limiter = this.#config.failureLimiter;
    const holds = limiter !== undefined && this.#reserved.length > 0;
    if (!isOAuthError(thrown)) {
      if (holds) await settleSucceeded(limiter, this.#reserved);
      this.#observation?.(this.#failure({ errorType: errorTypeOf(thrown) }));
      throw thrown;
    }
    let error: OAuthError = holds ? await settleRefused(limiter, this.#reserved, thrown) : thrown;
    error = withChallenge(error, challenge);
    this.#observation?.(this.#failure({ code: error.code, error: error.error, status: error.status }));
    const hook = this.#config.onFailure;
    if (hook !== undefined) {
      const event = {
        code: error.code,
        error: error.error,
        status: error.status,
        endpoint: this.#endpoint,
      } as FailureEvent;
      if (this.#clientId !== undefined) event.clientId = this.#clientId;
      if (this.#method !== undefined) event.method = this.#method;
      const problems = problemsOf(error);
      if (problems !== undefined) event.problems = problems;
      emit(hook, event, this.#request);
    }
    throw error;
  }

  /**
   * The outcome of a refusal. The client_id and method only once the client was found: the
   * client_id a request merely presents is attacker-chosen text (telemetry.ts).
   */
  #failure(fields: Partial<AuthenticationOutcome>): AuthenticationOutcome {
    const outcome: AuthenticationOutcome = { result: 'failure', endpoint: this.#endpoint, ...fields };
    if (this.#method !== undefined && this.#clientId !== undefined) {
      outcome.method = this.#method;
      outcome.clientId = this.#clientId;
    }
    return outcome;
  }
}
