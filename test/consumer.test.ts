/**
 * The READMEs' snippets as a new user meets them (issue 15 §5, §6): every published package is
 * packed, the tarballs are installed with npm into a new app outside this repository (the OS temp
 * dir) beside the published Express 5, Koa 3, Hono 4 and TypeScript, and each README's marked
 * snippets are copied verbatim, type-checked strictly (`module: nodenext`, library check on) with
 * the TypeScript a new user gets and with the oldest the root README supports, run with tsx as the
 * README says, and sent their own curl lines. Skipped, with one line, only when the npm registry
 * cannot be reached.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { curlJson, freePort } from './helpers/example-server.js';
import { type PackedSet, PUBLISHED, packPublished, ROOT } from './helpers/packed.js';
import {
  curlCommands,
  expectedOutput,
  importedPackages,
  installedPackages,
  markedSnippets,
  type Snippet,
} from './helpers/readme_snippets.js';
import { noRedisReason, reportSkip, type SuiteRedis, suiteRedis } from './helpers/redis.js';
import { initApp, npmInstall, type Running, registryUnreachable, tsx, typeCheck } from './helpers/scratch_app.js';

interface Readme {
  /** `root` or the package directory. */
  name: string;
  path: string;
  markdown: string;
  snippets: Snippet[];
}

const READMES: Readme[] = [
  { name: 'root', path: 'README.md' },
  ...PUBLISHED.map((dir) => ({ name: dir, path: `packages/${dir}/README.md` })),
].map(({ name, path }) => {
  const markdown = readFileSync(join(ROOT, path), 'utf8');
  return { name, path, markdown, snippets: markedSnippets(markdown) };
});

/** The TypeScript `npm i typescript` brings, and the oldest the root README supports. */
const TYPESCRIPTS = [
  { label: 'latest', spec: 'typescript@latest', dir: 'typescript' },
  { label: '5.8 (the oldest supported)', spec: 'typescript-oldest@npm:typescript@~5.8.0', dir: 'typescript-oldest' },
];

/** The framework majors the READMEs are about; other packages come as npm resolves them. */
function installSpec(name: string, tarballs: Map<string, string>): string[] {
  const tarball = tarballs.get(name);
  if (tarball) return [tarball];
  const honoPeers = JSON.parse(readFileSync(join(ROOT, 'packages/hono/package.json'), 'utf8')).peerDependencies;
  switch (name) {
    case 'express':
      return ['express@5'];
    case 'koa':
      return ['koa@3'];
    case 'hono':
      return ['hono@4'];
    case '@hono/node-server':
      // The newest release the adapter's peer range accepts (npm refuses one outside it).
      return [`@hono/node-server@${honoPeers['@hono/node-server']}`];
    case 'typescript':
      return TYPESCRIPTS.map(({ spec }) => spec);
    default:
      return [name];
  }
}

const TSCONFIG = {
  compilerOptions: {
    strict: true,
    module: 'nodenext',
    target: 'es2022',
    noEmit: true,
    // What `tsc --init` also turns on, and the library check a tsconfig without skipLibCheck does.
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    verbatimModuleSyntax: true,
    isolatedModules: true,
    skipLibCheck: false,
  },
  include: ['*.ts'],
};

describe('README snippets, as written', () => {
  for (const { name, path, markdown } of READMES.filter(({ name }) => name !== 'root')) {
    it(`${path} starts with its install line`, () => {
      const firstBlock = /```(\w*)\n([\s\S]*?)```/.exec(markdown);
      expect(firstBlock?.[1]).toBe('sh');
      expect(installedPackages(markdown)).toContain(`@client-auth/${name}`);
    });
  }

  for (const { path, markdown, snippets } of READMES) {
    it(`${path} marks snippets to run, and its install line lists every package they import (pnpm resolves only direct dependencies)`, () => {
      expect(snippets.length).toBeGreaterThan(0);
      const installed = installedPackages(markdown);
      const missing = snippets.flatMap(({ code }) => importedPackages(code)).filter((name) => !installed.has(name));
      expect(missing).toEqual([]);
      for (const snippet of snippets) {
        if (snippet.kind === 'server') expect(curlCommands(snippet.code), snippet.file).not.toEqual([]);
        if (snippet.kind === 'program') expect(expectedOutput(snippet.code), snippet.file).not.toEqual([]);
      }
    });
  }
});

const registry = await registryUnreachable();
if (registry.reason !== undefined) {
  console.warn(`\n[consumer test skipped] the npm registry ${registry.registry} is unreachable (${registry.reason})\n`);
}

describe.skipIf(registry.reason !== undefined)('a new app outside the workspace, installed with npm', () => {
  let packed: PackedSet | undefined;
  let app = '';
  const dirOf = (readme: Readme) => join(app, 'readmes', readme.name);

  beforeAll(async () => {
    packed = await packPublished();
    app = mkdtempSync(join(tmpdir(), 'client-auth-consumer-'));
    initApp(app);
    for (const readme of READMES) {
      mkdirSync(dirOf(readme), { recursive: true });
      writeFileSync(join(dirOf(readme), 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
      for (const { file, code } of readme.snippets) writeFileSync(join(dirOf(readme), file), code);
    }
    const tarballs = new Map(packed.packages.map(({ name, tarball }) => [name, tarball]));
    const names = new Set(READMES.flatMap(({ markdown }) => [...installedPackages(markdown)]));
    // One install for every README and both TypeScript versions (the oldest under an alias).
    await npmInstall(
      app,
      [...names].sort().flatMap((name) => installSpec(name, tarballs)),
    );
  }, 300_000);

  afterAll(() => {
    packed?.remove();
    if (app) rmSync(app, { recursive: true, force: true });
  });

  for (const typescript of TYPESCRIPTS) {
    for (const readme of READMES) {
      it(`type-checks ${readme.path}'s snippets verbatim with TypeScript ${typescript.label}: tsc --strict, module nodenext, library check on`, async () => {
        const result = await typeCheck(dirOf(readme), join(app, 'node_modules', typescript.dir, 'bin', 'tsc'));
        if (result.theirs.length > 0) {
          console.info(
            `${readme.path}, ${result.version}: ${result.theirs.length} error(s) in other packages' declarations (not ours):\n${result.theirs.join('\n')}`,
          );
        }
        expect(result.ours, result.version).toEqual([]);
      }, 120_000);
    }
  }

  const servers = READMES.flatMap((readme) =>
    readme.snippets.filter(({ kind }) => kind === 'server').map((snippet) => ({ readme, snippet })),
  );
  for (const { readme, snippet } of servers) {
    it(`${readme.path} ${snippet.file} answers its curl line with 200, a wrong secret with 401 invalid_client (RFC 6749 §2.3.1, §5.2)`, async () => {
      const port = await freePort();
      const server = tsx(app, dirOf(readme), snippet.file, { PORT: String(port) });
      try {
        await listening(port, server);
        for (const command of curlCommands(snippet.code)) {
          const args = command
            .slice(1)
            .map((arg) => arg.replace(/^http:\/\/(?:localhost|127\.0\.0\.1):3000\//, `http://127.0.0.1:${port}/`));
          const user = args[args.indexOf('-u') + 1] ?? '';
          const clientId = user.split(':')[0];

          const accepted = await curlJson(args);
          expect(accepted.status, server.output()).toBe(200);
          expect(Object.values(accepted.body)).toContain(clientId);

          const refused = await curlJson(args.map((arg) => (arg === user ? `${clientId}:not-the-secret` : arg)));
          expect(refused.status).toBe(401);
          expect(refused.body.error).toBe('invalid_client');
        }
        // The root README's onFailure hook shows the developer why (issue 15 §5).
        if (readme.snippets.some(({ code }) => code.includes('onFailure'))) {
          expect(server.output()).toContain('ERR_SECRET_MISMATCH');
        }
      } finally {
        await server.stop();
      }
    }, 60_000);
  }

  const programs = READMES.flatMap((readme) =>
    readme.snippets.filter(({ kind }) => kind === 'program').map((snippet) => ({ readme, snippet })),
  );
  for (const { readme, snippet } of programs) {
    it(`${readme.path} ${snippet.file} runs and prints what its comments say`, async (context) => {
      let redis: SuiteRedis | undefined;
      const env: Record<string, string> = {};
      if (snippet.needs.includes('REDIS_URL')) {
        if (noRedisReason !== undefined) {
          reportSkip(noRedisReason);
          return context.skip();
        }
        redis = await suiteRedis();
        env.REDIS_URL = redis.url;
      }
      try {
        const program = tsx(app, dirOf(readme), snippet.file, env);
        const code = await program.exited;
        expect(code, program.output()).toBe(0);
        const printed = program
          .stdout()
          .split('\n')
          .filter((line) => line !== '');
        expect(printed, program.output()).toEqual(expectedOutput(snippet.code));
      } finally {
        await redis?.close();
      }
    }, 60_000);
  }
});

/** Resolve once something accepts connections on 127.0.0.1:`port`; reject if the process ends first. */
async function listening(port: number, server: Running): Promise<void> {
  let ended = false;
  void server.exited.then(() => {
    ended = true;
  });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (ended) throw new Error(`the snippet exited before listening:\n${server.output()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`nothing listened on port ${port} within 30 s:\n${server.output()}`);
}
