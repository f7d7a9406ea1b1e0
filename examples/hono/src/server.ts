/**
 * Start the Hono example authorization server on @hono/node-server, configured by environment
 * variables only (PORT, ISSUER, CLIENTS_FILE; see the README).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { banner, createExampleServer, loadConfig } from '@client-auth/example-kit';
import { getRequestListener } from '@hono/node-server';
import { createApp } from './app.js';

const config = loadConfig();
const server = await createExampleServer(config);
const http = createServer(getRequestListener(createApp(server).fetch));
http.listen(config.port, () => {
  const { port } = http.address() as AddressInfo;
  console.log(banner('hono', config, `http://0.0.0.0:${port}`));
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    http.close(() => process.exit(0));
    http.closeAllConnections();
  });
}
