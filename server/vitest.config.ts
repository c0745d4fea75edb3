import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Real sockets, real processes and real Redis: sized for a busy CI machine (10× its cores' load), never for speed.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
