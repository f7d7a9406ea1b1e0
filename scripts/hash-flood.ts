/**
 * `pnpm exec tsx --conditions=source scripts/hash-flood.ts [--seconds 10] [--rates 0,9,100] [--ln 15]`:
 * what an unknown-client_id flood does to the clients that are known, over real HTTP.
 *
 * Starts the Express example server (a child process, `CLIENTS_FILE` with scrypt-hashed secrets
 * of `hashSecret`'s default cost, ln=15) in two deployments: all secrets hashed, and hashed and
 * plain secrets side by side. For each flood rate, an open loop sends that many requests per
 * second with random unknown client_ids while one closed loop per known client (one request at a
 * time, right secret) measures what that client gets: answers per second, latency median and p99,
 * and how many were refused 503 (`ERR_SECRET_HASH_BUSY`, over the hash budget). A measurement, not
 * a test: nothing is asserted, the figures go to docs/SECURITY.md.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { hashSecret } from '@client-auth/core';
import { startExample } from '../test/helpers/example-server.js';

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? undefined : process.argv[index + 1];
}

const SECONDS = Number(argument('seconds') ?? 10);
const RATES = (argument('rates') ?? '0,9,100').split(',').map(Number);
const LN = Number(argument('ln') ?? 15);
/** Requests of the flood allowed in flight at once (a real attacker's open loop has no such cap). */
const MAX_IN_FLIGHT = 2000;

const SECRET = 'correct-horse-battery-staple-0123456789';
const hash = await hashSecret(SECRET, { ln: LN });
const HASHED = { client_id: 'hashed', client_secrets: [{ hash }], token_endpoint_auth_method: 'client_secret_post' };
const PLAIN = { client_id: 'plain', client_secret: SECRET, token_endpoint_auth_method: 'client_secret_post' };

const DEPLOYMENTS = [
  { name: 'all hashed', clients: [HASHED], known: ['hashed'] },
  { name: 'mixed', clients: [HASHED, PLAIN], known: ['hashed', 'plain'] },
];

function tokenRequest(base: string, clientId: string, secret: string): Promise<number> {
  return fetch(`${base}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret }),
  }).then(
    async (response) => {
      await response.arrayBuffer();
      return response.status;
    },
    () => -1,
  );
}

const quantile = (values: number[], q: number) => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
};

interface KnownResult {
  ok: number;
  busy: number;
  other: number;
  latencies: number[];
}

/** One request at a time for `client` until `until`. */
async function closedLoop(base: string, client: string, until: number): Promise<KnownResult> {
  const result: KnownResult = { ok: 0, busy: 0, other: 0, latencies: [] };
  while (performance.now() < until) {
    const start = performance.now();
    const status = await tokenRequest(base, client, SECRET);
    result.latencies.push(performance.now() - start);
    if (status === 200) result.ok++;
    else if (status === 503) result.busy++;
    else result.other++;
  }
  return result;
}

/** `rate` requests per second of random unknown client_ids until `until`. */
async function flood(base: string, rate: number, until: number): Promise<Map<number, number>> {
  const statuses = new Map<number, number>();
  if (rate === 0) return statuses;
  const pending = new Set<Promise<void>>();
  const start = performance.now();
  let sent = 0;
  while (performance.now() < until) {
    const due = Math.floor(((performance.now() - start) / 1000) * rate);
    while (sent < due && pending.size < MAX_IN_FLIGHT) {
      sent++;
      const request = tokenRequest(base, `unknown-${randomBytes(8).toString('hex')}`, SECRET).then((status) => {
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        pending.delete(request);
      });
      pending.add(request);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await Promise.all(pending);
  return statuses;
}

const dir = mkdtempSync(join(tmpdir(), 'client-auth-flood-'));
console.log(
  `node ${process.version}, scrypt ln=${LN}, ${SECONDS} s per row; known clients: one request at a time, right secret`,
);
console.log(
  '\ndeployment  flood/s  client   answered/s  200   503  other  p50 ms   p99 ms   flood answers (status: count)',
);
try {
  for (const deployment of DEPLOYMENTS) {
    const file = join(dir, `${deployment.name.replace(/\s/g, '-')}.json`);
    writeFileSync(file, JSON.stringify(deployment.clients));
    const server = await startExample('express', { CLIENTS_FILE: file });
    try {
      // Warm up: every known client once (the server has seen its clients, as a live one has).
      for (const client of deployment.known) await tokenRequest(server.url, client, SECRET);
      for (const rate of RATES) {
        const until = performance.now() + SECONDS * 1000;
        const [statuses, ...known] = await Promise.all([
          flood(server.url, rate, until),
          ...deployment.known.map((client) => closedLoop(server.url, client, until)),
        ]);
        const floodText = [...(statuses as Map<number, number>)].map(([s, n]) => `${s}: ${n}`).join(', ') || '—';
        for (const [index, client] of deployment.known.entries()) {
          const r = known[index] as KnownResult;
          const total = r.ok + r.busy + r.other;
          console.log(
            `${deployment.name.padEnd(11)} ${String(rate).padStart(7)}  ${client.padEnd(7)} ${(total / SECONDS).toFixed(1).padStart(11)} ${String(r.ok).padStart(4)} ${String(r.busy).padStart(5)} ${String(r.other).padStart(6)} ${quantile(r.latencies, 0.5).toFixed(1).padStart(7)} ${quantile(r.latencies, 0.99).toFixed(1).padStart(8)}   ${index === 0 ? floodText : ''}`,
          );
        }
      }
    } finally {
      await server.stop();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
