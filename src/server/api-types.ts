// The dashboard's JSON API, as types the browser code can import: type-only, no Node imports; the
// only imports are types of the browser-safe figure data (src/figures), so that the web app's
// type-check never reaches the server's dependencies.
// The server builds every response as one of these types, so a change here that the server does
// not follow fails `tsc`. The endpoints themselves are described in api.ts.
//
// What the store holds is typed once, by its schemas (src/config/stored.ts): the types here are
// derived from them. JSON has no NaN or Infinity: a non-finite number (the loss of a diverged run)
// arrives as null, which is the schemas' input side (`number | null`).

import type { z } from 'zod';
import type {
  lossTraceSchema,
  runProgressSchema,
  runSummarySchema,
  RunStatus,
  StoredRunConfig,
} from '../config/stored.js';
import type { AmplitudePanel } from '../figures/amplitude-response.js';
import type { SweepRunData } from '../figures/sweep-data.js';

export type { RunStatus, SweepRunData };

/** A run's full configuration as stored (every field filled in), plus how it was executed. */
export type RunConfig = StoredRunConfig;

/** Final metrics of a finished or diverged run. */
export type RunSummary = z.input<typeof runSummarySchema>;

/** How far a run has got: `step` of `steps` done, the latest recorded loss, when (ISO time). */
export type RunProgress = z.input<typeof runProgressSchema>;

/** One run as the store's index has it. */
export interface RunRow {
  /** e.g. 20261126-150102-a1b2c3 (UTC creation time, then random hex). */
  id: string;
  status: RunStatus;
  created_at: string;
  finished_at: string | null;
  config: RunConfig;
  /** null while running (and for an interrupted run). */
  final: RunSummary | null;
  /** The latest progress the run reported; null before the first report. */
  progress: RunProgress | null;
}

/** A run row in `/api/runs`, with the sweeps it was made for. */
export interface RunListRow extends RunRow {
  sweeps: string[];
}

/** The store being served. `message` says why it is empty or unreadable (null when all is well). */
export interface StoreInfo {
  /** Absolute path of the store directory. */
  dir: string;
  /** false when the directory or its index.sqlite does not exist (the server never creates them). */
  exists: boolean;
  message: string | null;
}

/** The data loss recorded every `every` steps (before that step's update). */
export type LossTrace = z.input<typeof lossTraceSchema>;

/** Monosemanticity measures of one snapshot. */
export interface SnapshotMetrics {
  /** Neurons whose max/sum single-feature activation ratio exceeds 0.999. */
  monosemantic_neurons: number;
  /** monosemantic_neurons / N. */
  monosemantic_per_feature: number;
  /** monosemantic_neurons / k. */
  monosemantic_per_neuron: number;
  /** Neurons no single feature activates. */
  dead_neurons: number;
  /** Mean of b1. */
  mean_bias: number;
  /** Features with at least one monosemantic neuron. */
  features_covered: number;
  /** The activation floor of `monosemantic_below_floor`. */
  activation_floor: number;
  /** Neurons that pass the 0.999 ratio with a largest activation below the floor. */
  monosemantic_below_floor: number;
}

/** One snapshot's measures in a run's series; the snapshot after step 2^j - 1 has log2_step j. */
export interface SeriesPoint extends SnapshotMetrics {
  /** log2(step + 1). */
  log2_step: number;
  /** The step after which the snapshot was taken. */
  step: number;
}

/** GET /api/runs */
export interface RunsResponse {
  runs: RunListRow[];
  store: StoreInfo;
}

/** GET /api/runs/:id */
export interface RunDetailResponse {
  run: RunRow;
  /** The sweeps the run was made for. */
  sweeps: string[];
  /** null while running, for an interrupted run, and when the files cannot be read (see `error`). */
  losses: LossTrace | null;
  /** Steps of the stored snapshots, ascending (0, 1, 3, ..., T - 1); [] when there are none. */
  snapshots: number[];
  /** One point per snapshot; null when the run has no readable files. */
  series: SeriesPoint[] | null;
  /** The expected loss of a model that outputs zero (null without readable files). */
  zero_output_loss: number | null;
  /** One line, set when a finished or diverged run's files are missing or corrupt. */
  error?: string;
}

/** A matrix sent as base64 of a little-endian Float32Array, row-major (`rows` x `cols`). */
export interface EncodedMatrix {
  rows: number;
  cols: number;
  data: string;
}

/** GET /api/runs/:id/snapshots/:step */
export interface SnapshotResponse {
  step: number;
  /** log2(step + 1). */
  log2_step: number;
  metrics: SnapshotMetrics;
  /**
   * Single-feature activations, neurons (rows) x features (columns) in heat-map order, cropped to
   * at most 1024 x 512 (the paper's crop). Decode with
   * `new Float32Array(Uint8Array.from(atob(data), (c) => c.charCodeAt(0)).buffer)`.
   */
  sfa: EncodedMatrix;
  /** b1 of every neuron (k values) in heat-map row order (not cropped). */
  biases: number[];
  /** Original neuron index of each row (k values; the first sfa.rows are the matrix's rows). */
  neurons: number[];
  /** Original feature index of each column (N values; the first sfa.cols are the matrix's columns). */
  features: number[];
  /** Rows 0 .. ranked_neurons - 1 are the neurons ranked by max/mean activation; dead ones follow. */
  ranked_neurons: number;
  /** The run's full size: k neurons, N features (the matrix may be cropped). */
  k: number;
  N: number;
  /**
   * The output for a feature against its input amplitude (full model, negative- and positive-bias
   * neurons), summarised over evenly spaced features (analysis/amplitude.ts); `title` is empty.
   */
  amplitude: AmplitudePanel;
}

export type SweepValue = number | string;

export interface SweepVariable {
  field: string;
  values: SweepValue[];
}

/** One sweep in GET /api/sweeps. Counts are over points, using each point's settled run. */
export interface SweepListRow {
  name: string;
  /** The Table 1 batch it runs (e.g. "LR1"), or null for a custom sweep. */
  batch: string | null;
  /** The scale's label, e.g. "laptop (batch 2^10, 2^13 steps)". */
  scale: string;
  variables: SweepVariable[];
  created_at: string;
  total: number;
  finished: number;
  diverged: number;
  running: number;
  /** Set when the stored specification cannot be read; the counts are then 0. */
  error?: string;
}

/** GET /api/sweeps */
export interface SweepsResponse {
  sweeps: SweepListRow[];
  store: StoreInfo;
}

/** One point of a sweep (grid order) and its run: the finished or diverged one, else the latest, else null. */
export interface SweepPointRow {
  point: number;
  values: Record<string, SweepValue>;
  run: RunRow | null;
}

/** GET /api/sweeps/:name */
export interface SweepDetailResponse {
  name: string;
  batch: string | null;
  scale: string;
  /** Fixed config fields of the specification (the swept ones are absent). */
  fixed: Record<string, unknown>;
  variables: SweepVariable[];
  created_at: string;
  points: SweepPointRow[];
  /**
   * Finished and diverged runs with readable files, in point order: the sweep data every figure
   * is drawn from (src/figures/from-sweep.ts), the same the report builds.
   */
  runs: SweepRunData[];
  /** Settled runs whose files could not be read: one line each. */
  errors: { id: string; point: number; error: string }[];
}

/** A stored sweep of a catalogue batch. */
export interface CatalogueSweep {
  name: string;
  scale: string;
  total: number;
  finished: number;
}

/** One row of Table 1. */
export interface CatalogueBatch {
  name: string;
  /** Fixed config fields. */
  fixed: Record<string, unknown>;
  /** Swept field -> its values. */
  swept: Record<string, SweepValue[]>;
  /** Stored sweeps of this batch (any scale), oldest first. */
  sweeps: CatalogueSweep[];
  /** The command that runs it, e.g. "npx toymodels batch LR1 --scale laptop". */
  command: string;
}

/** GET /api/catalogue */
export interface CatalogueResponse {
  batches: CatalogueBatch[];
}

/** The changed part of a run, in a `change` event. */
export interface RunChange {
  id: string;
  status: RunStatus;
  progress: RunProgress | null;
  final: RunSummary | null;
}

/** `data` of the `change` event of GET /api/events (Server-Sent Events). */
export interface ChangeEvent {
  /** Runs that are new or whose status, progress or final metrics changed. */
  runs: RunChange[];
  /** Sweeps that are new, gained a run, or one of whose runs changed. */
  sweeps: string[];
}

/** Every error response (4xx, 5xx): one line. */
export interface ErrorResponse {
  error: string;
}
