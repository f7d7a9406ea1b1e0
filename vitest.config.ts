import { defineConfig } from 'vitest/config';

// Tests run on the TypeScript sources through the "source" export condition: no build step.
// (Only add "source" to Vite's defaults: listing "import" here would make Vite hand ESM builds to
// CommonJS dependencies such as Express 5's router.)
const conditions = ['source', 'module', 'node', 'development|production'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
