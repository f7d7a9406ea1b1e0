/**
 * `pnpm demo`: start the three example authorization servers (Express, Koa, Hono) with their
 * built-in demo clients, get a client_credentials token from each with every client
 * authentication method (a pushed authorization request for the public client, which may not use
 * that grant: RFC 6749 §4.4) through openid-client (a real, independent OAuth client), print a table
 * framework × method with the outcome and latency, and stop them. Exits non-zero if any cell fails.
 *
 * Adding a method: add a row to METHODS in scripts/demo-methods.ts (and its demo client to
 * examples/shared/src/clients.ts).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { demoCertificate } from '@client-auth/example-kit';
import { createRemoteJWKSet, customFetch as joseFetch, jwtVerify } from 'jose';
import * as oauth from 'oauth4webapi';
import * as client from 'openid-client';
import { Agent, fetch as undiciFetch } from 'undici';
import { demoCertFiles, demoKeyFile, METHODS, type MethodRow } from './demo-methods.js';
import { createDevPki, type DevPki } from './dev-pki.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FRAMEWORKS = ['express', 'koa', 'hono'] as const;
type Framework = (typeof FRAMEWORKS)[number];

// ── HTTPS switch ───────────────────────────────────────────────────────────────────────────────
// The examples get an HTTPS listener from TLS_PORT / TLS_CERT / TLS_KEY / TLS_CA (DESIGN.md §5):
// the issuer is https://localhost:<TLS_PORT> and every request goes through an undici Agent that
// trusts the demo CA (and presents a client certificate for the mTLS rows). DEMO_HTTPS=0 runs
// over plain HTTP on localhost instead (the certificate methods then fail).
const HTTPS = process.env.DEMO_HTTPS !== '0';

/** Number of timed token requests per cell (after one warm-up); the median is reported. */
const ROUNDS = 5;

/** An ES256 private JWK for the private_key_jwt demo client, written before the examples start. */
function writeDemoKey(file: string): void {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'pnpm-demo', alg: 'ES256' };
  writeFileSync(file, JSON.stringify(jwk), { mode: 0o600 });
}

// ── Starting and stopping the examples ─────────────────────────────────────────────────────────

interface Running {
  framework: Framework;
  issuer: string;
  child: ChildProcess;
  output: string;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function start(framework: Framework, pki: DevPki): Promise<Running> {
  const port = await freePort();
  const env: Record<string, string> = {
    PORT: String(port),
    ISSUER: `http://localhost:${port}`,
    // One private_key_jwt demo key for the three examples (made before they start, see main()).
    DEMO_KEY_FILE: demoKeyFile(pki),
    // And one self-signed certificate for the self_signed_tls_client_auth demo client.
    DEMO_CERT_FILE: demoCertFiles(pki).cert,
    DEMO_CERT_KEY_FILE: demoCertFiles(pki).key,
  };
  if (HTTPS) {
    const tlsPort = await freePort();
    Object.assign(env, {
      TLS_PORT: String(tlsPort),
      TLS_CERT: pki.files.cert,
      TLS_KEY: pki.files.key,
      TLS_CA: pki.files.ca,
      ISSUER: `https://localhost:${tlsPort}`,
    });
  }
  const child = spawn(`${ROOT}node_modules/.bin/tsx`, ['--conditions=source', `examples/${framework}/src/server.ts`], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const running: Running = { framework, issuer: env.ISSUER as string, child, output: '' };
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${framework} example did not start:\n${running.output}`)), 60_000);
    const collect = (chunk: Buffer) => {
      running.output += chunk;
      if (/listening/.test(running.output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', (chunk: Buffer) => {
      running.output += chunk;
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${framework} example exited with ${code}:\n${running.output}`));
    });
  });
  return running;
}

function stop(running: Running): Promise<void> {
  return new Promise((resolve) => {
    if (running.child.exitCode !== null || running.child.signalCode !== null) return resolve();
    running.child.once('exit', () => resolve());
    running.child.kill('SIGTERM');
  });
}

// ── One cell: discovery, then client_credentials grants through openid-client ─────────────────

interface Cell {
  ok: boolean;
  detail: string;
  ms?: number;
}

/** A fetch for openid-client and jose that goes through `agent` (the demo CA, a client certificate). */
function fetchThrough(agent: Agent) {
  return (url: string, options: object): Promise<Response> =>
    undiciFetch(url, { ...options, dispatcher: agent } as never) as unknown as Promise<Response>;
}

async function authenticate(server: Running, row: MethodRow, pki: DevPki): Promise<Cell> {
  const certificate = row.certificate?.(pki);
  const agent = new Agent({
    connect: { ca: pki.ca.cert, ...(certificate ? { cert: certificate.cert, key: certificate.key } : {}) },
  });
  try {
    const options: client.DiscoveryRequestOptions = { algorithm: 'oauth2', [client.customFetch]: fetchThrough(agent) };
    if (!HTTPS) options.execute = [client.allowInsecureRequests];
    const config = await client.discovery(
      new URL(server.issuer),
      row.clientId,
      row.metadata,
      await row.clientAuth(pki),
      options,
    );
    const supported = config.serverMetadata().token_endpoint_auth_methods_supported ?? [];
    if (!supported.includes(row.method)) return { ok: false, detail: 'not in server metadata' };

    const jwks = createRemoteJWKSet(new URL(`${server.issuer}/jwks`), { [joseFetch]: fetchThrough(agent) });
    const times: number[] = [];
    for (let round = 0; round <= ROUNDS; round += 1) {
      const started = performance.now();
      if (row.request === 'par') {
        // RFC 9126 §2 through oauth4webapi (openid-client's own PAR helper also builds an authorization
        // URL, and the examples have no authorization endpoint): 201 with a request_uri.
        const response = await oauth.pushedAuthorizationRequest(
          config.serverMetadata(),
          { client_id: row.clientId },
          oauth.None(),
          { response_type: 'code', redirect_uri: 'https://client.example/cb' },
          { [oauth.customFetch]: fetchThrough(agent), [oauth.allowInsecureRequests]: !HTTPS },
        );
        const pushed = await oauth.processPushedAuthorizationResponse(
          config.serverMetadata(),
          { client_id: row.clientId },
          response,
        );
        if (round > 0) times.push(performance.now() - started);
        if (!pushed.request_uri.startsWith('urn:ietf:params:oauth:request_uri:')) {
          return { ok: false, detail: 'no request_uri' };
        }
        continue;
      }
      const tokens = await client.clientCredentialsGrant(config, { scope: 'demo' });
      const elapsed = performance.now() - started;
      if (round > 0) times.push(elapsed);
      // The token is real: an RFC 9068 JWT signed by the server, issued to this client.
      const { payload } = await jwtVerify(tokens.access_token, jwks, { issuer: server.issuer, typ: 'at+jwt' });
      if (payload.client_id !== row.clientId) return { ok: false, detail: `token for ${payload.client_id}` };
    }
    times.sort((a, b) => a - b);
    return { ok: true, detail: 'token', ms: times[Math.floor(times.length / 2)] as number };
  } catch (error) {
    const text =
      error instanceof client.ResponseBodyError
        ? `${error.status} ${error.error}`
        : error instanceof Error
          ? error.message
          : String(error);
    return { ok: false, detail: text.slice(0, 60) };
  } finally {
    await agent.close();
  }
}

// ── The table ──────────────────────────────────────────────────────────────────────────────────

function render(results: Map<string, Map<Framework, Cell>>): string {
  const header = ['method', ...FRAMEWORKS];
  const rows = [...results].map(([method, cells]) => [
    method,
    ...FRAMEWORKS.map((framework) => {
      const cell = cells.get(framework) as Cell;
      return cell.ok ? `ok ${(cell.ms as number).toFixed(1)} ms` : `FAIL ${cell.detail}`;
    }),
  ]);
  const widths = header.map((_, column) => Math.max(...[header, ...rows].map((row) => (row[column] as string).length)));
  const line = (row: string[]) => `| ${row.map((cell, column) => cell.padEnd(widths[column] as number)).join(' | ')} |`;
  return [line(header), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

async function main(): Promise<number> {
  const pki = createDevPki();
  writeDemoKey(demoKeyFile(pki));
  demoCertificate(demoCertFiles(pki).cert, demoCertFiles(pki).key, false);
  console.log(`dev PKI in ${pki.dir} (CA + server certificate for localhost, 127.0.0.1, ::1)`);
  console.log(`transport: ${HTTPS ? 'HTTPS (demo CA)' : 'plain HTTP on localhost (DEMO_HTTPS=0)'}`);
  const servers: Running[] = [];
  try {
    servers.push(...(await Promise.all(FRAMEWORKS.map((framework) => start(framework, pki)))));
    for (const server of servers) console.log(`${server.framework.padEnd(7)} ${server.issuer}`);
    const results = new Map<string, Map<Framework, Cell>>();
    for (const row of METHODS) {
      const cells = new Map<Framework, Cell>();
      for (const server of servers) cells.set(server.framework, await authenticate(server, row, pki));
      results.set(row.method, cells);
    }
    console.log(
      `\nclient_credentials grant (none: pushed authorization request) through openid-client, median of ${ROUNDS} requests (token verified against the server's JWKS):\n`,
    );
    console.log(render(results));
    const failed = [...results.values()].flatMap((cells) => [...cells.values()]).filter((cell) => !cell.ok).length;
    console.log(failed === 0 ? '\nall green' : `\n${failed} failed`);
    return failed === 0 ? 0 : 1;
  } finally {
    await Promise.all(servers.map(stop));
    rmSync(pki.dir, { recursive: true, force: true });
  }
}

process.exitCode = await main().catch((error) => {
  console.error(error);
  return 1;
});
