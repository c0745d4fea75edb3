import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The model-based properties play thousands of commands per test, bounded by runs: on a machine at 10× its cores'
    // load one took 272 s, so the limit only catches a hang.
    testTimeout: 900_000,
    coverage: {
      provider: 'v8',
      include: ['src/**'],
      reporter: ['text-summary', 'text'],
      thresholds: { lines: 95 },
    },
  },
});
