/**
 * Start the MCP server and its authorization server on @hono/node-server. Environment: `PORT`
 * (default 3000), `ISSUER` (default `http://localhost:<PORT>`), `JWKS_URI_ALLOW` (hosts or CIDRs
 * that document and key fetches may reach despite the SSRF guard, comma list) and, to trust a
 * private CA for those fetches, Node's own `NODE_EXTRA_CA_CERTS`.
 */
import { serve } from '@hono/node-server';
import { createMcpAuthorizationServer } from './authorization-server.js';

const port = Number(process.env.PORT || 3000);
const issuer = (process.env.ISSUER || `http://localhost:${port}`).replace(/\/$/, '');
const allow = (process.env.JWKS_URI_ALLOW ?? '')
  .split(',')
  .map((entry) => entry.trim())
  .filter((entry) => entry !== '');

const app = createMcpAuthorizationServer({ issuer, allow });
const server = serve({ fetch: app.fetch, port }, () => {
  console.log(`MCP authorization server listening on ${issuer} (client ID metadata documents on)`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
