/**
 * Section 1: the core's `authenticate()` against the bare work it cannot avoid, in one process,
 * interleaved (baseline, core, baseline, core, …), median of the per-round means.
 *
 * - Secrets: a minimal hand-written Basic parse (base64, split at the first ':', form-decode) or a
 *   read of the two body parameters, a Map lookup, then `timingSafeEqual` with a length check.
 * - JWT methods: `jose.jwtVerify` with the same (pre-imported) key, the same claim checks and a
 *   Map as replay store, against `authenticate()` with `private_key_jwt` / `client_secret_jwt`.
 *
 * Both sides start from the same pre-built request object (what an adapter hands the core).
 */
import { timingSafeEqual } from 'node:crypto';
import {
  type ClientAuthRequest,
  type ClientMetadata,
  createClientAuthenticator,
  type ReplayStore,
} from '@client-auth/core';
import { decodeJwt, jwtVerify } from 'jose';
import {
  BASIC_CLIENT,
  basicHeader,
  ISSUER,
  implemented,
  JWT_BEARER,
  type JwtAlg,
  type JwtClient,
  makeJwtClient,
  memoryReplayStoreFactory,
  ONE_CLIENT_STORE,
  POST_CLIENT,
  secretClients,
  signAssertions,
} from './fixtures.js';
import { type BenchOptions, median } from './lib.js';

export interface InProcessRow {
  name: string;
  method: string;
  baselineName: string;
  baselineNs?: number;
  coreNs?: number;
  ratio?: number;
  target: number;
  /** Set when the row could not run in this checkout. */
  skipped?: string;
  rounds?: number;
  /** How `ratio` was measured: CPU time of batches, or the wall time of single alternated calls. */
  timing?: 'cpu-batches' | 'wall-per-call';
  /** JWT rows: the CPU-time batch ratio too (process CPU, so thread-pool and GC threads count). */
  cpuRatio?: number;
  /** JWT rows: the same measurement of the core against itself (a second authenticator): the noise floor. */
  selfRatio?: number;
}

interface Pair {
  baseline: () => unknown;
  core: () => Promise<unknown>;
}

function fail(): never {
  throw new Error('bench: a credential that must verify did not');
}

// ── the minimal hand-written secret checks ────────────────────────────────────────────────────
// An async function that awaits its client lookup, as the core's API and any real client store
// are asynchronous; everything else is the least a correct check can do.

function formDecode(part: string): string {
  return part.indexOf('%') === -1 && part.indexOf('+') === -1 ? part : decodeURIComponent(part.replace(/\+/g, ' '));
}

function secretEquals(presented: string, expected: Buffer): boolean {
  const bytes = Buffer.from(presented, 'utf8');
  return bytes.length === expected.length && timingSafeEqual(bytes, expected);
}

type SecretLookup = (clientId: string) => Buffer | undefined | Promise<Buffer | undefined>;

async function handBasic(request: ClientAuthRequest, lookup: SecretLookup): Promise<string> {
  const header = request.headers.authorization as string;
  if (!header.startsWith('Basic ')) fail();
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) fail();
  const clientId = formDecode(decoded.slice(0, colon));
  const expected = await lookup(clientId);
  if (expected === undefined || !secretEquals(formDecode(decoded.slice(colon + 1)), expected)) fail();
  return clientId;
}

async function handPost(request: ClientAuthRequest, lookup: SecretLookup): Promise<string> {
  const ids = request.body.client_id;
  const presented = request.body.client_secret;
  if (ids?.length !== 1 || presented?.length !== 1) fail();
  const clientId = ids[0] as string;
  const expected = await lookup(clientId);
  if (expected === undefined || !secretEquals(presented[0] as string, expected)) fail();
  return clientId;
}

function secretPairs(): Record<string, Pair> {
  const clients = new Map(secretClients().map((c) => [c.client_id, c]));
  const secrets = new Map(secretClients().map((c) => [c.client_id, Buffer.from(c.client_secret as string)]));
  // The client store is awaited as any server's would be (the core's getClient may be async too).
  const lookup: SecretLookup = (id) => secrets.get(id);
  const auth = createClientAuthenticator({
    issuer: ISSUER,
    getClient: (id) => clients.get(id),
    allowInsecureTransport: true,
  });
  const basic: ClientAuthRequest = {
    headers: { authorization: basicHeader(BASIC_CLIENT.client_id, BASIC_CLIENT.client_secret) },
    body: { token: ['abc'] },
    query: {},
    secure: false,
  };
  const post: ClientAuthRequest = {
    headers: {},
    body: { token: ['abc'], client_id: [POST_CLIENT.client_id], client_secret: [POST_CLIENT.client_secret] },
    query: {},
    secure: false,
  };
  return {
    client_secret_basic: {
      baseline: () => handBasic(basic, lookup),
      core: () => auth.authenticate(basic, { endpoint: 'revocation' }),
    },
    client_secret_post: {
      baseline: () => handPost(post, lookup),
      core: () => auth.authenticate(post, { endpoint: 'revocation' }),
    },
  };
}

// ── JWT methods ───────────────────────────────────────────────────────────────────────────────

/**
 * A pool of pre-signed assertions with unique jti. When the pool is used up it starts again with a
 * fresh replay store on both sides (swapped behind a stable wrapper, so the authenticator and its
 * caches stay the same); that happens once per pool, far from every call.
 */
async function jwtPair(client: JwtClient, poolSize: number): Promise<Pair> {
  const makeStore = memoryReplayStoreFactory();
  let store: ReplayStore | undefined = makeStore?.(ONE_CLIENT_STORE);
  const replayStore: ReplayStore = { consume: (c, j, e) => (store as ReplayStore).consume(c, j, e) };
  const registered = new Map<string, ClientMetadata>([[client.clientId, client.metadata]]);
  const options: Parameters<typeof createClientAuthenticator>[0] & { replayStore?: ReplayStore } = {
    issuer: ISSUER,
    getClient: (id) => registered.get(id),
  };
  if (store !== undefined) options.replayStore = replayStore;
  const auth = createClientAuthenticator(options);

  const pool = await signAssertions(client, poolSize);
  const coreRequests = pool.map(
    (assertion): ClientAuthRequest => ({
      headers: {},
      body: { token: ['abc'], client_assertion_type: [JWT_BEARER], client_assertion: [assertion] },
      query: {},
      secure: false,
    }),
  );
  let coreIndex = 0;
  let baseIndex = 0;
  let seen = new Map<string, number>();
  const keys = new Map([[client.clientId, client.verifyKey]]);
  const algorithms = [client.alg];

  return {
    // jose.jwtVerify with the same key and claim checks, plus a Map as the replay store.
    async baseline() {
      if (baseIndex === pool.length) {
        baseIndex = 0;
        seen = new Map();
      }
      const request = coreRequests[baseIndex++] as ClientAuthRequest;
      if (request.body.client_assertion_type?.[0] !== JWT_BEARER) fail();
      const assertion = request.body.client_assertion?.[0] as string;
      const clientId = decodeJwt(assertion).iss as string;
      const key = keys.get(clientId);
      if (key === undefined) fail();
      const { payload } = await jwtVerify(assertion, key, {
        issuer: clientId,
        subject: clientId,
        audience: ISSUER,
        algorithms,
        requiredClaims: ['exp', 'jti'],
        maxTokenAge: 3600,
        clockTolerance: 15,
      });
      const jti = `${clientId}:${payload.jti}`;
      if (seen.has(jti)) fail();
      seen.set(jti, payload.exp as number);
      return clientId;
    },
    core() {
      if (coreIndex === pool.length) {
        coreIndex = 0;
        store = makeStore?.(ONE_CLIENT_STORE);
      }
      return auth.authenticate(coreRequests[coreIndex++] as ClientAuthRequest, { endpoint: 'token' });
    },
  };
}

/**
 * Run `fn` `count` times back to back (awaiting only what returns a promise); CPU nanoseconds per
 * call. CPU time of this process (process.cpuUsage: every thread, so GC counts), not wall time: a
 * batch that the scheduler preempts on a shared machine does not look slower for it.
 */
async function timeLoop(fn: () => unknown, count: number): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < count; i++) {
    const result = fn();
    if (result instanceof Promise) await result;
  }
  const { user, system } = process.cpuUsage(start);
  return ((user + system) * 1000) / count;
}

/**
 * Interleaved rounds: each round times a batch of baseline calls and a batch of core calls (order
 * alternating), each batch sized to last about `roundMs`. Timing whole batches, not single calls,
 * keeps the timer's own cost (~100 ns) out of sub-microsecond figures.
 */
async function measurePair(pair: Pair, options: BenchOptions) {
  // Both must succeed before anything is timed (a failure throws).
  await pair.baseline();
  await pair.core();
  const rounds = options.smoke ? 1 : options.quick ? 15 : 41;
  const roundMs = options.smoke ? 0 : options.quick ? 60 : 100;
  // Calibrate: warm both up, then size each batch from a short timed run.
  const sizes: Record<'baseline' | 'core', number> = { baseline: 3, core: 3 };
  if (!options.smoke) {
    for (const name of ['baseline', 'core'] as const) {
      let count = 16;
      let ns = await timeLoop(pair[name], count);
      while (count * ns < 20e6 && count < 1e7) {
        count *= 4;
        ns = await timeLoop(pair[name], count);
      }
      sizes[name] = Math.max(16, Math.round((roundMs * 1e6) / ns));
    }
  }
  const baseNs: number[] = [];
  const coreNs: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < rounds; round++) {
    let b: number;
    let c: number;
    if (round % 2 === 0) {
      b = await timeLoop(pair.baseline, sizes.baseline);
      c = await timeLoop(pair.core, sizes.core);
    } else {
      c = await timeLoop(pair.core, sizes.core);
      b = await timeLoop(pair.baseline, sizes.baseline);
    }
    baseNs.push(b);
    coreNs.push(c);
    ratios.push(c / b);
  }
  return { baselineNs: median(baseNs), coreNs: median(coreNs), ratio: median(ratios), rounds };
}

/**
 * Calls alternate one by one (baseline, core, baseline, core, …), each timed on the wall clock;
 * the figures are the median call of each side. For the JWT rows: the signature check runs on
 * libuv's thread pool, whose CPU time (and the GC helper threads') is where a shared machine's
 * noise lands in `process.cpuUsage` (the core against itself spreads ±10 % there), while a
 * preempted call only moves the median of single calls by one place. Alternating single calls
 * also keeps slow drifts (frequency, neighbours) the same for both sides.
 */
async function measureAlternating(pair: Pair, options: BenchOptions) {
  await pair.baseline();
  await pair.core();
  const calls = options.smoke ? 3 : options.quick ? 3000 : 10000;
  const warmup = options.smoke ? 0 : Math.min(1000, calls);
  const base: number[] = [];
  const core: number[] = [];
  for (let i = 0; i < warmup + calls; i++) {
    let start = process.hrtime.bigint();
    await pair.baseline();
    const b = Number(process.hrtime.bigint() - start);
    start = process.hrtime.bigint();
    await pair.core();
    const c = Number(process.hrtime.bigint() - start);
    if (i >= warmup) {
      base.push(b);
      core.push(c);
    }
  }
  const baselineNs = median(base);
  const coreNs = median(core);
  return { baselineNs, coreNs, ratio: coreNs / baselineNs, rounds: calls };
}

interface JwtRowSpec {
  name: string;
  alg: JwtAlg;
  method: 'private_key_jwt' | 'client_secret_jwt';
}

/** The JWT rows: one line each to add another algorithm. */
const JWT_ROWS: JwtRowSpec[] = [
  { name: 'private_key_jwt ES256', alg: 'ES256', method: 'private_key_jwt' },
  { name: 'private_key_jwt PS256', alg: 'PS256', method: 'private_key_jwt' },
  { name: 'client_secret_jwt HS256', alg: 'HS256', method: 'client_secret_jwt' },
];

export async function runInProcess(options: BenchOptions, log: (line: string) => void): Promise<InProcessRow[]> {
  const rows: InProcessRow[] = [];
  const secrets = secretPairs();
  for (const method of ['client_secret_basic', 'client_secret_post'] as const) {
    log(`in-process: ${method}`);
    const row: InProcessRow = {
      name: method,
      method,
      baselineName: 'hand-written parse + timingSafeEqual',
      target: 2,
    };
    if (!implemented(method)) row.skipped = 'not implemented';
    else Object.assign(row, await measurePair(secrets[method] as Pair, options), { timing: 'cpu-batches' });
    rows.push(row);
  }
  for (const spec of JWT_ROWS) {
    log(`in-process: ${spec.name}`);
    const row: InProcessRow = { name: spec.name, method: spec.method, baselineName: 'jose jwtVerify', target: 1.1 };
    if (!implemented(spec.method)) row.skipped = 'not implemented';
    else {
      // Pool sizes: enough for most rounds without a wrap; RSA signing is slow, so fewer.
      const poolSize = options.smoke ? 64 : spec.alg === 'PS256' ? 2000 : options.quick ? 4000 : 10000;
      const client = await makeJwtClient(spec.alg);
      const pair = await jwtPair(client, poolSize);
      Object.assign(row, await measureAlternating(pair, options), { timing: 'wall-per-call' });
      row.cpuRatio = (await measurePair(pair, options)).ratio;
      // The noise floor: the same alternation, the core against a second authenticator of its own.
      const twin = await jwtPair(client, poolSize);
      row.selfRatio = (await measureAlternating({ baseline: twin.core, core: pair.core }, options)).ratio;
    }
    rows.push(row);
  }
  return rows;
}
