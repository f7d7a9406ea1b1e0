/**
 * A real Redis for the test suites. `REDIS_URL` when it is set; otherwise a `redis-server` found on
 * PATH, started by the test itself on 127.0.0.1 and a free port (no persistence); otherwise the
 * Redis suites are skipped, and the reason is printed once per test run.
 *
 * Suites that stop, pause and restart Redis (fail-closed tests) always use a server of their own,
 * because a Redis behind `REDIS_URL` is not theirs to stop: they need the binary.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort } from './example-server.js';

export { freePort };

/** The executable `name` on PATH, if any. */
export function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The `redis-server` binary the helper can start, if any. */
export const redisServerBinary: string | undefined = findOnPath('redis-server');
/** `REDIS_URL` from the environment, if set. */
export const redisUrlFromEnv: string | undefined = process.env.REDIS_URL || undefined;

/** Why suites needing any Redis are skipped, or undefined when they run. */
export const noRedisReason: string | undefined =
  redisUrlFromEnv === undefined && redisServerBinary === undefined
    ? 'REDIS_URL is not set and no redis-server binary is on PATH (apt-get install redis-server, or set REDIS_URL)'
    : undefined;

/** Why suites that stop and restart their own Redis are skipped, or undefined when they run. */
export const noOwnRedisReason: string | undefined =
  redisServerBinary === undefined
    ? 'no redis-server binary is on PATH: the fail-closed tests must stop and restart a Redis of their own (apt-get install redis-server)'
    : undefined;

/**
 * Print why Redis suites are skipped, once per test run (vitest runs each file in a worker whose
 * parent is the vitest process: a marker file named after it keeps the message to one).
 */
export function reportSkip(reason: string | undefined): void {
  if (reason === undefined) return;
  const digest = createHash('sha256').update(reason).digest('hex').slice(0, 16);
  const marker = join(tmpdir(), `client-auth-redis-skip-${process.ppid}-${digest}`);
  try {
    writeFileSync(marker, reason, { flag: 'wx' });
  } catch {
    return;
  }
  console.warn(`\n[redis tests skipped] ${reason}\n`);
}

/** One PING over a raw socket: true when the server answered +PONG. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let answer = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
      if (answer.includes('\r\n')) done(answer.startsWith('+PONG'));
    });
  });
}

// A test process that dies must not leave its redis-server behind.
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A redis-server process owned by the test: start, stop, pause, resume, restart on the same port. */
export class OwnRedisServer {
  readonly port: number;
  readonly url: string;
  readonly #dir: string;
  readonly #extraArgs: string[];
  #child: ChildProcess | undefined;
  #output = '';
  #paused = false;

  private constructor(port: number, extraArgs: string[]) {
    this.port = port;
    this.url = `redis://127.0.0.1:${port}`;
    this.#dir = mkdtempSync(join(tmpdir(), 'client-auth-redis-'));
    this.#extraArgs = extraArgs;
  }

  /** The server's working directory (a cluster node keeps its nodes.conf there). */
  get dir(): string {
    return this.#dir;
  }

  /** Start a redis-server on a free port of 127.0.0.1. Needs {@link redisServerBinary}. */
  static async start(): Promise<OwnRedisServer> {
    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const server = new OwnRedisServer(await freePort(), []);
      try {
        await server.restart();
        return server;
      } catch (error) {
        lastError = error;
        await server.close();
      }
    }
    throw lastError;
  }

  /** Start a redis-server on `port` with `extraArgs` (cluster mode, …) added to the usual ones. */
  static async startOn(port: number, extraArgs: string[]): Promise<OwnRedisServer> {
    const server = new OwnRedisServer(port, extraArgs);
    try {
      await server.restart();
    } catch (error) {
      await server.close();
      throw error;
    }
    return server;
  }

  get running(): boolean {
    return this.#child !== undefined;
  }

  /** Start (again) on the same port and wait until it answers PING. */
  async restart(): Promise<void> {
    if (this.#child !== undefined) return;
    if (redisServerBinary === undefined) throw new Error(noOwnRedisReason);
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    args.push('--dir', this.#dir, '--daemonize', 'no', ...this.#extraArgs);
    const child = spawn(redisServerBinary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    children.add(child);
    this.#output = '';
    const keep = (chunk: Buffer) => {
      this.#output = (this.#output + chunk.toString()).slice(-4000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    let exited = false;
    child.once('exit', () => {
      exited = true;
      children.delete(child);
      if (this.#child === child) this.#child = undefined;
    });
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (exited) throw new Error(`redis-server exited at start on port ${this.port}:\n${this.#output}`);
      if (await ping(this.port)) return;
      await sleep(50);
    }
    await this.stop();
    throw new Error(`redis-server did not answer PING on port ${this.port}:\n${this.#output}`);
  }

  /** Stop the server (SIGTERM, then SIGKILL) and wait until the process is gone. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (child === undefined) return;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGCONT');
      this.#paused = false;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    this.#child = undefined;
  }

  /** Freeze the server (SIGSTOP): connections stay open, nothing is answered. */
  pause(): void {
    if (this.#child?.kill('SIGSTOP')) this.#paused = true;
  }

  /** Undo {@link pause}. */
  resume(): void {
    this.#child?.kill('SIGCONT');
    this.#paused = false;
  }

  /** True between {@link pause} and {@link resume}. */
  get paused(): boolean {
    return this.#paused;
  }

  /** Stop and remove the working directory. */
  async close(): Promise<void> {
    await this.stop();
    rmSync(this.#dir, { recursive: true, force: true });
  }
}

/** A Redis to run a suite against: `REDIS_URL` if set, else one started here. */
export interface SuiteRedis {
  url: string;
  /** Where it came from, for messages. */
  source: 'REDIS_URL' | 'redis-server started by the test';
  close(): Promise<void>;
}

/** `REDIS_URL` when set, else an {@link OwnRedisServer}. Call only when {@link noRedisReason} is undefined. */
export async function suiteRedis(): Promise<SuiteRedis> {
  if (redisUrlFromEnv !== undefined) return { url: redisUrlFromEnv, source: 'REDIS_URL', close: async () => {} };
  const server = await OwnRedisServer.start();
  return { url: server.url, source: 'redis-server started by the test', close: () => server.close() };
}

/** Poll `attempt` until it returns true or `ms` milliseconds passed; true when it succeeded. */
export async function eventually(attempt: () => Promise<boolean>, ms = 20_000, every = 100): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await attempt()) return true;
    await sleep(every);
  }
  return false;
}
