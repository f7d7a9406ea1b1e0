/**
 * What every framework adapter checks at creation, in one place: the authenticator, the
 * endpoint, the name the result is stored under, the error mode, the body cap and deadline. Adapters stay a
 * translation layer (STYLE.md habit 2); this is the part they would otherwise each write.
 */
import { DEFAULT_BODY_LIMIT, DEFAULT_BODY_TIMEOUT } from './form.js';
import { fail, positiveInteger } from './option_checks.js';
import { ENDPOINT_NAMES, type EndpointName } from './types.js';

/** The options every adapter takes, before normalisation. */
export interface AdapterOptionsInput<ErrorMode extends string> {
  endpoint: EndpointName;
  errors?: ErrorMode;
  bodyLimit?: number;
  bodyTimeout?: number;
}

/** Normalised adapter options. */
export interface AdapterOptions<ErrorMode extends string> {
  endpoint: EndpointName;
  /** Where the result goes (`req.client`, `ctx.state.client`, `c.get('client')`). */
  name: string;
  errors: ErrorMode | 'respond';
  bodyLimit: number;
  /** Milliseconds the adapter waits for the whole body it reads itself (408 after). */
  bodyTimeout: number;
}

/**
 * Check an adapter's options once, at setup, and fill in the defaults. Throws `TypeError`.
 *
 * @param nameOption - the option that names the result (`property`, `variable`) and its value
 * @param errorModes - the error modes besides `'respond'` the framework offers (`'next'`, `'throw'`)
 */
export function normalizeAdapterOptions<ErrorMode extends string>(
  authenticator: { authenticate?: unknown } | undefined,
  options: AdapterOptionsInput<ErrorMode> | undefined,
  nameOption: [label: string, value: unknown],
  errorModes: readonly ErrorMode[],
): AdapterOptions<ErrorMode> {
  if (authenticator === null || typeof authenticator !== 'object' || typeof authenticator.authenticate !== 'function') {
    fail('clientAuthentication() needs an authenticator from createClientAuthenticator()');
  }
  if (options === null || typeof options !== 'object' || !ENDPOINT_NAMES.includes(options.endpoint)) {
    fail(`options.endpoint must be one of ${ENDPOINT_NAMES.join(', ')}`);
  }
  const [label, value] = nameOption;
  const name = value ?? 'client';
  if (typeof name !== 'string' || name.length === 0) fail(`options.${label} must be a non-empty string`);
  const errors = options.errors ?? 'respond';
  if (errors !== 'respond' && !errorModes.includes(errors)) {
    fail(`options.errors must be 'respond' or ${errorModes.map((mode) => `'${mode}'`).join(' or ')}`);
  }
  const bodyLimit = positiveInteger(options.bodyLimit ?? DEFAULT_BODY_LIMIT, 'options.bodyLimit');
  const bodyTimeout = options.bodyTimeout ?? DEFAULT_BODY_TIMEOUT;
  // setTimeout's largest delay is 2^31 − 1 ms; beyond it Node fires at once.
  if (!Number.isSafeInteger(bodyTimeout) || bodyTimeout <= 0 || bodyTimeout > 2_147_483_647) {
    fail('options.bodyTimeout must be a positive integer of milliseconds');
  }
  return { endpoint: options.endpoint, name, errors, bodyLimit, bodyTimeout };
}
