import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['e2e/**/*.test.ts', 'bench/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // expect.poll's own default (1 s) is too short for a page on a machine at ten times its load; the support's
    // STATE_TIMEOUT is the same minute.
    expect: { poll: { timeout: 60_000 } },
    // Browser tests share one machine's two cores: run files one after another.
    fileParallelism: false,
    // The server serves each app's dist/ only if it exists when it starts: build the apps first when stale.
    globalSetup: ['support/build-apps.ts'],
  },
});
