import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'test/fixtures/**', 'test/open-attacks/**'],
    // Each test file runs in its own child process, so a file's timers and handles are its own.
    pool: 'forks',
    setupFiles: ['test/setup/leaks.ts'],
    // The end-to-end tests load the built renderer: built here once, before any file runs, when
    // renderer/dist is missing or older than its sources.
    globalSetup: ['test/e2e/support/rendererBuild.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
