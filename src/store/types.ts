// What a run store keeps. Tensor shapes are never passed in: they follow from the config
// (see `tensorShapes` in run-files.ts), and every array is checked against them.
import type { LossTrace, RunProgress, RunStatus, RunSummary, StoredRunConfig } from '../config/stored.js';
import type { Embeddings } from '../graph/step.js';
import type { Snapshot } from '../train/loop.js';

export type { Embeddings, LossTrace, RunProgress, RunStatus, RunSummary, Snapshot, StoredRunConfig };

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

/** A sweep as stored: its name, its specification as JSON (read it with src/sweep's `storedSweepSpec`,
 * which checks it) and its scale's label. */
export interface SweepRow {
  name: string;
  spec: unknown;
  scale: string;
  created_at: string;
}

/** Which sweep point a run was made for. */
export interface SweepLink {
  sweep: string;
  point: number;
}
