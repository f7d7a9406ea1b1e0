/**
 * The MCP walkthrough runs as a user runs it (`pnpm --dir examples/mcp start`): a server that knows
 * no client authenticates an MCP client by the https URL of its Client ID Metadata Document, with
 * private_key_jwt against the jwks_uri the document names, over real TLS on loopback with a CA
 * made for the run (draft-ietf-oauth-client-id-metadata-document-02 §4, §5.2, §8.2).
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { run } from '../../../test/helpers/example-server.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

describe('examples/mcp: an MCP client with a URL client_id (CIMD §8.2)', () => {
  it('discovers the server, gets a token with private_key_jwt from its published jwks_uri, calls a tool as its URL; one fetch of each document serves both rounds (CIMD §5.2)', async () => {
    const { code, stdout, stderr } = await run(`${ROOT}node_modules/.bin/tsx`, [
      '--conditions=source',
      `${ROOT}examples/mcp/src/walkthrough.ts`,
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const clientId = /publishes (https:\/\/localhost:\d+\/oauth\/client-metadata\.json)/.exec(stdout)?.[1];
    expect(clientId).toBeDefined();
    expect(stdout).toContain('supports client ID metadata documents');
    expect(stdout.match(new RegExp(`tools/call whoami: ${clientId?.replaceAll('.', '\\.')}`, 'g'))).toHaveLength(2);
    expect(stdout).toContain('/oauth/client-metadata.json ×1, /oauth/jwks.json ×1');
    expect(stdout).toContain('ok: the MCP client authenticated with private_key_jwt');
  }, 60_000);
});
