/**
 * Section 4, in its own process (started with --expose-gc): RSS and heap of the in-memory replay
 * store after `count` distinct jti, and again after they expired. Prints one JSON line.
 */
import { memoryReplayStoreFactory } from './fixtures.js';

const count = Number(process.argv[2] ?? 1_000_000);
const waitLimitMs = Number(process.argv[3] ?? 30_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('memory-child needs --expose-gc');

const factory = memoryReplayStoreFactory();
if (factory === undefined) {
  console.log(JSON.stringify({ skipped: 'not implemented (no memoryReplayStore export)' }));
  process.exit(0);
}

function measure() {
  gc?.();
  gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed };
}

// Room for every jti, all of one client: the default caps (100,000 entries, 10,000 per client)
// would refuse the rest, fail-closed.
const store = factory({ maxEntries: count + 100_000, maxEntriesPerClient: count + 100_000 });
const before = measure();
const insertStart = performance.now();
// Everything expires shortly after the last insertion: 2 s plus the estimated insertion time.
const ttlMs = 2000 + Math.max(2000, count / 200);
const expiresAt = Date.now() + ttlMs;
for (let i = 0; i < count; i++) {
  if (!(await store.consume('bench-client', `jti-${i.toString(36)}-${i}`, expiresAt))) throw new Error('jti refused');
}
const insertSeconds = (performance.now() - insertStart) / 1000;
const full = measure();

// Wait for expiry, keep the store in use (a store may sweep lazily on writes), until the heap is
// back near where it started or the time limit is reached.
const waitStart = Date.now();
let after = measure();
let extra = 0;
while (Date.now() - waitStart < waitLimitMs) {
  await new Promise((resolve) => setTimeout(resolve, 250));
  for (let i = 0; i < 100; i++) await store.consume('bench-client', `late-${extra++}`, Date.now() + 1);
  after = measure();
  if (Date.now() > expiresAt && after.heapUsed - before.heapUsed < (full.heapUsed - before.heapUsed) * 0.1) break;
}
console.log(
  JSON.stringify({
    count,
    insertSeconds,
    rssGrowthMiB: (full.rss - before.rss) / 2 ** 20,
    heapGrowthMiB: (full.heapUsed - before.heapUsed) / 2 ** 20,
    bytesPerEntry: (full.heapUsed - before.heapUsed) / count,
    afterExpiryRssGrowthMiB: (after.rss - before.rss) / 2 ** 20,
    afterExpiryHeapGrowthMiB: (after.heapUsed - before.heapUsed) / 2 ** 20,
    secondsUntilReleased: (Date.now() - expiresAt) / 1000,
  }),
);
