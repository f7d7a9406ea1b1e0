#!/usr/bin/env node
// The whole test suite: type check, lint, then every vitest suite. Ends with the plain line
// "N passed, N failed" that CI reads; exits non-zero when anything failed.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';

const bin = (name) => `node_modules/.bin/${name}`;
let passed = 0;
let failed = 0;

function step(title, command, args) {
  console.log(`\n── ${title}: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit' });
  return result.status === 0;
}

for (const [title, command, args] of [
  ['type check', bin('tsc'), ['-b']],
  ['type check of tests', bin('tsc'), ['-p', 'tsconfig.test.json']],
  ['lint', bin('biome'), ['check', '.']],
]) {
  if (step(title, command, args)) passed += 1;
  else failed += 1;
}

const report = '.vitest-report.json';
rmSync(report, { force: true });
const extra = process.argv.slice(2);
const ok = step('tests', bin('vitest'), [
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${report}`,
  ...extra,
]);
if (existsSync(report)) {
  const results = JSON.parse(readFileSync(report, 'utf8'));
  passed += results.numPassedTests;
  failed += results.numFailedTests;
  // A suite that fails to load counts as a failure even though it ran no test.
  failed += results.testResults.filter(
    (file) => file.status === 'failed' && !file.assertionResults.some((test) => test.status === 'failed'),
  ).length;
  const skipped = results.numPendingTests + results.numTodoTests;
  console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
} else {
  failed += 1;
  console.log(`\n${passed} passed, ${failed} failed`);
}
process.exit(failed === 0 && ok ? 0 : 1);
