// What a run store keeps. Tensor shapes are never passed in: they follow from the config
// (see `tensorShapes` in run-folder.ts), and every array is checked against them.
import type { Device } from '../train/device.js';
import type { RunConfig } from '../config/schema.js';
import type { Embeddings } from '../graph/step.js';
import type { Snapshot } from '../train/loop.js';

export type { Embeddings, Snapshot };

/** `running` until finishRun commits; a run whose process died stays `running` until a resumed
 * sweep marks it `interrupted` and starts its point again. */
export type RunStatus = 'running' | 'finished' | 'diverged' | 'interrupted';

/** The config as stored: the validated RunConfig plus how the run was executed. */
export type StoredRunConfig = RunConfig & {
  threads: number;
  /** Where it trained, and how many runs shared its step graph (absent in runs made before both existed). */
  device?: Device;
  together?: number;
  /** The toymodels package version that produced the run. */
  version: string;
};

/**
 * Final metrics. Non-finite numbers (a diverged loss) are stored as null and read back as NaN. The
 * optional fields are absent from runs stored before they existed.
 */
export interface RunSummary {
  status: 'finished' | 'diverged';
  diverged_at_step?: number;
  /** Mean of the last 8 recorded losses (SPEC.md's final data loss), and its standard error. */
  data_loss: number;
  data_loss_se?: number;
  /** Mean of the last 64 recorded losses, and its standard error. */
  data_loss_last64?: number;
  data_loss_last64_se?: number;
  monosemantic_neurons: number;
  monosemantic_per_feature: number;
  /** Distinct features that some monosemantic neuron responds to most. */
  features_covered?: number;
  /** Neurons that no single feature activates. */
  dead_neurons?: number;
  mean_bias: number;
  samples_per_second: number;
  seconds: number;
}

/** The data loss recorded every `every` steps; non-finite losses read back as NaN. */
export interface LossTrace {
  every: number;
  steps: number[];
  loss: number[];
}



/** Everything finishRun persists for a run. */
export interface RunRecord {
  config: StoredRunConfig;
  /** `every` defaults to LOSS_EVERY (16). */
  losses: { every?: number; steps: number[]; loss: number[] };
  snapshots: Snapshot[];
  embeddings: Embeddings;
  summary: RunSummary;
}

/** A finished run read back from its folder. */
export interface LoadedRun extends RunRecord {
  id: string;
  losses: LossTrace;
}

/** A row of the index, its JSON columns parsed. `final` is null while the run is `running`. */
export interface RunRow {
  id: string;
  status: RunStatus;
  created_at: string;
  finished_at: string | null;
  config: StoredRunConfig;
  final: RunSummary | null;
  /** The latest progress a running run reported (kept after it ends); null before the first. */
  progress: RunProgress | null;
}

/** How far a run has got: steps done of `steps`, and the latest recorded data loss. */
export interface RunProgress {
  step: number;
  steps: number;
  loss: number;
  at: string;
}

/** A sweep as stored: its name, its specification (owned by src/sweep) and its scale's label. */
export interface SweepRow {
  name: string;
  spec: object;
  scale: string;
  created_at: string;
}

/** Which sweep point a run was made for. */
export interface SweepLink {
  sweep: string;
  point: number;
}
