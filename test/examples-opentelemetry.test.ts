/**
 * The example servers' OpenTelemetry metrics (issue 15 §4): with `OTEL_EXPORTER_OTLP_ENDPOINT` set,
 * each example exports the authenticator's counter and histogram over OTLP/HTTP to a real loopback
 * receiver, exports what is left when it stops, and a refused request is exactly one increment
 * with its labels. Without the variable nothing is exported.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type RunningExample, startExample, startExampleAtLoopbackIssuer } from './helpers/example-server.js';

/** One POST the receiver got. */
interface Export {
  path: string;
  contentType: string | undefined;
  body: Buffer;
}

/** An OTLP/HTTP receiver (the collector's `otlp` receiver on 4318, reduced to recording). */
class OtlpReceiver {
  readonly received: Export[] = [];
  #server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        this.received.push({
          path: req.url ?? '',
          contentType: req.headers['content-type'],
          body: Buffer.concat(chunks),
        });
        // OTLP/HTTP §Success: 200 with an (empty) response message of the request's encoding.
        const json = req.headers['content-type'] === 'application/json';
        res
          .writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' })
          .end(json ? '{}' : '');
      });
    });
    await new Promise<void>((resolve) => this.#server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server?.closeAllConnections();
      this.#server?.close(() => resolve());
    });
  }
}

interface OtlpValue {
  stringValue?: string;
  intValue?: number | string;
}
interface OtlpPoint {
  attributes?: { key: string; value: OtlpValue }[];
  asInt?: number | string;
  count?: number | string;
}
interface OtlpMetric {
  name: string;
  unit?: string;
  sum?: { dataPoints: OtlpPoint[]; isMonotonic?: boolean };
  histogram?: { dataPoints: OtlpPoint[] };
}
interface OtlpJsonExport {
  resourceMetrics: {
    resource?: { attributes?: { key: string; value: OtlpValue }[] };
    scopeMetrics: { scope?: { name?: string }; metrics: OtlpMetric[] }[];
  }[];
}

function attributesOf(list: { key: string; value: OtlpValue }[] = []): Record<string, string> {
  return Object.fromEntries(list.map(({ key, value }) => [key, String(value.stringValue ?? value.intValue)]));
}

/** Every data point of `name` in one JSON export: its attributes and its value (a count for a histogram). */
function pointsOf(exported: OtlpJsonExport, name: string): [Record<string, string>, number][] {
  return exported.resourceMetrics.flatMap((resource) =>
    resource.scopeMetrics.flatMap((scope) =>
      scope.metrics
        .filter((metric) => metric.name === name)
        .flatMap((metric) =>
          (metric.sum?.dataPoints ?? metric.histogram?.dataPoints ?? []).map(
            (point): [Record<string, string>, number] => [
              attributesOf(point.attributes),
              Number(point.asInt ?? point.count),
            ],
          ),
        ),
    ),
  );
}

const WRONG_BASIC = `Basic ${Buffer.from('s6BhdRkqt3:not-the-secret').toString('base64')}`;

function refuse(server: RunningExample & { issuer: string }): Promise<Response> {
  return fetch(`${server.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: WRONG_BASIC },
    body: 'grant_type=client_credentials',
  });
}

let receiver: OtlpReceiver;
beforeAll(async () => {
  receiver = new OtlpReceiver();
  await receiver.start();
});
afterAll(() => receiver.close());

describe.each(['express', 'koa', 'hono'] as const)('examples/%s: OpenTelemetry over OTLP/HTTP', (name) => {
  it('exports one increment of client_auth.authentications for one refused request, with its labels, when it stops (OTEL_EXPORTER_OTLP_ENDPOINT, http/json)', async () => {
    const before = receiver.received.length;
    // The default interval (60 s): what reaches the receiver is the export on SIGTERM.
    const server = await startExampleAtLoopbackIssuer(name, {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_SERVICE_NAME: '',
      LOG_LEVEL: 'silent',
    });
    let stopped = false;
    try {
      expect((await refuse(server)).status).toBe(401);
      await server.stop();
      stopped = true;
    } finally {
      if (!stopped) await server.stop();
    }
    // The child's exit and the receiver's read of the export's last octets are two events of this
    // process that may come in either order on a loaded machine: wait (bounded) for the read.
    await vi.waitFor(() => expect(receiver.received.length).toBeGreaterThan(before), { timeout: 10_000 });
    const exports = receiver.received.slice(before);
    expect(exports.map((e) => [e.path, e.contentType])).toEqual([['/v1/metrics', 'application/json']]);
    const exported = JSON.parse((exports[0] as Export).body.toString('utf8')) as OtlpJsonExport;
    expect(pointsOf(exported, 'client_auth.authentications')).toEqual([
      [
        {
          'client_auth.result': 'failure',
          'client_auth.endpoint': 'token',
          'client_auth.method': 'client_secret_basic',
          'error.type': 'ERR_SECRET_MISMATCH',
        },
        1,
      ],
    ]);
    expect(pointsOf(exported, 'client_auth.authentication.duration').map(([, count]) => count)).toEqual([1]);
    const resource = attributesOf(exported.resourceMetrics[0]?.resource?.attributes);
    expect(resource['service.name']).toBe(`client-auth-example-${name}`);
    expect(exported.resourceMetrics[0]?.scopeMetrics[0]?.scope?.name).toBe('@client-auth/core');
  });
});

describe('examples: the standard OTEL_* variables', () => {
  it('exports periodically in http/protobuf by default (OTEL_METRIC_EXPORT_INTERVAL; the OTLP default protocol)', async () => {
    const before = receiver.received.length;
    const server = await startExampleAtLoopbackIssuer('express', {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: '',
      OTEL_METRIC_EXPORT_INTERVAL: '100',
      OTEL_SERVICE_NAME: 'as-under-test',
      LOG_LEVEL: 'silent',
    });
    try {
      expect((await refuse(server)).status).toBe(401);
      // While it runs: protobuf carries the names and string values as they are.
      await vi.waitFor(
        () => {
          const texts = receiver.received.slice(before).map((e) => [e.contentType, e.body.toString('latin1')]);
          expect(
            texts.some(
              ([type, body]) =>
                type === 'application/x-protobuf' &&
                body?.includes('client_auth.authentications') &&
                body.includes('ERR_SECRET_MISMATCH') &&
                body.includes('as-under-test'),
            ),
          ).toBe(true);
        },
        { timeout: 20_000, interval: 100 },
      );
    } finally {
      await server.stop();
    }
  });

  it('exports nothing without OTEL_EXPORTER_OTLP_ENDPOINT, and refuses a protocol it cannot speak at start-up (exit 1, no stack trace)', async () => {
    const before = receiver.received.length;
    const quiet = await startExampleAtLoopbackIssuer('express', {
      OTEL_EXPORTER_OTLP_ENDPOINT: '',
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: '',
      OTEL_METRIC_EXPORT_INTERVAL: '100',
      LOG_LEVEL: 'silent',
    });
    expect((await refuse(quiet)).status).toBe(401);
    await quiet.stop();
    expect(receiver.received.length).toBe(before);

    const refused = await startExample('koa', {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
    }).then(
      () => 'started',
      (error: Error) => error.message,
    );
    expect(refused).toMatch(/exited with 1/);
    expect(refused).toMatch(/configuration: OTEL_EXPORTER_OTLP_PROTOCOL must be http\/protobuf or http\/json/);
    expect(refused).not.toMatch(/\n\s+at /);
  });
});
