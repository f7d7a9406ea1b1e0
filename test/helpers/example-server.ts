/**
 * Start an example authorization server (examples/<name>) as a child process, exactly as a user
 * does with `pnpm --dir examples/<name> start`, on a free port, and stop it afterwards.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX = `${ROOT}node_modules/.bin/tsx`;

/** A free TCP port on loopback (asked from the OS, then released). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export interface RunningExample {
  /** Base URL of the plain HTTP listener on loopback. */
  url: string;
  port: number;
  /** Everything the process printed so far. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Start `examples/<name>` with the given environment; resolves once it printed "listening". The
 * suite's own `REDIS_URL` (.ci/run sets one) is not passed on: an example uses Redis only when
 * `env` says so, so that no state outlives a run or leaks between tests.
 */
export async function startExample(name: string, env: Record<string, string> = {}): Promise<RunningExample> {
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const child: ChildProcess = spawn(TSX, ['--conditions=source', `examples/${name}/src/server.ts`], {
    cwd: ROOT,
    env: { ...process.env, REDIS_URL: '', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`examples/${name} did not start:\n${output}`)), 30_000);
    const check = () => {
      if (/listening/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`examples/${name} exited with ${code}:\n${output}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Where and how {@link run} starts its command. */
export interface RunOptions {
  /** Written to the command's stdin, which is then closed. */
  input?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** Run a command (curl, openssl, npm, tsc) and collect its output. */
export async function run(
  command: string,
  args: string[],
  input?: string | RunOptions,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const options = typeof input === 'string' || input === undefined ? { input } : input;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(options.input);
  });
}

/** curl with the given arguments; the status and the parsed JSON body (empty object when none). */
export async function curlJson(args: string[]): Promise<{ status: number; body: Record<string, unknown> }> {
  const { code, stdout, stderr } = await run('curl', ['-sS', '-w', '\n%{http_code}', ...args]);
  if (code !== 0) throw new Error(`curl failed (${code}): ${stderr}`);
  const newline = stdout.lastIndexOf('\n');
  const text = stdout.slice(0, newline);
  return { status: Number(stdout.slice(newline + 1)), body: text === '' ? {} : JSON.parse(text) };
}

/**
 * Start `examples/<name>` on a free port whose loopback URL is also its `ISSUER` (`http://127.0.0.1:<port>`,
 * a local issuer: secrets over plain HTTP allowed), for suites that sign assertions for that issuer.
 */
export async function startExampleAtLoopbackIssuer(
  name: string,
  env: Record<string, string> = {},
): Promise<RunningExample & { issuer: string }> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const server = await startExample(name, { PORT: String(port), ISSUER: issuer, ...env });
  return Object.assign(server, { issuer });
}

/** The JSON lines (the pino log) an example server printed so far; other output is skipped. */
export function logLines(server: RunningExample): Record<string, unknown>[] {
  return server
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
