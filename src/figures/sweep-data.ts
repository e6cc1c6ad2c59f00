// A sweep as its figures are drawn from it: what the server sends the dashboard (GET
// /api/sweeps/:name) and what the report builds from the store, the same shape in both, so that
// one function per figure (from-sweep.ts) turns it into that figure's input. Plain JSON: a number
// that is not finite (a diverged run's loss) is null.
import type { SweepValue } from './types.js';

/** The measures of one snapshot of a run (the analysis API's series point, as JSON). */
export interface SeriesData {
  /** log2(step + 1). */
  log2_step: number;
  /** The step after which the snapshot was taken. */
  step: number;
  monosemantic_neurons: number;
  monosemantic_per_feature: number;
  monosemantic_per_neuron: number;
  /** Features with at least one monosemantic neuron (mono / N counts a feature's duplicates). */
  features_covered?: number;
  dead_neurons: number;
  mean_bias: number;
  /** Neurons that pass the 0.999 ratio with a largest activation below `activation_floor`. */
  monosemantic_below_floor?: number;
  activation_floor?: number;
}

/** The configuration fields the figures and captions read (a stored run config has them all). */
export interface RunConfigData {
  N: number;
  m: number;
  k: number;
  eps: number;
  task: string;
  nonlinearity: string;
  sample_kind: string;
  optimizer: string;
  schedule: string;
  learning_rate: number;
  decay: number;
  initial_bias: number;
  reg: number;
  seed: number;
  log2_batch_size: number;
  log2_training_steps: number;
  /** ORT intra-op threads the run trained with. */
  threads: number;
  /** Where it trained (absent in runs stored before devices existed: the CPU). */
  device?: string;
}

/** A settled (finished or diverged) run of a sweep whose files could be read. */
export interface SweepRunData {
  id: string;
  /** The sweep point (grid order) and its swept values. */
  point: number;
  values: Record<string, SweepValue>;
  status: 'finished' | 'diverged';
  /** The step whose loss was not finite, for a diverged run. */
  diverged_at_step: number | null;
  config: RunConfigData;
  /** One point per snapshot, by step. */
  series: SeriesData[];
  /** The data loss recorded every `every` steps, before that step's update. */
  losses: { every: number; steps: number[]; loss: (number | null)[] };
  /** b1 of the final snapshot in heat-map order; null without snapshots. */
  biases: number[] | null;
  /** The expected loss of a model that always outputs zero (analysis/loss.ts `zeroOutputLoss`). */
  zero_output_loss: number;
}

/** A point of the sweep with the status of its run ('missing' before one started). */
export interface SweepPointData {
  point: number;
  values: Record<string, SweepValue>;
  status: 'finished' | 'diverged' | 'running' | 'interrupted' | 'missing';
}

export interface SweepData {
  name: string;
  /** The Table 1 batch it runs, if any. */
  batch: string | null;
  /** The scale's label, e.g. "laptop (batch 2^10, 2^13 steps)". */
  scale: string;
  /** Fixed config fields of the specification. */
  fixed: Record<string, unknown>;
  variables: { field: string; values: SweepValue[] }[];
  points: SweepPointData[];
  /** Settled runs with readable files, in point order. */
  runs: SweepRunData[];
}

/** JSON has no NaN: a non-finite number becomes null. */
const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

/**
 * A settled run as figures read it, from what the store and the analysis give (the report and
 * the server both call this, so the two hold the same data).
 */
export function sweepRunData(run: {
  id: string;
  point: number;
  values: Record<string, SweepValue>;
  summary: { status: 'finished' | 'diverged'; diverged_at_step?: number };
  config: RunConfigData;
  series: readonly SeriesData[];
  losses: { every: number; steps: readonly number[]; loss: readonly (number | null)[] };
  biases: ArrayLike<number> | null;
  zero_output_loss: number;
}): SweepRunData {
  return {
    id: run.id,
    point: run.point,
    values: run.values,
    status: run.summary.status,
    diverged_at_step: run.summary.diverged_at_step ?? null,
    config: run.config,
    series: [...run.series],
    losses: {
      every: run.losses.every,
      steps: [...run.losses.steps],
      loss: run.losses.loss.map((l) => (l === null ? null : finiteOrNull(l))),
    },
    biases: run.biases === null ? null : Array.from(run.biases),
    zero_output_loss: run.zero_output_loss,
  };
}
