/** Section 4: runs memory-child.ts in a separate process with --expose-gc. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BenchOptions } from './lib.js';

export interface MemoryRow {
  name: string;
  count: number;
  insertSeconds?: number;
  rssGrowthMiB?: number;
  heapGrowthMiB?: number;
  bytesPerEntry?: number;
  afterExpiryRssGrowthMiB?: number;
  afterExpiryHeapGrowthMiB?: number;
  secondsUntilReleased?: number;
  skipped?: string;
}

export async function runMemory(options: BenchOptions, log: (line: string) => void): Promise<MemoryRow[]> {
  const count = options.smoke ? 10_000 : 1_000_000;
  // The store sweeps expired entries at most every 10 s, on writes: wait past that.
  const waitLimitMs = options.smoke ? 500 : options.quick ? 25_000 : 90_000;
  log(`memory: memoryReplayStore with ${count} distinct jti`);
  const root = fileURLToPath(new URL('..', import.meta.url));
  const output = await new Promise<string>((resolve, reject) => {
    execFile(
      process.execPath,
      [
        '--expose-gc',
        '--import',
        'tsx',
        '--conditions=source',
        'bench/memory-child.ts',
        String(count),
        String(waitLimitMs),
      ],
      { cwd: root, maxBuffer: 1 << 20 },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
    );
  });
  const line = output.trim().split('\n').pop() as string;
  return [{ name: 'memoryReplayStore', count, ...JSON.parse(line) }];
}
