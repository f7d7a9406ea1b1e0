/**
 * What a published manifest of this repository must say, as a pure function of the packed
 * package.json and the list of files in the tarball: the test runs it on every real tarball (no
 * problem) and on a deliberately broken manifest (the problems it must name).
 */

export type Manifest = Record<string, unknown>;

/** Peer dependencies each package must declare as optional (npm `peerDependenciesMeta`). */
export const OPTIONAL_PEERS: Record<string, readonly string[]> = {
  core: ['@types/node'],
  express: ['@types/express'],
  koa: ['@types/koa'],
  hono: ['@types/node'],
  // Either client does: neither is required (issue 15 §5).
  redis: ['redis', 'ioredis'],
};

const DEPENDENCY_FIELDS = ['dependencies', 'peerDependencies', 'optionalDependencies', 'devDependencies'];

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** Every condition path and target of an `exports` value: `[".", "types"] → "./dist/index.d.ts"`. */
function exportTargets(value: unknown, path: string[] = []): { path: string[]; target: string }[] {
  if (typeof value === 'string') return [{ path, target: value }];
  return Object.entries(record(value)).flatMap(([key, inner]) => exportTargets(inner, [...path, key]));
}

/**
 * The problems of one packed manifest (empty when it publishes cleanly). `dir` is the package's
 * directory under packages/, `files` the paths in the tarball relative to `package/`.
 */
export function manifestProblems(dir: string, pkg: Manifest, files: readonly string[]): string[] {
  const problems: string[] = [];
  const present = new Set(files);

  // Node.js packages, conditional exports: a consumer resolving with `--conditions=source` (or a
  // bundler listing "source") would land on our .ts sources, so the condition stays in the workspace.
  const exportsField = record(pkg.exports);
  if (Object.keys(exportsField).length === 0) problems.push('no exports');
  for (const { path, target } of exportTargets(exportsField)) {
    if (path.includes('source')) problems.push(`exports ${path.join(' → ')} is the workspace-only "source" condition`);
    if (!present.has(target.replace(/^\.\//, '')))
      problems.push(`exports ${path.join(' → ')}: ${target} is not in the tarball`);
  }
  if (exportsField['./package.json'] !== './package.json') problems.push('no "./package.json" export');

  // pnpm rewrites workspace: ranges when it packs; a leftover one cannot be installed from npm.
  for (const field of DEPENDENCY_FIELDS) {
    for (const [name, range] of Object.entries(record(pkg[field]))) {
      if (typeof range === 'string' && range.startsWith('workspace:')) problems.push(`${field} ${name}: ${range}`);
    }
  }

  const repository = record(pkg.repository);
  if (repository.type !== 'git' || typeof repository.url !== 'string') problems.push('repository without a git url');
  if (repository.directory !== `packages/${dir}`) problems.push(`repository.directory is not packages/${dir}`);
  if (typeof pkg.homepage !== 'string') problems.push('no homepage');
  if (typeof record(pkg.bugs).url !== 'string') problems.push('no bugs.url');
  if (!Array.isArray(pkg.keywords) || pkg.keywords.length === 0) problems.push('no keywords');
  if (!Array.isArray(pkg.files)) problems.push('no files list');
  if (typeof record(pkg.engines).node !== 'string') problems.push('no engines.node');
  if (pkg.sideEffects !== false) problems.push('sideEffects is not false');
  if (pkg.license !== 'MIT' || !present.has('LICENSE')) problems.push('no MIT license with its LICENSE file');
  if (!present.has('README.md')) problems.push('no README.md');

  const peers = record(pkg.peerDependencies);
  const meta = record(pkg.peerDependenciesMeta);
  const optional = (name: string) => record(meta[name]).optional === true;
  const expected = OPTIONAL_PEERS[dir] ?? [];
  for (const name of expected) {
    if (!(name in peers)) problems.push(`peer ${name} is not declared`);
    else if (!optional(name)) problems.push(`peer ${name} is not optional`);
  }
  // Types packages are for TypeScript users only: never a required peer.
  for (const name of Object.keys(peers)) {
    if (name.startsWith('@types/') && !expected.includes(name) && !optional(name)) {
      problems.push(`peer ${name} is not optional`);
    }
  }
  return problems;
}

/**
 * Source files a declaration map or source map names that the tarball lacks: go-to-definition and
 * stack traces would point at nothing. `maps` holds each map's path and its parsed JSON.
 */
export function missingMapSources(
  maps: readonly { path: string; sources: readonly string[] }[],
  files: readonly string[],
) {
  const present = new Set(files);
  const missing: string[] = [];
  for (const map of maps) {
    const base = map.path.split('/').slice(0, -1);
    for (const source of map.sources) {
      const parts = [...base];
      for (const part of source.split('/')) {
        if (part === '..') parts.pop();
        else if (part !== '.') parts.push(part);
      }
      const resolved = parts.join('/');
      if (!present.has(resolved)) missing.push(`${map.path} → ${resolved}`);
    }
  }
  return missing;
}
