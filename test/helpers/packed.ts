/**
 * The published packages as npm would receive them: built, then `pnpm pack`ed (pnpm applies
 * `publishConfig` and rewrites `workspace:` ranges only when it packs), so that tests read the
 * tarballs a user installs rather than the workspace manifests.
 */
import { closeSync, type Dirent, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from './example-server.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The directories under packages/ that are published, each one npm package. */
export const PUBLISHED = ['core', 'express', 'koa', 'hono', 'redis'] as const;
export type PublishedDir = (typeof PUBLISHED)[number];

export interface PackedPackage {
  /** The directory under packages/. */
  dir: PublishedDir;
  /** The package name, `@client-auth/<dir>`. */
  name: string;
  /** Absolute path of the .tgz. */
  tarball: string;
}

export interface PackedSet {
  /** Where the tarballs are (removed by {@link PackedSet.remove}). */
  dir: string;
  packages: PackedPackage[];
  remove(): void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `tsc -b` of the published packages, one at a time across test files: two builds writing the same
 * `dist/` at once could hand `pnpm pack` a file being rewritten. A lock file older than ten minutes
 * is from a killed run and is taken over.
 */
async function buildOnce(): Promise<void> {
  const lock = join(ROOT, 'node_modules', '.client-auth-pack.lock');
  for (;;) {
    try {
      closeSync(openSync(lock, 'wx'));
      break;
    } catch {
      try {
        if (Date.now() - statSync(lock).mtimeMs > 600_000) rmSync(lock, { force: true });
      } catch {
        // released meanwhile
      }
      await sleep(200);
    }
  }
  try {
    const build = await run(`${ROOT}node_modules/.bin/tsc`, [
      '-b',
      ...PUBLISHED.map((dir) => `${ROOT}packages/${dir}`),
    ]);
    if (build.code !== 0) throw new Error(`tsc -b failed:\n${build.stdout}${build.stderr}`);
  } finally {
    rmSync(lock, { force: true });
  }
}

async function pnpmPack(cwd: string, destination: string): Promise<string> {
  const { code, stdout, stderr } = await run('pnpm', ['pack', '--json', '--pack-destination', destination], { cwd });
  if (code !== 0) throw new Error(`pnpm pack in ${cwd} failed (${code}):\n${stdout}${stderr}`);
  return (JSON.parse(stdout) as { filename: string }).filename;
}

/** Build and pack every published package into a new directory of the OS temp dir. */
export async function packPublished(): Promise<PackedSet> {
  await buildOnce();
  const dir = mkdtempSync(join(tmpdir(), 'client-auth-packed-'));
  const packages: PackedPackage[] = [];
  for (const name of PUBLISHED) {
    const tarball = await pnpmPack(`${ROOT}packages/${name}`, dir);
    packages.push({ dir: name, name: `@client-auth/${name}`, tarball });
  }
  return { dir, packages, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Unpacked {
  /** The extracted `package/` directory. */
  root: string;
  /** Every file, relative to `package/`, `/`-separated. */
  files: string[];
  /** The packed package.json. */
  manifest: Record<string, unknown>;
}

/** Extract a tarball (`tar`, as npm's own tarballs are plain gzip'd tar) into `into`. */
export async function unpack(tarball: string, into: string): Promise<Unpacked> {
  const extracted = await run('tar', ['-xzf', tarball, '-C', into]);
  if (extracted.code !== 0) throw new Error(`tar -xzf ${tarball} failed: ${extracted.stderr}`);
  const root = join(into, 'package');
  const files = (readdirSync(root, { recursive: true, withFileTypes: true }) as Dirent[])
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
  return { root, files, manifest };
}
