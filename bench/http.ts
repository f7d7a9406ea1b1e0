/**
 * Section 2: HTTP, per framework. For each method, the example's `/revoke` (adapter), a
 * hand-written inline route in the same framework carrying the same example machinery, the bare
 * framework's one route checking the client by hand (bare) and the same minimal app with the
 * adapter instead (alone; bench/bare/), and node-oidc-provider's revocation endpoint, each in its
 * own child process, loaded by autocannon in interleaved rounds (A B C A B C …).
 * Reported: median requests/s and median server CPU per request (user + system of the server
 * process, read over IPC before and after each run).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClientMetadata } from '@client-auth/core';
import autocannon from 'autocannon';
import {
  BASIC_CLIENT,
  basicHeader,
  implemented,
  JWT_BEARER,
  type JwtClient,
  makeJwtClient,
  signAssertions,
} from './fixtures.js';
import { type BenchOptions, median } from './lib.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * The frameworks: one line each. A row runs when its example's app module exists (Koa and Hono
 * examples arrive with their adapters); `createApp(await createExampleServer(config))` is called
 * on it, whatever the framework. `bare` is the module exporting `bare` and `adapterAlone` (issue
 * 16: the pair measured against the bare framework). `hono` runs on @hono/node-server 1 (the
 * oldest major the adapter supports), `hono2` the same apps on @hono/node-server 2 (what
 * examples/hono depends on).
 */
const FRAMEWORKS: { name: string; example: string; inline: string; bare: string; honoNodeServer?: 1 | 2 }[] = [
  {
    name: 'express',
    example: 'examples/express/src/app.ts',
    inline: 'bench/inline/express.ts',
    bare: 'bench/bare/express.ts',
  },
  { name: 'koa', example: 'examples/koa/src/app.ts', inline: 'bench/inline/koa.ts', bare: 'bench/bare/koa.ts' },
  { name: 'hono', example: 'examples/hono/src/app.ts', inline: 'bench/inline/hono.ts', bare: 'bench/bare/hono.ts' },
  {
    name: 'hono2',
    example: 'examples/hono/src/app.ts',
    inline: 'bench/inline/hono.ts',
    bare: 'bench/bare/hono.ts',
    honoNodeServer: 2,
  },
];

/** The exports of a `bare` module, by server kind. */
const BARE_FACTORIES = { bare: 'bare', alone: 'adapterAlone' } as const;

const METHODS = ['client_secret_basic', 'private_key_jwt'] as const;
type HttpMethod = (typeof METHODS)[number];

export interface HttpRow {
  method: HttpMethod;
  framework: string;
  /**
   * adapter: the example app; inline: the example's routes checked by hand; bare: the framework's
   * one route checked by hand; alone: the same minimal app with the adapter; oidc-provider.
   */
  server: 'adapter' | 'inline' | 'bare' | 'alone' | 'oidc-provider';
  name: string;
  requestsPerSecond?: number;
  cpuMicrosPerRequest?: number;
  /** Adapter rows: requests/s relative to the inline route of the same framework (target ≥ 0.95). */
  vsInline?: number;
  /** Adapter rows: requests/s relative to oidc-provider (target > 1). */
  vsOidcProvider?: number;
  /** Adapter rows: server CPU per request relative to the inline route's (lower is better). */
  cpuVsInline?: number;
  /** Adapter rows: server CPU per request relative to oidc-provider's. */
  cpuVsOidcProvider?: number;
  /** Adapter and alone rows: requests/s relative to the bare route (targets ≥ 0.90 and ≥ 0.95). */
  vsBare?: number;
  /** Adapter and alone rows: server CPU per request relative to the bare route's (alone: ≤ 1.05). */
  cpuVsBare?: number;
  /** Per-round figures (aligned by round across the rows of one method). */
  roundsRequestsPerSecond?: number[];
  roundsCpuMicrosPerRequest?: number[];
  rounds?: number;
  requestsPerRound?: number;
  skipped?: string;
}

interface Running {
  row: HttpRow;
  child: ChildProcess;
  port: number;
  rps: number[];
  cpu: number[];
}

function startServer(spec: object, extraArgv: string[] = []): Promise<{ child: ChildProcess; port: number }> {
  // The last lines the server wrote, for the error when it does not start.
  const stderr: string[] = [];
  const child = fork(join(ROOT, 'bench/server.ts'), [], {
    cwd: ROOT,
    execArgv: ['--import', 'tsx', '--conditions=source', ...extraArgv],
    env: { ...process.env, BENCH_SERVER: JSON.stringify(spec), NODE_ENV: 'production', DEBUG: '' },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  child.stderr?.on('data', (data: Buffer) => {
    stderr.push(data.toString());
    if (stderr.length > 20) stderr.shift();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${stderr.join('')}`)), 60_000);
    child.on('message', (message: { ready?: number }) => {
      if (message.ready !== undefined) {
        clearTimeout(timer);
        resolve({ child, port: message.ready });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}): ${stderr.join('').slice(-2000)}`));
    });
  });
}

function cpuOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    const onMessage = (message: { cpu?: number }) => {
      if (message.cpu !== undefined) {
        child.off('message', onMessage);
        resolve(message.cpu);
      }
    };
    child.on('message', onMessage);
    child.send('cpu');
  });
}

/** The bodies (and headers) of one run: assertions are signed here, before the clock starts. */
async function requestsFor(
  method: HttpMethod,
  jwtClient: JwtClient,
  count: number,
): Promise<{ headers: Record<string, string>; bodies: string[] }> {
  if (method === 'client_secret_basic') {
    return {
      headers: {
        authorization: basicHeader(BASIC_CLIENT.client_id, BASIC_CLIENT.client_secret),
        'content-type': 'application/x-www-form-urlencoded',
      },
      bodies: ['token=bench-unknown-token'],
    };
  }
  const assertions = await signAssertions(jwtClient, count);
  return {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    bodies: assertions.map(
      (a) => `token=bench-unknown-token&client_assertion_type=${encodeURIComponent(JWT_BEARER)}&client_assertion=${a}`,
    ),
  };
}

/** One request through fetch: the server must answer 200 before it is measured. */
async function probe(port: number, method: HttpMethod, jwtClient: JwtClient): Promise<void> {
  const { headers, bodies } = await requestsFor(method, jwtClient, 1);
  const response = await fetch(`http://127.0.0.1:${port}/revoke`, { method: 'POST', headers, body: bodies[0] });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`probe answered ${response.status} ${text.slice(0, 200)}`);
}

/** The requests of one run, prepared beforehand (assertions signed before the clock starts). */
type Batch = Awaited<ReturnType<typeof requestsFor>>;

async function load(port: number, { headers, bodies }: Batch, amount: number, connections: number) {
  let next = 0;
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    amount,
    // autocannon notices the end of an `amount` run only at its next sample tick (default 1 s).
    sampleInt: 10,
    requests: [
      {
        method: 'POST',
        path: '/revoke',
        headers,
        setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length] }),
      },
    ],
  });
  const bad = result.non2xx + result.errors + result.timeouts;
  if (bad > 0) throw new Error(`${bad} of ${result.requests.total} requests failed (non-2xx, errors or timeouts)`);
  const seconds = (result.finish.getTime() - result.start.getTime()) / 1000;
  return { requests: result.requests.total, rps: result.requests.total / seconds };
}

interface ServerSpec {
  framework: string;
  server: HttpRow['server'];
  name: string;
  spec: object;
  /** Why this server cannot run at all (its module is missing). */
  skipped?: string;
}

/** The clients every server of this section registers, in a clients file of a fresh temp directory. */
async function benchClients() {
  const jwtClient = await makeJwtClient('ES256');
  const clients: ClientMetadata[] = [
    { ...BASIC_CLIENT, token_endpoint_auth_method: 'client_secret_basic' },
    jwtClient.metadata,
  ];
  const dir = mkdtempSync(join(tmpdir(), 'client-auth-bench-'));
  const clientsFile = join(dir, 'clients.json');
  writeFileSync(clientsFile, JSON.stringify(clients));
  return { jwtClient, clients, dir, clientsFile };
}

/**
 * `pnpm bench -- --profile=<framework>-<adapter|inline|bare|alone>[-jwt]` (or `oidc-provider[-jwt]`): one
 * server of section 2 under `node --cpu-prof` while autocannon sends it `requests` requests; the
 * profile is written to `dir` (open it in Chrome DevTools or speedscope). How the causes in
 * bench/README.md were found.
 */
export async function profileServer(target: string, dir: string, requests: number): Promise<string[]> {
  const method: HttpMethod = target.endsWith('-jwt') ? 'private_key_jwt' : 'client_secret_basic';
  const [framework, kind] = target.replace(/-jwt$/, '').split('-') as [string, string | undefined];
  const { jwtClient, clients, dir: clientsDir, clientsFile } = await benchClients();
  let spec: object;
  if (framework === 'oidc') spec = { kind: 'oidc-provider', clients, clientsFile };
  else {
    const entry = FRAMEWORKS.find((f) => f.name === framework);
    if (entry === undefined || (kind !== 'adapter' && kind !== 'inline' && kind !== 'bare' && kind !== 'alone')) {
      throw new Error(
        `bench: --profile=${target}: expected <express|koa|hono|hono2>-<adapter|inline|bare|alone>[-jwt] or oidc-provider[-jwt]`,
      );
    }
    if (kind === 'bare' || kind === 'alone') {
      const module = join(ROOT, entry.bare);
      spec = {
        kind,
        module,
        factory: BARE_FACTORIES[kind],
        clients,
        clientsFile,
        honoNodeServer: entry.honoNodeServer,
      };
    } else {
      const module = join(ROOT, kind === 'adapter' ? entry.example : entry.inline);
      spec = { kind, module, clients, clientsFile, honoNodeServer: entry.honoNodeServer };
    }
  }
  const before = new Set(existsSync(dir) ? readdirSync(dir) : []);
  try {
    const { child, port } = await startServer(spec, ['--cpu-prof', '--cpu-prof-interval=100', `--cpu-prof-dir=${dir}`]);
    const exited = new Promise((resolve) => child.on('exit', resolve));
    try {
      await probe(port, method, jwtClient);
      await load(port, await requestsFor(method, jwtClient, requests), requests, 10);
    } finally {
      child.disconnect();
      await exited;
    }
  } finally {
    rmSync(clientsDir, { recursive: true, force: true });
  }
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => !before.has(name))
    .map((name) => join(dir, name));
}

export async function runHttp(options: BenchOptions, log: (line: string) => void): Promise<HttpRow[]> {
  const rounds = options.smoke ? 1 : options.quick ? 5 : 11;
  const amounts: Record<HttpMethod, number> = options.smoke
    ? { client_secret_basic: 40, private_key_jwt: 40 }
    : options.quick
      ? { client_secret_basic: 2000, private_key_jwt: 1000 }
      : { client_secret_basic: 5000, private_key_jwt: 5000 };
  const connections = options.smoke ? 2 : 10;

  const { jwtClient, clients, dir, clientsFile } = await benchClients();

  // The servers: per framework whose example exists, the example (adapter) and the inline route;
  // then node-oidc-provider. Each serves every method.
  let servers: ServerSpec[] = [];
  // BENCH_FRAMEWORKS=express,koa: only those frameworks' rows (oidc-provider always runs).
  const only = process.env.BENCH_FRAMEWORKS?.split(',');
  for (const framework of FRAMEWORKS) {
    if (only !== undefined && !only.includes(framework.name)) continue;
    const example = join(ROOT, framework.example);
    const inline = join(ROOT, framework.inline);
    if (!existsSync(example)) continue; // the framework's example is not in this checkout yet
    servers.push({
      framework: framework.name,
      server: 'adapter',
      name: `${framework.name} adapter (example /revoke)`,
      spec: { kind: 'adapter', module: example, clients, clientsFile, honoNodeServer: framework.honoNodeServer },
    });
    const hand: ServerSpec = {
      framework: framework.name,
      server: 'inline',
      name: `${framework.name} inline by hand`,
      spec: { kind: 'inline', module: inline, clients, clientsFile, honoNodeServer: framework.honoNodeServer },
    };
    if (!existsSync(inline)) hand.skipped = `no ${framework.inline}`;
    servers.push(hand);
    // Issue 16: the bare framework's one route, and the same minimal app with the adapter.
    const bare = join(ROOT, framework.bare);
    for (const kind of ['bare', 'alone'] as const) {
      const server: ServerSpec = {
        framework: framework.name,
        server: kind,
        name: kind === 'bare' ? `${framework.name} bare route by hand` : `${framework.name} adapter alone`,
        spec: {
          kind,
          module: bare,
          factory: BARE_FACTORIES[kind],
          clients,
          clientsFile,
          honoNodeServer: framework.honoNodeServer,
        },
      };
      if (!existsSync(bare)) server.skipped = `no ${framework.bare}`;
      servers.push(server);
    }
  }
  servers.push({
    framework: 'koa (oidc-provider)',
    server: 'oidc-provider',
    name: 'node-oidc-provider revocation',
    spec: { kind: 'oidc-provider', clients, clientsFile },
  });
  // BENCH_SERVERS=bare,alone: only those kinds of server (adapter, inline, bare, alone, oidc-provider).
  const kinds = process.env.BENCH_SERVERS?.split(',');
  if (kinds !== undefined) servers = servers.filter((server) => kinds.includes(server.server));

  // Start them all at once (each is a tsx process: seconds to start).
  const processes = await Promise.all(
    servers.map(async (server) => {
      if (server.skipped !== undefined) return undefined;
      try {
        return await startServer(server.spec);
      } catch (error) {
        server.skipped = `error: ${(error as Error).message.split('\n')[0]}`;
        return undefined;
      }
    }),
  );

  const rows: HttpRow[] = [];
  try {
    for (const method of METHODS) {
      const methodRows: HttpRow[] = [];
      const running: Running[] = [];
      for (const [index, server] of servers.entries()) {
        const row: HttpRow = { method, framework: server.framework, server: server.server, name: server.name };
        methodRows.push(row);
        const proc = processes[index];
        if (server.skipped !== undefined) row.skipped = server.skipped;
        else if ((server.server === 'adapter' || server.server === 'alone') && !implemented(method)) {
          row.skipped = 'not implemented';
        } else if (proc !== undefined) {
          try {
            await probe(proc.port, method, jwtClient);
            running.push({ row, child: proc.child, port: proc.port, rps: [], cpu: [] });
          } catch (error) {
            row.skipped = `error: ${(error as Error).message.split('\n')[0]}`;
          }
        }
      }

      log(`http: ${method}: ${running.length} servers, ${rounds} rounds of ${amounts[method]} requests`);
      // Warm-up: one unmeasured run each, as long as a measured one (JIT, connection pools, caches;
      // with half a run, the first round still read ~10 % slower for every server).
      // One batch of requests per round, shared by the servers: each has a replay store of its own,
      // so a jti need only be new to each server (signing a batch per run was ~20 % of a full run).
      const warmUp = await requestsFor(method, jwtClient, amounts[method]);
      for (const server of running) {
        try {
          await load(server.port, warmUp, amounts[method], connections);
        } catch (error) {
          server.row.skipped = `error: ${(error as Error).message}`;
        }
      }
      for (let round = 0; round < rounds; round++) {
        // A B C … then … C B A: every server runs as often before as after each other one, so
        // that what a run leaves behind (the previous server's GC, sockets closing) or a change
        // of machine load within a round does not always fall on the same side of a comparison.
        const order = round % 2 === 0 ? running : [...running].reverse();
        const batch = await requestsFor(method, jwtClient, amounts[method]);
        for (const server of order) {
          if (server.row.skipped !== undefined) continue;
          try {
            const before = await cpuOf(server.child);
            const { requests, rps } = await load(server.port, batch, amounts[method], connections);
            const after = await cpuOf(server.child);
            server.rps.push(rps);
            server.cpu.push((after - before) / requests);
          } catch (error) {
            server.row.skipped = `error: ${(error as Error).message}`;
          }
        }
      }
      for (const server of running) {
        if (server.row.skipped !== undefined) continue;
        server.row.requestsPerSecond = median(server.rps);
        server.row.cpuMicrosPerRequest = median(server.cpu);
        server.row.roundsRequestsPerSecond = server.rps;
        server.row.roundsCpuMicrosPerRequest = server.cpu;
        server.row.rounds = rounds;
        server.row.requestsPerRound = amounts[method];
      }
      // Ratios are taken round by round (the runs compared are seconds apart), then the median:
      // steadier on a shared machine than a ratio of medians.
      const ratio = (a: number[] | undefined, b: number[] | undefined) =>
        a && b && a.length === b.length && a.length > 0 ? median(a.map((x, i) => x / (b[i] as number))) : undefined;
      const reference = methodRows.find((r) => r.server === 'oidc-provider');
      for (const row of methodRows) {
        if ((row.server !== 'adapter' && row.server !== 'alone') || row.requestsPerSecond === undefined) continue;
        const of = (server: HttpRow['server']) =>
          methodRows.find((r) => r.server === server && r.framework === row.framework);
        if (row.server === 'adapter') {
          row.vsInline = ratio(row.roundsRequestsPerSecond, of('inline')?.roundsRequestsPerSecond);
          row.cpuVsInline = ratio(row.roundsCpuMicrosPerRequest, of('inline')?.roundsCpuMicrosPerRequest);
        }
        row.vsBare = ratio(row.roundsRequestsPerSecond, of('bare')?.roundsRequestsPerSecond);
        row.cpuVsBare = ratio(row.roundsCpuMicrosPerRequest, of('bare')?.roundsCpuMicrosPerRequest);
        row.vsOidcProvider = ratio(row.roundsRequestsPerSecond, reference?.roundsRequestsPerSecond);
        row.cpuVsOidcProvider = ratio(row.roundsCpuMicrosPerRequest, reference?.roundsCpuMicrosPerRequest);
      }
      rows.push(...methodRows);
    }
  } finally {
    for (const proc of processes) proc?.child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
