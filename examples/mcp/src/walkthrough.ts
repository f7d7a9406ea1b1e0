/**
 * `pnpm --dir examples/mcp start`: the whole MCP flow on this machine, one step per line.
 *
 * 1. A CA and a `localhost` certificate are made for this run (certificate.ts).
 * 2. The MCP client publishes its Client ID Metadata Document and its JWK Set over https (client.ts).
 * 3. The MCP server and its authorization server start as a child process (server.ts), knowing no
 *    client, trusting the run's CA through `NODE_EXTRA_CA_CERTS` and letting its SSRF guard reach
 *    `localhost` through `JWKS_URI_ALLOW` (a real deployment fetches public hosts and needs neither).
 * 4. The client discovers the server, gets a token with `private_key_jwt` and calls a tool, twice:
 *    the server fetched the document and the keys once (their `Cache-Control: max-age`).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { localhostPki } from './certificate.js';
import { connect, publishClient } from './client.js';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}

/** Start server.ts with `env`; resolves once it says it listens. */
function startServer(env: Record<string, string>): Promise<ChildProcess> {
  const entry = fileURLToPath(new URL('./server.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', entry], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      process.stdout.write(`  [server] ${chunk}`);
      if (chunk.toString().includes('listening')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`the server exited with ${code}`)));
  });
}

const { ca, server } = localhostPki();
const dir = mkdtempSync(join(tmpdir(), 'client-auth-mcp-'));
const caFile = join(dir, 'ca.crt');
writeFileSync(caFile, ca.cert);
console.log(`1. made a CA for this run (${caFile}) and a localhost certificate`);

const client = await publishClient(server);
console.log(`2. the MCP client publishes ${client.clientId}:\n${JSON.stringify(client.document, null, 2)}`);

const port = await freePort();
const issuer = `http://localhost:${port}`;
const child = await startServer({
  PORT: String(port),
  ISSUER: issuer,
  JWKS_URI_ALLOW: 'localhost',
  NODE_EXTRA_CA_CERTS: caFile,
});
console.log(`3. the MCP server ${issuer}/mcp knows no client`);

let failed = false;
try {
  for (const round of [1, 2]) {
    console.log(`4.${round} connecting`);
    const whoami = await connect(`${issuer}/mcp`, client, (message) => console.log(`    ${message}`));
    if (whoami !== client.clientId) throw new Error(`whoami answered ${whoami}`);
  }
  const fetched = [...client.fetches].map(([path, count]) => `${path} ×${count}`).join(', ');
  console.log(`5. the server fetched from the client's host: ${fetched}`);
  console.log('ok: the MCP client authenticated with private_key_jwt against the jwks_uri of its document');
} catch (error) {
  failed = true;
  console.error(`walkthrough failed: ${(error as Error).message}`);
} finally {
  child.kill('SIGTERM');
  await client.close();
}
process.exit(failed ? 1 : 0);
