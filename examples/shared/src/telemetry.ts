/**
 * OpenTelemetry metrics of the example servers, on when `OTEL_EXPORTER_OTLP_ENDPOINT` (or
 * `OTEL_EXPORTER_OTLP_METRICS_ENDPOINT`) is set: the authenticator's `openTelemetry()` counter and
 * histogram (`@client-auth/core/opentelemetry`), exported over OTLP/HTTP by the SDK's periodic
 * reader, and flushed when the server stops. The standard variables keep their standard meaning
 * (the OpenTelemetry SDK environment variable specification):
 *
 * - `OTEL_EXPORTER_OTLP_ENDPOINT` (`/v1/metrics` appended), `OTEL_EXPORTER_OTLP_METRICS_ENDPOINT`
 *   (as is), `…_HEADERS`, `…_TIMEOUT`, `…_COMPRESSION`: read by the exporter itself;
 * - `OTEL_EXPORTER_OTLP_PROTOCOL` / `OTEL_EXPORTER_OTLP_METRICS_PROTOCOL`: `http/protobuf` (the
 *   specification's default) or `http/json`; `grpc` is not offered here (a configuration error);
 * - `OTEL_METRIC_EXPORT_INTERVAL` (ms, default 60000), `OTEL_METRIC_EXPORT_TIMEOUT` (ms, default 30000);
 * - `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES` (default name `client-auth-example-<framework>`);
 * - `OTEL_SDK_DISABLED=true` turns it all off.
 *
 * Metrics only: the span attributes need an active span, which an HTTP server instrumentation
 * (`@opentelemetry/sdk-node` with `@opentelemetry/instrumentation-http`) would start; the examples
 * keep to the lean metrics SDK.
 */
import type { AuthenticationTelemetry } from '@client-auth/core';
import { openTelemetry } from '@client-auth/core/opentelemetry';
import { OTLPMetricExporter as JsonExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtobufExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';

/** What a running example holds of OpenTelemetry. */
export interface ExampleTelemetry {
  /** The authenticator's `telemetry` option. */
  telemetry: AuthenticationTelemetry;
  /** Export what was recorded since the last export, then stop (on SIGINT/SIGTERM). */
  shutdown(): Promise<void>;
}

function fail(message: string): never {
  // The prefix runExample() prints without a stack trace.
  throw new Error(`configuration: ${message}`);
}

/** A duration in milliseconds from the environment: a positive integer, or `fallback` when unset. */
function milliseconds(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  if (!/^[1-9][0-9]{0,8}$/.test(value)) fail(`${name} must be a positive number of milliseconds, got ${value}`);
  return Number(value);
}

function exporterFor(env: NodeJS.ProcessEnv): JsonExporter | ProtobufExporter {
  const variable = env.OTEL_EXPORTER_OTLP_METRICS_PROTOCOL
    ? 'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL'
    : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const protocol = env[variable] || 'http/protobuf';
  if (protocol === 'http/protobuf') return new ProtobufExporter();
  if (protocol === 'http/json') return new JsonExporter();
  return fail(`${variable} must be http/protobuf or http/json in the examples, got ${protocol}`);
}

/**
 * Start the metrics SDK when an OTLP endpoint is configured; `undefined` (and nothing started)
 * otherwise. Its meter provider is handed to `openTelemetry()` rather than registered globally:
 * the example's authenticator is its only user.
 */
export function startTelemetry(framework: string): ExampleTelemetry | undefined {
  // process.env, as the exporter and the resource detector read it.
  const env = process.env;
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT && !env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT) return undefined;
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return undefined;
  const exportIntervalMillis = milliseconds(env, 'OTEL_METRIC_EXPORT_INTERVAL', 60_000);
  // The reader refuses a timeout longer than the interval.
  const exportTimeoutMillis = Math.min(milliseconds(env, 'OTEL_METRIC_EXPORT_TIMEOUT', 30_000), exportIntervalMillis);
  const meterProvider = new MeterProvider({
    resource: defaultResource()
      .merge(resourceFromAttributes({ 'service.name': `client-auth-example-${framework}` }))
      .merge(detectResources({ detectors: [envDetector] })),
    readers: [
      new PeriodicExportingMetricReader({ exporter: exporterFor(env), exportIntervalMillis, exportTimeoutMillis }),
    ],
  });
  return {
    telemetry: openTelemetry({ meterProvider }),
    shutdown: () => meterProvider.shutdown(),
  };
}
