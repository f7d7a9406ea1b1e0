/** Small helpers: command-line options, statistics, machine description, table printing. */
import { cpus, totalmem } from 'node:os';

export interface BenchOptions {
  /** Short run (about 1–2 minutes). */
  quick: boolean;
  /** A few iterations per row: only checks that every row runs (the test suite uses it). */
  smoke: boolean;
  /** Sections to run (default all): inprocess, http, jwks, memory. */
  only: Set<string> | undefined;
  /** Where results.json goes. */
  out: string;
  /** Also print the tables as markdown (for bench/README.md). */
  markdown: boolean;
  /** Instead of the sections: profile one HTTP server (`--profile=hono-adapter`, …; see http.ts). */
  profile: string | undefined;
}

export function parseArgs(argv: readonly string[]): BenchOptions {
  let quick = false;
  let smoke = false;
  let only: Set<string> | undefined;
  let markdown = false;
  let profile: string | undefined;
  let out = new URL('./results.json', import.meta.url).pathname;
  for (const arg of argv) {
    if (arg === '--') continue;
    else if (arg === '--quick') quick = true;
    else if (arg === '--smoke') smoke = true;
    else if (arg === '--markdown') markdown = true;
    else if (arg.startsWith('--only=')) only = new Set(arg.slice(7).split(','));
    else if (arg.startsWith('--out=')) out = arg.slice(6);
    else if (arg.startsWith('--profile=')) profile = arg.slice(10);
    else
      throw new Error(
        `bench: unknown argument ${arg} (use --quick, --smoke, --only=inprocess,http,jwks,memory, --out=FILE, --markdown, --profile=SERVER)`,
      );
  }
  return { quick: quick || smoke, smoke, only, out, markdown, profile };
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function machine() {
  const list = cpus();
  return {
    cpuModel: list[0]?.model ?? 'unknown',
    cores: list.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    date: new Date().toISOString(),
  };
}

/** A row that cannot run yet (method or feature missing in this checkout). */
export interface Skipped {
  name: string;
  skipped: string;
}

export function fmt(value: number | undefined, digits = 0): string {
  if (value === undefined || !Number.isFinite(value)) return '–';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Print an aligned text table. */
export function printTable(title: string, header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ');
  console.log(`\n${title}`);
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}

/** The same table as GitHub markdown (for bench/README.md). */
export function markdownTable(header: string[], rows: string[][]): string {
  const out = [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`];
  for (const row of rows) out.push(`| ${row.join(' | ')} |`);
  return out.join('\n');
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
