// A small run as the store keeps it, for the store's tests: N=4, m=2, k=3, an 8-step run.
import { parseRunConfig } from '../../src/config/schema.js';
import type { RunRecord, RunSummary, StoredRunConfig } from '../../src/store/types.js';

export const config = (overrides: Record<string, unknown> = {}): StoredRunConfig => ({
  ...parseRunConfig({ N: 4, m: 2, k: 3, log2_training_steps: 3, ...overrides }),
  threads: 2,
  version: '0.1.0',
});

export const ramp = (n: number, start: number) => Float32Array.from({ length: n }, (_, i) => start + i / 8);

/** A consistent record for `c`: snapshots after `steps` (0, 1, 3 and 7 of an 8-step run, in that order by default). */
export function record(c: StoredRunConfig, summary: Partial<RunSummary> = {}, steps = [0, 1, 3, 7]): RunRecord {
  const out = c.task === 're-projector' ? c.m : c.N;
  return {
    config: c,
    losses: { steps: [0, 16], loss: [0.5, 0.25] },
    snapshots: steps.map((step) => ({
      step,
      W1: ramp(c.k * c.m, step),
      b1: ramp(c.k, -step),
      W2: ramp(out * c.k, 100 + step),
    })),
    embeddings: { E: ramp(c.m * c.N, 1), ...(c.task === 're-projector' ? { F: ramp(c.m * c.N, 2) } : {}) },
    summary: {
      status: 'finished',
      data_loss: 0.25,
      monosemantic_neurons: 2,
      monosemantic_per_feature: 0.5,
      mean_bias: -0.125,
      samples_per_second: 1000,
      seconds: 0.5,
      ...summary,
    },
  };
}
