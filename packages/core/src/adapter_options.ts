/**
 * What every framework adapter checks at creation, in one place: the authenticator, the option
 * names, the endpoint, the name the result is stored under, the error mode, the body cap and
 * deadline. Adapters stay a translation layer (STYLE.md habit 2); this is the part they would
 * otherwise each write.
 */
import { BodyDeadline } from './body_deadline.js';
import { DEFAULT_BODY_LIMIT, DEFAULT_BODY_TIMEOUT } from './form.js';
import { fail, positiveInteger } from './option_checks.js';
import { checkOptionNames, optionNames } from './option_names.js';
import { ENDPOINT_NAMES, type EndpointName } from './types.js';

/**
 * What an adapter does with a refused authentication: `'respond'` answers the RFC 6749 §5.2 JSON
 * response itself; `'throw'` hands the error to the framework's error handling, the way an error
 * thrown by the middleware would reach it (Express: `next(err)`, which is where Express routes a
 * thrown or rejected error too; Koa: a rejection of the middleware's promise; Hono: an
 * `HTTPException` for `app.onError`). One name in every adapter, so that the option reads the same.
 */
export type AdapterErrorMode = 'respond' | 'throw';

/** The options every adapter takes, before normalisation. */
export interface AdapterOptionsInput {
  endpoint: EndpointName;
  errors?: AdapterErrorMode;
  bodyLimit?: number;
  bodyTimeout?: number;
}

/** Normalised adapter options. */
export interface AdapterOptions {
  endpoint: EndpointName;
  /** Where the result goes (`req.client`, `ctx.state.client`, `c.get('client')`). */
  name: string;
  errors: AdapterErrorMode;
  bodyLimit: number;
  /** Milliseconds the adapter waits for the whole body it reads itself (408 after). */
  bodyTimeout: number;
  /**
   * That deadline as one timer for every read of this adapter (pass it as the body timeout of
   * `fromNodeRequest`, `readBody`, `readWebBody`, `withBodyDeadline`).
   */
  bodyDeadline: BodyDeadline;
}

/** The names of {@link AdapterOptionsInput}: the options every adapter shares. */
const SHARED_OPTION_NAMES = optionNames<AdapterOptionsInput>({
  endpoint: true,
  errors: true,
  bodyLimit: true,
  bodyTimeout: true,
});

/**
 * Check an adapter's options once, at setup, and fill in the defaults. Throws `TypeError`, also
 * for an option name the adapter does not know (a misspelled `propery` would otherwise be ignored).
 *
 * @param nameOption - the option that names the result (`property`, `variable`) and its value
 * @param otherOptions - the names of the adapter's own further options (`getCertificate`)
 */
export function normalizeAdapterOptions(
  authenticator: { authenticate?: unknown } | undefined,
  options: AdapterOptionsInput | undefined,
  nameOption: [label: string, value: unknown],
  otherOptions: readonly string[] = [],
): AdapterOptions {
  if (authenticator === null || typeof authenticator !== 'object' || typeof authenticator.authenticate !== 'function') {
    fail('clientAuthentication() needs an authenticator from createClientAuthenticator()');
  }
  if (options === null || typeof options !== 'object') fail('clientAuthentication() needs an options object');
  const [label, value] = nameOption;
  checkOptionNames(options, [...SHARED_OPTION_NAMES, label, ...otherOptions], 'clientAuthentication()');
  if (!ENDPOINT_NAMES.includes(options.endpoint)) fail(`options.endpoint must be one of ${ENDPOINT_NAMES.join(', ')}`);
  const name = value ?? 'client';
  if (typeof name !== 'string' || name.length === 0) fail(`options.${label} must be a non-empty string`);
  const errors = options.errors ?? 'respond';
  if (errors !== 'respond' && errors !== 'throw') fail(`options.errors must be 'respond' or 'throw'`);
  const bodyLimit = positiveInteger(options.bodyLimit ?? DEFAULT_BODY_LIMIT, 'options.bodyLimit');
  const bodyTimeout = options.bodyTimeout ?? DEFAULT_BODY_TIMEOUT;
  // setTimeout's largest delay is 2^31 − 1 ms; beyond it Node fires at once.
  if (!Number.isSafeInteger(bodyTimeout) || bodyTimeout <= 0 || bodyTimeout > 2_147_483_647) {
    fail('options.bodyTimeout must be a positive integer of milliseconds');
  }
  return {
    endpoint: options.endpoint,
    name,
    errors,
    bodyLimit,
    bodyTimeout,
    bodyDeadline: new BodyDeadline(bodyTimeout),
  };
}
