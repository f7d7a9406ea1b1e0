/**
 * The real OpenTelemetry SDK, in memory: a MeterProvider whose reader collects on demand, a
 * BasicTracerProvider exporting ended spans to an InMemorySpanExporter, and the AsyncLocalStorage
 * context manager, so that a span started with `startActiveSpan` is the active span inside
 * `authenticate()` as an HTTP server instrumentation's would be.
 */
import { type Attributes, context, type Span } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  type DataPoint,
  type Histogram,
  MeterProvider,
  type MetricData,
  MetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';

/** A pull reader: `collect()` (public MetricReader API) reads the provider's instruments on demand. */
class CollectingReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

export interface TelemetryHarness {
  meterProvider: MeterProvider;
  /** Every metric the provider holds now (cumulative since it was created). */
  metrics(): Promise<MetricData[]>;
  /** The data points of one metric, by name (none when it was never recorded). */
  points<T = number>(name: string): Promise<DataPoint<T>[]>;
  /** The sum of a counter over every attribute set, or the number of histogram records. */
  total(name: string): Promise<number>;
  /** Run `work` inside an active span named `name` (ended afterwards, even when `work` rejects). */
  inSpan<T>(name: string, work: () => Promise<T>): Promise<T>;
  /** The ended spans so far. */
  spans(): ReadableSpan[];
  shutdown(): Promise<void>;
}

/** Install the AsyncLocalStorage context manager globally (what the Node SDK does); returns its undo. */
export function useAsyncContext(): () => void {
  const manager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(manager);
  return () => {
    context.disable();
    manager.disable();
  };
}

export function telemetryHarness(): TelemetryHarness {
  const reader = new CollectingReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const spanExporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spanExporter)] });
  const tracer = tracerProvider.getTracer('client-auth-tests');

  async function metrics(): Promise<MetricData[]> {
    const { resourceMetrics, errors } = await reader.collect();
    if (errors.length > 0) throw new AggregateError(errors, 'metric collection failed');
    return resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics);
  }

  async function points<T>(name: string): Promise<DataPoint<T>[]> {
    const metric = (await metrics()).find((candidate) => candidate.descriptor.name === name);
    return (metric?.dataPoints ?? []) as DataPoint<T>[];
  }

  return {
    meterProvider,
    metrics,
    points,
    async total(name) {
      let sum = 0;
      for (const point of await points<number | Histogram>(name)) {
        sum += typeof point.value === 'number' ? point.value : point.value.count;
      }
      return sum;
    },
    inSpan(name, work) {
      return tracer.startActiveSpan(name, async (span: Span) => {
        try {
          return await work();
        } finally {
          span.end();
        }
      });
    },
    spans: () => spanExporter.getFinishedSpans(),
    async shutdown() {
      await meterProvider.shutdown();
      await tracerProvider.shutdown();
    },
  };
}

/** Every attribute key and value of every data point and span, as text (for leak searches). */
export async function exportedTexts(harness: TelemetryHarness): Promise<string[]> {
  const texts: string[] = [];
  const add = (attributes: Attributes) => texts.push(JSON.stringify(attributes));
  for (const metric of await harness.metrics()) {
    texts.push(metric.descriptor.name, metric.descriptor.description);
    for (const point of metric.dataPoints as DataPoint<unknown>[]) add(point.attributes);
  }
  for (const span of harness.spans()) {
    texts.push(span.name);
    add(span.attributes);
    for (const event of span.events) add(event.attributes ?? {});
  }
  return texts;
}
