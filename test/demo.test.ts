/**
 * `pnpm demo` end to end: it starts the three examples, authenticates with every method through
 * openid-client, and must exit 0 with an all-green table. Also checks that the dev PKI it makes is
 * one a TLS client accepts for localhost, 127.0.0.1 and ::1 (what the HTTPS switch relies on).
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { describe, expect, it } from 'vitest';
import { METHODS } from '../scripts/demo-methods.js';
import { createDevPki } from '../scripts/dev-pki.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

describe('pnpm demo', () => {
  it('exits 0 with every framework × method cell green', async () => {
    const child = spawn(`${ROOT}node_modules/.bin/tsx`, ['--conditions=source', 'scripts/demo.ts'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, output).toBe(0);
    expect(output).toContain('all green');
    for (const { method } of METHODS) {
      const row = output.split('\n').find((line) => line.startsWith(`| ${method} `));
      expect(row, `a row for ${method}:\n${output}`).toBeDefined();
      expect(row?.match(/\| ok \d+\.\d ms/g)).toHaveLength(3);
    }
  }, 180_000);

  it('makes a dev PKI whose server certificate TLS clients accept for localhost, 127.0.0.1 and ::1', async () => {
    const pki = createDevPki();
    const server = createServer({ cert: pki.server.cert, key: pki.server.key }, (_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '::', resolve));
    const { port } = server.address() as AddressInfo;
    const agent = new Agent({ connect: { ca: pki.ca.cert } });
    try {
      for (const host of ['localhost', '127.0.0.1', '[::1]']) {
        const response = await request(`https://${host}:${port}/`, { dispatcher: agent });
        expect(await response.body.text()).toBe('ok');
      }
      // Without the demo CA the same certificate is refused: the trust really comes from it.
      await expect(request(`https://127.0.0.1:${port}/`)).rejects.toThrow();
    } finally {
      await agent.close();
      server.close();
    }
  });
});
