/**
 * A new npm project outside the workspace, as a user starts one (`npm init -y`, `"type":
 * "module"`), for the consumer test: install from the registry (and from our tarballs), type-check
 * with a given TypeScript, run files with tsx.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './example-server.js';

/** The registry npm is configured with, and whether it answers (undefined) or why not. */
export async function registryUnreachable(): Promise<{ registry: string; reason: string | undefined }> {
  const configured = await runIn(process.cwd(), 'npm', ['config', 'get', 'registry']);
  const registry = configured.stdout.trim() || 'https://registry.npmjs.org/';
  try {
    // A network check, not a timed assertion: a registry that does not answer in 10 s is unusable.
    const response = await fetch(new URL('typescript', registry), {
      headers: { accept: 'application/vnd.npm.install-v1+json' },
      signal: AbortSignal.timeout(10_000),
    });
    await response.body?.cancel();
    return { registry, reason: response.ok ? undefined : `HTTP ${response.status}` };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string; errors?: { code?: string }[] } }).cause;
    const reason = cause?.code ?? cause?.errors?.[0]?.code ?? cause?.message ?? (error as Error).message;
    return { registry, reason: `${(error as Error).message}: ${reason}` };
  }
}

/** `npm init -y` + `"type": "module"`, written directly. */
export function initApp(dir: string): void {
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: 'scratch-app', private: true, type: 'module' }, null, 2)}\n`,
  );
}

/** `npm install` the given specs (names, `name@range`, tarball paths), from the npm cache when it can. */
export async function npmInstall(dir: string, specs: string[]): Promise<void> {
  const result = await runIn(dir, 'npm', [
    'install',
    '--prefer-offline',
    '--no-audit',
    '--no-fund',
    '--loglevel=error',
    ...specs,
  ]);
  if (result.code !== 0) throw new Error(`npm install failed (${result.code}):\n${result.stdout}${result.stderr}`);
}

export interface Diagnostics {
  /** Errors in the app's own files or in @client-auth/* declarations: ours to fix. */
  ours: string[];
  /** Errors inside other packages' declarations (reported, not ours to fix). */
  theirs: string[];
}

/**
 * `tsc -p <dir>` with the given `bin/tsc`, every error sorted by where it is. The tsconfig is
 * written by the caller.
 */
export async function typeCheck(dir: string, tsc: string): Promise<Diagnostics & { version: string }> {
  const version = (await runIn(dir, process.execPath, [tsc, '--version'])).stdout.trim();
  const result = await runIn(dir, process.execPath, [tsc, '-p', '.', '--pretty', 'false']);
  const diagnostics: Diagnostics = { ours: [], theirs: [] };
  // One diagnostic per "file(line,col): error TSnnnn: …" line; indented lines continue it.
  let last: string[] | undefined;
  for (const line of result.stdout.split('\n')) {
    if (line.trim() === '') continue;
    if (/^\s/.test(line) && last !== undefined && last.length > 0) {
      last[last.length - 1] += `\n${line}`;
      continue;
    }
    const file = /^(.+?)\(\d+,\d+\): error /.exec(line)?.[1] ?? '';
    const theirs = file.includes('node_modules/') && !file.includes('node_modules/@client-auth/');
    last = theirs ? diagnostics.theirs : diagnostics.ours;
    last.push(line);
  }
  if (result.code !== 0 && diagnostics.ours.length + diagnostics.theirs.length === 0) {
    diagnostics.ours.push(`tsc exited ${result.code}: ${result.stdout}${result.stderr}`);
  }
  return { ...diagnostics, version };
}

/** A running snippet: its output so far, and how to stop it. */
export interface Running {
  /** stdout and stderr, interleaved. */
  output(): string;
  stdout(): string;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** Run `file` with the app's tsx (as the README says: `npx tsx <file>`), in `cwd`. */
export function tsx(app: string, cwd: string, file: string, env: Record<string, string>): Running {
  const child: ChildProcess = spawn(join(app, 'node_modules', '.bin', 'tsx'), [file], {
    cwd,
    // The suite's own variables (REDIS_URL from .ci/run, NODE_OPTIONS) are not the user's.
    env: {
      ...Object.fromEntries(Object.entries(process.env).filter(([key]) => ['PATH', 'HOME', 'TMPDIR'].includes(key))),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let stdout = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
    stdout += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => {
    child.on('close', resolve);
    // A spawn failure (no tsx installed) emits 'error' and no 'close'.
    child.on('error', (error) => {
      output += String(error);
      resolve(null);
    });
  });
  return {
    output: () => output,
    stdout: () => stdout,
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * The environment of a user's shell: without what pnpm and vitest add (`npm_package_*`,
 * `npm_lifecycle_*`, `npm_config_*` of the workspace), keeping where npm's registry and cache are.
 */
function userEnv(): NodeJS.ProcessEnv {
  const keep = new Set(['npm_config_registry', 'npm_config_cache', 'npm_config_userconfig']);
  return Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) || keep.has(key.toLowerCase())),
  );
}

function runIn(
  cwd: string,
  command: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(command, args, { cwd, env: userEnv() });
}
