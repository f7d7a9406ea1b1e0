/**
 * Start the Express example authorization server, configured by environment variables only
 * (PORT, ISSUER, CLIENTS_FILE, TLS_PORT/TLS_CERT/TLS_KEY/TLS_CA, CERT_HEADER/TRUSTED_PROXIES; see
 * the README).
 */
import { createServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { banner, createExampleServer, loadConfig, mtlsOrigin } from '@client-auth/example-kit';
import { createApp } from './app.js';

const config = loadConfig();

type Server = HttpServer | HttpsServer;

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => resolve((server.address() as AddressInfo).port));
  });
}

const http = createServer();
const servers: Server[] = [http];
let https: Server | undefined;
if (config.tls !== undefined) {
  // Requests, but does not require, a client certificate; `rejectUnauthorized: false` lets the
  // core decide (an unvalidated certificate is still fine for self_signed_tls_client_auth, and a
  // missing one is an invalid_client answer, not a TLS alert).
  https = createHttpsServer({
    cert: config.tls.cert,
    key: config.tls.key,
    ...(config.tls.ca === undefined ? {} : { ca: config.tls.ca }),
    requestCert: true,
    rejectUnauthorized: false,
  });
  servers.push(https);
}

// Listen first, so that the mTLS endpoint aliases carry the real port (TLS_PORT=0 picks one).
const port = await listen(http, config.port);
const tlsPort = https === undefined || config.tls === undefined ? undefined : await listen(https, config.tls.port);
if (tlsPort !== undefined) config.mtlsOrigin = mtlsOrigin(config.issuer, tlsPort);

const app = createApp(await createExampleServer(config));
for (const server of servers) server.on('request', app);

const urls = [`http://0.0.0.0:${port}`];
if (tlsPort !== undefined) urls.push(`https://0.0.0.0:${tlsPort} (mutual TLS)`);
console.log(banner('express', config, urls.join(', ')));

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    let open = servers.length;
    for (const server of servers) {
      server.close(() => {
        open -= 1;
        if (open === 0) process.exit(0);
      });
      server.closeAllConnections();
    }
  });
}
