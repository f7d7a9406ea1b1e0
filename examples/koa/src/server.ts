/**
 * Start the Koa example authorization server, configured by environment variables only
 * (PORT, ISSUER, CLIENTS_FILE, TLS_PORT/TLS_CERT/TLS_KEY/TLS_CA, CERT_HEADER/TRUSTED_PROXIES, …;
 * see the README).
 */
import { runExample } from '@client-auth/example-kit';
import { createApp } from './app.js';

await runExample('koa', (server) => createApp(server).callback());
