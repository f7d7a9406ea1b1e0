/**
 * `pnpm bench` is not a test (no timing is asserted anywhere); this only checks that every row of
 * the harness still runs: `bench/run.ts --smoke` (a few iterations per row) exits 0 and writes a
 * results file with every section.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

it('bench/run.ts --smoke runs every section and writes results.json', { timeout: 180_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
  try {
    const out = join(dir, 'results.json');
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--conditions=source', 'bench/run.ts', '--smoke', `--out=${out}`],
      { cwd: root, encoding: 'utf8', timeout: 170_000 },
    );
    expect(run.stderr + run.stdout).not.toMatch(/error: /);
    expect(run.status, run.stderr).toBe(0);
    const results = JSON.parse(readFileSync(out, 'utf8'));
    expect(results.mode).toBe('smoke');
    expect(results.machine.node).toBe(process.version);
    expect(results.inprocess.map((row: { name: string }) => row.name)).toEqual([
      'client_secret_basic',
      'client_secret_post',
      'private_key_jwt ES256',
      'private_key_jwt PS256',
      'client_secret_jwt HS256',
    ]);
    // The secret rows always run; every HTTP row either ran or says why it could not.
    for (const row of results.inprocess.slice(0, 2)) expect(row.coreNs).toBeGreaterThan(0);
    const servers = results.http.map((row: { method: string; name: string }) => `${row.method} ${row.name}`);
    expect(servers).toContain('client_secret_basic express adapter (example /revoke)');
    expect(servers).toContain('client_secret_basic node-oidc-provider revocation');
    // Hono on both supported majors of @hono/node-server.
    expect(servers).toContain('client_secret_basic hono2 adapter (example /revoke)');
    // Issue 16: per framework and method, the bare route and the adapter alone, with their ratios.
    for (const method of ['client_secret_basic', 'private_key_jwt']) {
      for (const framework of ['express', 'koa', 'hono', 'hono2']) {
        expect(servers).toContain(`${method} ${framework} bare route by hand`);
        expect(servers).toContain(`${method} ${framework} adapter alone`);
      }
    }
    for (const row of results.http.filter((r: { server: string }) => r.server === 'alone' || r.server === 'adapter')) {
      if (row.requestsPerSecond !== undefined) expect(row.vsBare, row.name).toBeGreaterThan(0);
    }
    for (const row of results.http) {
      expect(row.requestsPerSecond !== undefined || /^not implemented$|^no /.test(row.skipped), row.skipped).toBe(true);
    }
    expect(results.jwks).toHaveLength(2);
    expect(results.memory).toHaveLength(1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
