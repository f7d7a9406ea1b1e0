/**
 * Start the Hono example authorization server on @hono/node-server, configured by environment
 * variables only (PORT, ISSUER, CLIENTS_FILE, TLS_PORT/TLS_CERT/TLS_KEY/TLS_CA,
 * CERT_HEADER/TRUSTED_PROXIES, …; see the README).
 */
import { runExample } from '@client-auth/example-kit';
import { getRequestListener } from '@hono/node-server';
import { createApp } from './app.js';

await runExample('hono', (server) => getRequestListener(createApp(server).fetch));
