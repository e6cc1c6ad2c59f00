// The tests `npm run mutate` runs against each mutant of the math (src/graph, src/train,
// src/features, src/analysis, src/figures/from-sweep.ts): the in-process tests of those folders,
// the engine harness and the sweep-to-figure tests.
// Tests that spawn the CLI, servers or browsers are left out: Stryker cannot see their coverage.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/{graph,train,features,analysis,engine}/**/*.test.ts', 'test/figures/from-sweep.test.ts'],
    testTimeout: 120_000,
  },
});
