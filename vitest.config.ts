import { defineConfig } from 'vitest/config';

// Tests run on the TypeScript sources through the "source" export condition: no build step.
// (Only add "source" to Vite's defaults: listing "import" here would make Vite hand ESM builds to
// CommonJS dependencies such as Express 5's router.)
const conditions = ['source', 'module', 'node', 'development|production'];

export default defineConfig({
  resolve: { conditions },
  // Vitest also hands the SSR conditions to Node (--conditions) for the dependencies it does not
  // transform; "module" there would resolve @opentelemetry/api to a build only a bundler can load
  // (extensionless imports). Node's own conditions find its Node build, as in an application.
  ssr: {
    resolve: { conditions: conditions.filter((name) => name !== 'module'), externalConditions: ['source'] },
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
