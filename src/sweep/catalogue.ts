// Table 1 of the seed (SPEC.md), with the sweep values its author used (all rows: N=512, m=64).
// Browser-safe: the playground's presets are these rows; `batchSpec` (spec.ts) makes a sweep of one.
import type { RunConfigInput } from '../config/schema.js';
import { parseVariable, type SweepVariable } from './values.js';

export interface Batch {
  name: string;
  /** Fixed config fields; the swept ones are absent. */
  fixed: RunConfigInput;
  variables: SweepVariable[];
}

/** SPEC.md's sweep values, as range words. */
const VALUES = {
  learning_rate: ['0.001', '0.003', '0.005', '0.007', '0.01', '0.03'],
  initial_bias: ['lin:-2:1:11'],
  eps: ['pow2:-1:-5:11'],
  k: ['pow2:4:11'],
  reg: ['log:1e-1:1e-7:7'],
  decay: ['log:1e-1:1e-7:7'],
} as const;

type Swept = keyof typeof VALUES;

function batch(name: string, fixed: RunConfigInput, ...swept: Swept[]): Batch {
  return {
    name,
    fixed: { N: 512, m: 64, ...fixed },
    variables: swept.map((field) => parseVariable(field, [...VALUES[field]])),
  };
}

const decoder = { task: 'decoder', nonlinearity: 'ReLU', sample_kind: 'equal', k: 1024, eps: 1 / 64, reg: 0 } as const;

export const CATALOGUE: readonly Batch[] = [
  batch('LR1', { ...decoder, decay: 0, initial_bias: 0 }, 'learning_rate'),
  batch('LR2', { ...decoder, sample_kind: 'power_law', decay: 0, initial_bias: 0 }, 'learning_rate'),
  batch('LR3', { ...decoder, decay: 0.03, initial_bias: -1 }, 'learning_rate'),
  batch('B1', { ...decoder, eps: 1 / 16, learning_rate: 0.003, decay: 0.03 }, 'initial_bias'),
  batch('B2', { ...decoder, eps: 1 / 32, learning_rate: 0.003, decay: 0.003 }, 'initial_bias'),
  batch('B3', { ...decoder, eps: 1 / 64, learning_rate: 0.003, decay: 0.003 }, 'initial_bias'),
  batch('B4', { ...decoder, eps: 1 / 128, learning_rate: 0.003, decay: 0.003 }, 'initial_bias'),
  batch('B5', { ...decoder, eps: 1 / 256, learning_rate: 0.003, decay: 0.003 }, 'initial_bias'),
  batch('LR4', { ...decoder, sample_kind: 'power_law', decay: 0.03, initial_bias: -1 }, 'learning_rate'),
  batch('B3-GeLU', { ...decoder, nonlinearity: 'GeLU', decay: 0.03 }, 'learning_rate', 'initial_bias'),
  batch('E1', { ...decoder, learning_rate: 0.003, decay: 0.03, initial_bias: -1 }, 'eps'),
  batch('E2', { ...decoder, learning_rate: 0.003, decay: 0.01, initial_bias: -1 }, 'eps'),
  batch('E3', { ...decoder, learning_rate: 0.003, decay: 0.003, initial_bias: -1 }, 'eps'),
  batch('E4', { ...decoder, learning_rate: 0.003, decay: 0.001, initial_bias: -1 }, 'eps'),
  batch('K0', { ...decoder, learning_rate: 0.007, decay: 0, initial_bias: 0 }, 'k'),
  batch('K1', { ...decoder, learning_rate: 0.007, decay: 0.03, initial_bias: -1 }, 'k'),
  batch('K2', { ...decoder, sample_kind: 'power_law', learning_rate: 0.007, decay: 0.03, initial_bias: -1 }, 'k'),
  batch('RG1', { ...decoder, learning_rate: 0.005, decay: 0.03, initial_bias: -1 }, 'reg'),
  batch('RP1', { ...decoder, task: 're-projector', decay: 0.03, initial_bias: -1 }, 'learning_rate'),
  batch('LR5', { ...decoder, task: 'abs', k: 2048, decay: 0.03, initial_bias: -1 }, 'learning_rate'),
  batch('D1', { ...decoder, task: 'abs', k: 2048, learning_rate: 0.007, initial_bias: -1 }, 'decay'),
].map((b) => {
  // The swept fields are not fixed: drop the shared defaults that a row sweeps.
  const fixed = { ...b.fixed } as Record<string, unknown>;
  for (const v of b.variables) delete fixed[v.field];
  return { ...b, fixed: fixed as RunConfigInput };
});

export const BATCH_NAMES = CATALOGUE.map((b) => b.name);

export function findBatch(name: string): Batch | undefined {
  return CATALOGUE.find((b) => b.name.toLowerCase() === name.toLowerCase());
}
