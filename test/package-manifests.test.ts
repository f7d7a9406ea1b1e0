/**
 * The published packages, read from the tarballs `pnpm pack` makes (what `pnpm publish` uploads):
 * publint and Are the Types Wrong (ESM-only profile) must be clean, and the manifest complete —
 * issue 15 §5 and §6. A deliberately broken manifest shows that each check can fail.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from './helpers/example-server.js';
import { manifestProblems, missingMapSources } from './helpers/manifest_rules.js';
import { type PackedSet, PUBLISHED, packPublished, ROOT, type Unpacked, unpack } from './helpers/packed.js';

const PUBLINT = `${ROOT}node_modules/.bin/publint`;
const ATTW = `${ROOT}node_modules/.bin/attw`;

const publint = (tarball: string) => run(PUBLINT, ['--strict', tarball]);
const attw = (tarball: string) => run(ATTW, ['--profile', 'esm-only', '--format', 'ascii', '--no-color', tarball]);

let packed: PackedSet;
let scratch: string;
const unpacked = new Map<string, Unpacked>();

beforeAll(async () => {
  packed = await packPublished();
  scratch = mkdtempSync(join(tmpdir(), 'client-auth-unpacked-'));
  for (const { dir, tarball } of packed.packages) {
    const into = join(scratch, dir);
    mkdirSync(into);
    unpacked.set(dir, await unpack(tarball, into));
  }
}, 180_000);

afterAll(() => {
  packed?.remove();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const tarballOf = (dir: string) => {
  const found = packed.packages.find((entry) => entry.dir === dir);
  if (!found) throw new Error(`no tarball for ${dir}`);
  return found.tarball;
};

describe.each(PUBLISHED)('@client-auth/%s as packed by pnpm', (dir) => {
  it('passes publint --strict (every entry point exists and is the module format it claims)', async () => {
    const result = await publint(tarballOf(dir));
    expect(result.code, result.stdout + result.stderr).toBe(0);
  });

  it('passes attw --profile esm-only (its types resolve for node16 ESM and bundlers, TypeScript module resolution)', async () => {
    const result = await attw(tarballOf(dir));
    expect(result.code, result.stdout + result.stderr).toBe(0);
  });

  it('has complete metadata, no "source" condition, no workspace: range, its optional peers optional (npm package.json; Node.js conditional exports)', () => {
    const { manifest, files } = unpacked.get(dir) as Unpacked;
    expect(manifestProblems(dir, manifest, files)).toEqual([]);
  });

  it('ships every source file its declaration and source maps name (src/ stays in files for go-to-definition)', () => {
    const { root, files } = unpacked.get(dir) as Unpacked;
    const maps = files
      .filter((file) => file.endsWith('.map'))
      .map((path) => ({
        path,
        sources: (JSON.parse(readFileSync(join(root, path), 'utf8')) as { sources: string[] }).sources,
      }));
    expect(maps.length).toBeGreaterThan(0);
    expect(missingMapSources(maps, files)).toEqual([]);
  });
});

describe('the package checks can fail', () => {
  it('publint, attw and the manifest rules each refuse a deliberately broken manifest', async () => {
    const into = join(scratch, 'broken');
    mkdirSync(into);
    const { root } = await unpack(tarballOf('core'), into);
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    // The faults this suite exists to catch: a types target missing from the tarball, the
    // workspace-only condition published, an unrewritten workspace range, a required types peer.
    manifest.exports['.'] = { source: './src/index.ts', types: './dist/missing.d.ts', default: './dist/index.js' };
    manifest.dependencies['@client-auth/redis'] = 'workspace:^';
    delete manifest.sideEffects;
    delete manifest.peerDependenciesMeta['@types/node'];
    writeFileSync(join(root, 'package.json'), JSON.stringify(manifest, null, 2));
    const tarball = join(into, 'broken.tgz');
    const packedAgain = await run('tar', ['-czf', tarball, '-C', into, 'package']);
    expect(packedAgain.code, packedAgain.stderr).toBe(0);

    const linted = await publint(tarball);
    expect(linted.code, linted.stdout).not.toBe(0);
    expect(linted.stdout).toContain('dist/missing.d.ts');

    const typed = await attw(tarball);
    expect(typed.code, typed.stdout).not.toBe(0);

    const { files } = await unpack(tarball, mkdtempSync(join(scratch, 'broken-again-')));
    expect(manifestProblems('core', manifest, files)).toEqual([
      'exports . → source is the workspace-only "source" condition',
      'exports . → types: ./dist/missing.d.ts is not in the tarball',
      'dependencies @client-auth/redis: workspace:^',
      'sideEffects is not false',
      'peer @types/node is not optional',
    ]);
  }, 60_000);
});
