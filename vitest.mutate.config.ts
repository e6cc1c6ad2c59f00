// The tests `npm run mutate` runs against each mutant of the math (src/graph, src/train,
// src/features, src/analysis): the in-process tests of those folders and the engine harness.
// Tests that spawn the CLI, servers or browsers are left out: Stryker cannot see their coverage.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/{graph,train,features,analysis,engine}/**/*.test.ts'],
    testTimeout: 120_000,
  },
});
