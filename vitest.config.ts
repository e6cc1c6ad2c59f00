import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // End-to-end tests spawn the CLI and train small models; on a loaded 2-core machine that takes seconds.
    testTimeout: 120_000,
  },
});
