// Micro-benchmark of the feature sampler at the paper's sizes (N = 512, eps = 1/64): milliseconds
// per batch for each distribution and for the abs task's difference, next to what a plain fill(0)
// of the same buffer costs (the work the sampler's clear-only-what-was-written contract avoids).
// Run: npx tsc -p tsconfig.json && node dist/bench/sampler-bench.js

import { featureProbabilities, type SampleKind } from '../src/features/distributions.js';
import { Rng } from '../src/features/rng.js';
import { FeatureSampler } from '../src/features/sampler.js';

const N = 512;
const EPS = 1 / 64;

/**
 * Ms per call of `fn`: the best of 7 rounds of ~100 ms each after a warm-up. The minimum, not the
 * mean, because other processes on the machine only ever make a round slower.
 */
function time(fn: () => void): number {
  for (let i = 0; i < 20; i++) fn();
  let best = Infinity;
  for (let round = 0; round < 7; round++) {
    let calls = 0;
    const start = performance.now();
    while (performance.now() - start < 100) {
      fn();
      calls++;
    }
    best = Math.min(best, (performance.now() - start) / calls);
  }
  return best;
}

for (const batch of [1024, 8192]) {
  const v = new Float32Array(batch * N);
  const cases: [string, SampleKind, boolean][] = [
    ['equal', 'equal', false],
    ['power_law', 'power_law', false],
    ['difference (equal, eps/2 each)', 'equal', true],
    ['difference (power_law, eps/2 each)', 'power_law', true],
  ];
  for (const [name, kind, difference] of cases) {
    const sampler = new FeatureSampler(featureProbabilities(N, difference ? EPS / 2 : EPS, kind), new Rng(1));
    const ms = time(() => (difference ? sampler.sampleDifference(v, batch) : sampler.sample(v, batch)));
    console.log(`N=${N} batch=${batch} eps=1/64 ${name.padEnd(36)} ${ms.toFixed(4)} ms/batch`);
  }
  console.log(
    `N=${N} batch=${batch} ${'fill(0) of the whole buffer'.padEnd(45)} ${time(() => v.fill(0)).toFixed(4)} ms`,
  );
}
