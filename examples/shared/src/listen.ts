/**
 * Start an example server: the plain HTTP listener (PORT), and the HTTPS listener for mutual TLS
 * when TLS_PORT is set, then the app on both. Shared by the Express, Koa and Hono examples, which
 * only say how to turn the example server into a Node request listener.
 */
import { createServer, type Server as HttpServer, type RequestListener } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { banner } from './banner.js';
import { type ExampleConfig, loadConfig, mtlsOrigin } from './config.js';
import { createExampleServer, type ExampleServer } from './endpoints.js';
import { startTelemetry } from './telemetry.js';

type Server = HttpServer | HttpsServer;

/**
 * Timeouts of both listeners, set deliberately rather than left to Node's defaults (5 minutes for
 * a whole request, checked every 30 s): a client that sends slowly must not hold a socket for
 * long. The adapters answer a body that takes over 10 s (their `bodyTimeout`) with a clean 408
 * `invalid_request`; these are the backstop for everything else.
 */
export const SERVER_TIMEOUTS = {
  /** The request line and headers must arrive within 10 s (slow-header clients, "slowloris"). */
  headersTimeout: 10_000,
  /** The whole request within 30 s: past the adapters' 10-s body deadline, for any other route. */
  requestTimeout: 30_000,
  /** An idle kept-alive connection is closed after 5 s (Node's default, made explicit). */
  keepAliveTimeout: 5_000,
  /** How often Node checks the two timeouts above (default 30 s, which would stretch them). */
  connectionsCheckingInterval: 1_000,
} as const;

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => resolve((server.address() as AddressInfo).port));
  });
}

/**
 * Listen, build the example server for the ports actually bound (TLS_PORT=0 picks one; the
 * mTLS endpoint aliases carry it), attach `listener(server)` to every listener, print the banner
 * and stop cleanly on SIGINT/SIGTERM.
 */
/**
 * Load the configuration from the environment and serve; a configuration error (a bad variable,
 * a CLIENTS_FILE client the profile refuses, an option the core refuses at setup) prints its
 * message, every problem listed, and exits 1 without a stack trace. Anything else is a bug and
 * keeps its stack.
 */
export async function runExample(
  framework: string,
  listener: (server: ExampleServer) => RequestListener,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  try {
    await serveExample(framework, loadConfig(env), listener);
  } catch (error) {
    if (!(error instanceof Error) || !/^(configuration|client-auth): /.test(error.message)) throw error;
    console.error(`examples/${framework}: ${error.message}`);
    process.exit(1);
  }
}

export async function serveExample(
  framework: string,
  config: ExampleConfig,
  listener: (server: ExampleServer) => RequestListener,
): Promise<void> {
  // OTEL_EXPORTER_OTLP_ENDPOINT: OpenTelemetry metrics of client authentication (telemetry.ts).
  const telemetry = startTelemetry(framework);
  const servers: Server[] = [createServer(SERVER_TIMEOUTS)];
  if (config.tls !== undefined) {
    // Requests, but does not require, a client certificate; `rejectUnauthorized: false` lets the
    // core decide (a self-signed certificate is fine for self_signed_tls_client_auth, and a
    // missing one is an invalid_client answer, not a TLS alert). TLS_CA sets `socket.authorized`.
    servers.push(
      createHttpsServer({
        ...SERVER_TIMEOUTS,
        cert: config.tls.cert,
        key: config.tls.key,
        ...(config.tls.ca === undefined ? {} : { ca: config.tls.ca }),
        requestCert: true,
        rejectUnauthorized: false,
      }),
    );
  }
  const [http, https] = servers as [Server, Server | undefined];
  const port = await listen(http, config.port);
  const urls = [`http://0.0.0.0:${port}`];
  if (https !== undefined && config.tls !== undefined) {
    const tlsPort = await listen(https, config.tls.port);
    config.mtlsOrigin = mtlsOrigin(config.issuer, tlsPort);
    urls.push(`https://0.0.0.0:${tlsPort} (mutual TLS)`);
  }
  const handle = listener(await createExampleServer(config, telemetry?.telemetry));
  for (const server of servers) server.on('request', handle);
  console.log(banner(framework, config, urls.join(', ')));

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      let open = servers.length;
      for (const server of servers) {
        server.close(() => {
          open -= 1;
          // The last metrics are exported before the process goes (a failed export does not hold it).
          if (open === 0) void (telemetry?.shutdown() ?? Promise.resolve()).catch(() => {}).then(() => process.exit(0));
        });
        server.closeAllConnections();
      }
    });
  }
}
