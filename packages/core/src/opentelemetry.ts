/**
 * `@client-auth/core/opentelemetry`: the OpenTelemetry implementation of the `telemetry` option,
 * on `@opentelemetry/api` alone (an optional peer dependency: only this subpath imports it). As an
 * OpenTelemetry-native library does, it takes its meter from the provider the application's SDK
 * registered (or one passed in) under the package's own instrumentation scope, and reads the active
 * span from the context; it starts no span and no SDK of its own.
 *
 * Names follow the semantic-convention rules (docs/general/naming.md, docs/general/metrics.md):
 * lowercase, dot-namespaced under `client_auth`, snake_case words; a counter named in the plural
 * with a `{authentication}` unit and no `_total`; an operation's histogram `….duration` in `s`;
 * `error.type` (the stable registry attribute) set only when the call did not succeed. The
 * attributes of the metrics are all bounded (an endpoint name, an IANA method name, two results,
 * the codes of docs/ERROR-CODES.md), so that no request can add a time series.
 */
import { type Attributes, type MeterProvider, metrics, trace, ValueType } from '@opentelemetry/api';
import { fail } from './option_checks.js';
import { checkOptionNames, optionNames } from './option_names.js';
import type { AuthenticationOutcome, AuthenticationTelemetry } from './telemetry.js';

/** The instrumentation scope: the package that emits the telemetry, and its version. */
export const INSTRUMENTATION_SCOPE = { name: '@client-auth/core', version: '0.1.0' } as const;

/** Counter (`{authentication}`): one per `authenticate()` call, on every path. */
export const METRIC_AUTHENTICATIONS = 'client_auth.authentications';
/** Histogram (`s`): how long each `authenticate()` call took, from its start until its outcome was settled. */
export const METRIC_AUTHENTICATION_DURATION = 'client_auth.authentication.duration';

/** `success` or `failure` (the values of semconv's `aspnetcore.authentication.result`). */
export const ATTR_RESULT = 'client_auth.result';
/** The endpoint called: `token`, `introspection`, … (`EndpointName`). */
export const ATTR_ENDPOINT = 'client_auth.endpoint';
/** The client's registered `token_endpoint_auth_method`, once the client was found. */
export const ATTR_METHOD = 'client_auth.method';
/** Span only: the client_id of a client the registry returned (never one a request merely presented). */
export const ATTR_CLIENT_ID = 'client_auth.client_id';
/**
 * Metrics only, semconv `error.type`: the stable `code` of a refusal (`ERR_SECRET_MISMATCH`), or the
 * class of a thrown error (`TypeError`).
 */
export const ATTR_ERROR_TYPE = 'error.type';
/**
 * Span only: the stable `code` of a refusal. Not `error.type` there: the span is the application's
 * HTTP server span, whose `error.type` semconv reserves for the HTTP outcome (not set for a 4xx).
 */
export const ATTR_CODE = 'client_auth.code';

/**
 * From 100 µs (a plain secret) through a hash check (~50–100 ms for scrypt), a `jwks_uri` fetch and
 * a full hash budget queue (seconds): the default boundaries (from 5 ms up) would put every secret
 * and signature check in the first bucket.
 */
const DURATION_BOUNDARIES = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** Options of {@link openTelemetry}. */
export interface OpenTelemetryOptions {
  /** Where the meter comes from. Default: the global provider (`metrics.getMeterProvider()`), which the SDK registers. */
  meterProvider?: MeterProvider;
  /** Set the outcome's attributes on the span active when `authenticate()` is called. Default true. */
  spanAttributes?: boolean;
}

function commonAttributes(outcome: AuthenticationOutcome): Attributes {
  const attributes: Attributes = { [ATTR_RESULT]: outcome.result };
  if (outcome.endpoint !== undefined) attributes[ATTR_ENDPOINT] = outcome.endpoint;
  if (outcome.method !== undefined) attributes[ATTR_METHOD] = outcome.method;
  return attributes;
}

function metricAttributes(outcome: AuthenticationOutcome): Attributes {
  const attributes = commonAttributes(outcome);
  // Semconv: error.type "SHOULD NOT" be set when the operation succeeded.
  const errorType = outcome.code ?? outcome.errorType;
  if (errorType !== undefined) attributes[ATTR_ERROR_TYPE] = errorType;
  return attributes;
}

function spanAttributesOf(outcome: AuthenticationOutcome): Attributes {
  const attributes = commonAttributes(outcome);
  if (outcome.code !== undefined) attributes[ATTR_CODE] = outcome.code;
  if (outcome.clientId !== undefined) attributes[ATTR_CLIENT_ID] = outcome.clientId;
  return attributes;
}

function checkOptions(options: unknown): OpenTelemetryOptions {
  if (options === null || typeof options !== 'object') fail('openTelemetry() options must be an object');
  checkOptionNames(
    options,
    optionNames<OpenTelemetryOptions>({ meterProvider: true, spanAttributes: true }),
    'openTelemetry()',
  );
  const { meterProvider, spanAttributes } = options as Record<string, unknown>;
  if (meterProvider !== undefined && typeof (meterProvider as MeterProvider | null)?.getMeter !== 'function') {
    fail('openTelemetry(): meterProvider must have a getMeter(name, version) method');
  }
  if (spanAttributes !== undefined && typeof spanAttributes !== 'boolean') {
    fail('openTelemetry(): spanAttributes must be a boolean');
  }
  return options as OpenTelemetryOptions;
}

/**
 * The `telemetry` option that reports every `authenticate()` call to OpenTelemetry: the counter
 * {@link METRIC_AUTHENTICATIONS} and the histogram {@link METRIC_AUTHENTICATION_DURATION}, both
 * with {@link ATTR_RESULT}, {@link ATTR_ENDPOINT}, {@link ATTR_METHOD} (once the client was found)
 * and {@link ATTR_ERROR_TYPE} (on failure); and on the active span (an HTTP server span of the
 * application's instrumentation) the result, endpoint and method, {@link ATTR_CODE} of a refusal and
 * {@link ATTR_CLIENT_ID} of a client the registry returned. Start the SDK first: a meter taken before a provider is registered stays a no-op.
 *
 * @example
 * ```ts
 * import { createClientAuthenticator } from '@client-auth/core'
 * import { openTelemetry } from '@client-auth/core/opentelemetry'
 *
 * const auth = createClientAuthenticator({ issuer, getClient, telemetry: openTelemetry() })
 * ```
 * @see https://opentelemetry.io/docs/specs/otel/metrics/api/#get-a-meter
 * @see https://opentelemetry.io/docs/specs/semconv/general/naming/
 */
export function openTelemetry(options: OpenTelemetryOptions = {}): AuthenticationTelemetry {
  const { meterProvider, spanAttributes = true } = checkOptions(options);
  const meter = (meterProvider ?? metrics.getMeterProvider()).getMeter(
    INSTRUMENTATION_SCOPE.name,
    INSTRUMENTATION_SCOPE.version,
  );
  const authentications = meter.createCounter(METRIC_AUTHENTICATIONS, {
    description: 'OAuth 2.0 client authentications (authenticate() calls), by result, endpoint, method and error.type',
    unit: '{authentication}',
    valueType: ValueType.INT,
  });
  const duration = meter.createHistogram(METRIC_AUTHENTICATION_DURATION, {
    description: 'Duration of OAuth 2.0 client authentication (authenticate() calls)',
    unit: 's',
    advice: { explicitBucketBoundaries: DURATION_BOUNDARIES },
  });
  return Object.freeze({
    start(): (outcome: AuthenticationOutcome) => void {
      // Taken now, where the caller's context is active; the outcome may settle in another one.
      const span = spanAttributes ? trace.getActiveSpan() : undefined;
      const started = performance.now();
      return (outcome) => {
        const seconds = (performance.now() - started) / 1000;
        const attributes = metricAttributes(outcome);
        authentications.add(1, attributes);
        duration.record(seconds, attributes);
        if (span?.isRecording()) span.setAttributes(spanAttributesOf(outcome));
      };
    },
  });
}
