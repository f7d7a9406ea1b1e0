/**
 * `pnpm bench` (`-- --quick` for a short run, `-- --smoke` to check every row runs, `-- --redis-wait`
 * for the cost of the Redis store's waitForReplicas alone).
 * Measures the verifier against the bare work it cannot avoid and against node-oidc-provider
 * (DESIGN.md §6), prints tables, writes bench/results.json and bench/results.md.
 */
import { writeFileSync } from 'node:fs';
import { type HttpRow, profileServer, runHttp } from './http.js';
import { type InProcessRow, runInProcess } from './inprocess.js';
import { type JwksRow, runJwks } from './jwks.js';
import { fmt, machine, markdownTable, parseArgs, printTable } from './lib.js';
import { type MemoryRow, runMemory } from './memory.js';

// `-- --redis-wait [--quick]`: only the cost of the Redis store's waitForReplicas, on a local
// Redis Cluster (bench/redis-wait.ts); the other sections do not run.
if (process.argv.includes('--redis-wait')) {
  const { runRedisWait } = await import('./redis-wait.js');
  await runRedisWait(process.argv.includes('--quick'));
  process.exit(0);
}
const options = parseArgs(process.argv.slice(2));
if (options.profile !== undefined) {
  const files = await profileServer(
    options.profile,
    new URL('./profiles', import.meta.url).pathname,
    options.quick ? 5000 : 20000,
  );
  console.log(`profile of ${options.profile} under load: ${files.join(', ')}`);
  process.exit(0);
}
const wanted = (section: string) => options.only === undefined || options.only.has(section);
const log = (line: string) => console.error(`… ${line}`);
const started = Date.now();
const info = machine();
const mode = options.smoke ? 'smoke' : options.quick ? 'quick' : 'full';
console.log(`client-auth bench (${mode}) — ${info.cpuModel}, ${info.cores} cores, Node ${info.node}, ${info.date}`);

const tables: { title: string; header: string[]; rows: string[][] }[] = [];
const results: Record<string, unknown> = { mode, machine: info };
// A smoke run times a few iterations: its figures only show that each row runs, so no verdicts.
const verdict = (ok: boolean | undefined) => (ok === undefined || options.smoke ? '' : ok ? 'yes' : 'NO');

if (wanted('inprocess')) {
  const rows: InProcessRow[] = await runInProcess(options, log);
  results.inprocess = rows;
  tables.push({
    title:
      '1. In-process: authenticate() vs the bare work (secrets: CPU ns/op, median of interleaved batches; JWT: wall ns of the median call, calls alternated one by one; "CPU batches" and "core vs core" for the JWT rows: see bench/README.md)',
    header: [
      'method',
      'baseline',
      'baseline ns',
      'core ns',
      'core/baseline',
      'CPU batches',
      'core vs core',
      'target',
      'met',
    ],
    rows: rows.map((r) =>
      r.skipped
        ? [r.name, r.baselineName, '–', '–', r.skipped, '', '', `≤ ${r.target}×`, '']
        : [
            r.name,
            r.baselineName,
            fmt(r.baselineNs),
            fmt(r.coreNs),
            `${fmt(r.ratio, 2)}×`,
            r.cpuRatio === undefined ? '' : `${fmt(r.cpuRatio, 2)}×`,
            r.selfRatio === undefined ? '' : `${fmt(r.selfRatio, 2)}×`,
            `≤ ${r.target}×`,
            verdict((r.ratio as number) <= r.target),
          ],
    ),
  });
}

if (wanted('http')) {
  const rows: HttpRow[] = await runHttp(options, log);
  results.http = rows;
  tables.push({
    title:
      '2. HTTP /revoke (autocannon, 10 connections; medians of interleaved rounds, ratios per round; CPU = server process user+system; targets: req/s ≥ 0.95× inline, > 1× oidc-provider)',
    header: [
      'method',
      'server',
      'req/s',
      'CPU µs/req',
      'req/s vs inline',
      'CPU vs inline',
      'req/s vs oidc-provider',
      'CPU vs oidc-provider',
    ],
    rows: rows
      .filter((r) => r.server === 'adapter' || r.server === 'inline' || r.server === 'oidc-provider')
      .map((r) =>
        r.skipped
          ? [r.method, r.name, r.skipped, '', '', '', '', '']
          : [
              r.method,
              r.name,
              fmt(r.requestsPerSecond),
              fmt(r.cpuMicrosPerRequest),
              r.vsInline === undefined ? '' : `${fmt(r.vsInline, 2)}× ${verdict(r.vsInline >= 0.95)}`,
              r.cpuVsInline === undefined ? '' : `${fmt(r.cpuVsInline, 2)}×`,
              r.vsOidcProvider === undefined ? '' : `${fmt(r.vsOidcProvider, 2)}× ${verdict(r.vsOidcProvider > 1)}`,
              r.cpuVsOidcProvider === undefined ? '' : `${fmt(r.cpuVsOidcProvider, 2)}×`,
            ],
      ),
  });
  tables.push({
    title:
      "2b. HTTP /revoke against the bare framework (issue 16; same rounds as table 2): the framework's one route checking the client by hand (bare) vs the same app with clientAuthentication() (alone) and vs the example app; targets: alone ≥ 0.95× bare req/s and ≤ 1.05× its CPU/req, example ≥ 0.90× bare req/s, alone ≥ 1.3× oidc-provider",
    header: [
      'method',
      'framework',
      'bare req/s',
      'bare CPU µs',
      'alone req/s',
      'alone CPU µs',
      'alone/bare req/s',
      'alone/bare CPU',
      'example/bare req/s',
      'example/bare CPU',
      'alone/oidc-provider req/s',
    ],
    rows: bareRows(rows),
  });
}

/** Table 2b: one line per method and framework, from the bare, alone and adapter rows. */
function bareRows(rows: HttpRow[]): string[][] {
  const lines: string[][] = [];
  const ratio = (value: number | undefined, ok: (value: number) => boolean) =>
    value === undefined ? '' : `${fmt(value, 2)}× ${verdict(ok(value))}`;
  for (const bare of rows.filter((r) => r.server === 'bare')) {
    const find = (server: HttpRow['server']) =>
      rows.find((r) => r.server === server && r.method === bare.method && r.framework === bare.framework);
    const alone = find('alone');
    const example = find('adapter');
    lines.push([
      bare.method,
      bare.framework,
      bare.skipped ?? fmt(bare.requestsPerSecond),
      fmt(bare.cpuMicrosPerRequest),
      alone?.skipped ?? fmt(alone?.requestsPerSecond),
      fmt(alone?.cpuMicrosPerRequest),
      ratio(alone?.vsBare, (v) => v >= 0.95),
      ratio(alone?.cpuVsBare, (v) => v <= 1.05),
      ratio(example?.vsBare, (v) => v >= 0.9),
      ratio(example?.cpuVsBare, () => true).replace(/ yes$/, ''),
      ratio(alone?.vsOidcProvider, (v) => v >= 1.3),
    ]);
  }
  return lines;
}

if (wanted('jwks')) {
  const rows: JwksRow[] = await runJwks(options, log);
  results.jwks = rows;
  tables.push({
    title: '3. jwks_uri fetches (local key server, Cache-Control max-age=300)',
    header: ['case', 'requests', 'accepted', 'fetches', 'seconds', 'target'],
    rows: rows.map((r) =>
      r.skipped
        ? [r.name, fmt(r.requests), r.skipped, '', '', r.target]
        : [r.name, fmt(r.requests), fmt(r.accepted), fmt(r.fetches), fmt(r.seconds, 1), r.target],
    ),
  });
}

if (wanted('memory')) {
  const rows: MemoryRow[] = await runMemory(options, log);
  results.memory = rows;
  tables.push({
    title: '4. Memory of the in-memory replay store (after gc)',
    header: ['store', 'jti', 'insert s', 'heap MiB', 'bytes/jti', 'RSS MiB', 'heap after expiry', 'RSS after expiry'],
    rows: rows.map((r) =>
      r.skipped
        ? [r.name, fmt(r.count), r.skipped, '', '', '', '', '']
        : [
            r.name,
            fmt(r.count),
            fmt(r.insertSeconds, 1),
            fmt(r.heapGrowthMiB, 1),
            fmt(r.bytesPerEntry),
            fmt(r.rssGrowthMiB, 1),
            fmt(r.afterExpiryHeapGrowthMiB, 1),
            fmt(r.afterExpiryRssGrowthMiB, 1),
          ],
    ),
  });
}

results.seconds = (Date.now() - started) / 1000;
for (const table of tables) printTable(table.title, table.header, table.rows);
writeFileSync(options.out, `${JSON.stringify(results, null, 2)}\n`);
const markdown = [
  `Machine: ${info.cpuModel}, ${info.cores} cores, ${info.memoryGiB} GiB, ${info.platform}, Node ${info.node}; ${info.date}; mode ${mode}.`,
  ...tables.map((t) => `**${t.title}**\n\n${markdownTable(t.header, t.rows)}`),
].join('\n\n');
if (options.markdown) console.log(`\n${markdown}`);
console.log(`\nwrote ${options.out} (${fmt(results.seconds as number, 0)} s)`);
