/**
 * `pnpm fuzz [--runs N] [--seed S] [--target name]`: the property-test targets of
 * packages/core/test/properties/targets.ts fed with many more inputs (default 1,000,000 across all
 * targets). Prints per-target input counts and outcomes, and every property violation or
 * unexpected exception with the input that caused it (shrunk by fast-check). Exits 1 on any.
 */
import { performance } from 'node:perf_hooks';
import fc from 'fast-check';
import { TARGETS } from '../packages/core/test/properties/targets.js';

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? undefined : process.argv[index + 1];
}

const totalRuns = Number(argument('runs') ?? 1_000_000);
const seed = Number(argument('seed') ?? Date.now() % 2 ** 31);
const only = argument('target');
if (!Number.isSafeInteger(totalRuns) || totalRuns < 1) throw new Error('--runs must be a positive integer');

/** Full authenticate() calls cost more than a parse: they get a smaller share of the inputs. */
const WEIGHT: Record<string, number> = { 'authenticate-assertion': 0.5, 'authenticate-request': 0.5 };
const targets = TARGETS.filter((target) => only === undefined || target.name === only);
if (targets.length === 0) throw new Error(`no target named ${only}; targets: ${TARGETS.map((t) => t.name).join(', ')}`);
const weightSum = targets.reduce((sum, target) => sum + (WEIGHT[target.name] ?? 1), 0);

console.log(`fuzzing ${targets.length} targets with ${totalRuns.toLocaleString('en')} inputs, seed ${seed}`);
let violations = 0;
let inputs = 0;
const started = performance.now();
for (const target of targets) {
  const runs = Math.max(1, Math.round((totalRuns * (WEIGHT[target.name] ?? 1)) / weightSum));
  const outcomes = new Map<string, number>();
  const property = fc.asyncProperty(target.arbitrary, async (input) => {
    const label = await target.run(input);
    outcomes.set(label, (outcomes.get(label) ?? 0) + 1);
  });
  const t0 = performance.now();
  const details = await fc.check(property, { numRuns: runs, seed, endOnFailure: false });
  const ms = performance.now() - t0;
  inputs += details.numRuns;
  const top = [...outcomes.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([label, count]) => `${label} ${count}`)
    .join(', ');
  const status = details.failed ? 'FAILED' : 'ok';
  console.log(
    `${target.name.padEnd(24)} ${String(details.numRuns).padStart(9)} inputs  ${(ms / 1000).toFixed(1).padStart(6)} s  ${status}  [${top}${outcomes.size > 6 ? ', …' : ''}]`,
  );
  if (details.failed) {
    violations++;
    console.log(`  counterexample (shrunk): ${fc.stringify(details.counterexample)}`);
    console.log(
      `  error: ${details.errorInstance instanceof Error ? details.errorInstance.stack : String(details.errorInstance)}`,
    );
    console.log(`  replay: pnpm fuzz --target ${target.name} --seed ${seed} (path ${details.counterexamplePath})`);
  }
}
const seconds = (performance.now() - started) / 1000;
console.log(
  `\n${inputs.toLocaleString('en')} inputs in ${seconds.toFixed(1)} s: ${violations === 0 ? 'no crash, no property violation' : `${violations} target(s) FAILED`}`,
);
process.exitCode = violations === 0 ? 0 : 1;
