import { defineConfig } from 'vitest/config';

// Components need a DOM (happy-dom); the client, the rules and the integration test run in plain Node.
export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        test: { name: 'node', environment: 'node', include: ['test/**/*.test.ts'] },
      },
      {
        extends: true,
        test: { name: 'dom', environment: 'happy-dom', include: ['test/**/*.test.tsx'] },
      },
    ],
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
