// The plain data the figures are drawn from. Nothing here depends on the store or the analysis
// code: callers (the report command, the server, the dashboard) fill these from whatever they read.

/** A dense row-major matrix: element (r, c) is `data[r * cols + c]`. */
export interface Matrix {
  rows: number;
  cols: number;
  data: ArrayLike<number>;
}

/** A swept value: a number (learning rate, k, ...) or a category (nonlinearity, task, ...). */
export type SweepValue = number | string;

/** What every figure needs: the scale caption is required and shown on every figure. */
export interface FigureOptions {
  /** The run scale, e.g. "laptop (batch 2^10, 2^13 steps)"; shown in the subtitle. */
  scale: string;
  /** The figure's title; each figure has a sensible default. */
  title?: string;
}

/** A sweep's swept variable: a config field name (learning_rate, k, nonlinearity, ...). */
export interface SweptField {
  /** The config field, mapped to the paper's axis name by labels.ts. */
  field: string;
  /** Overrides the label of the field. */
  label?: string;
}

/** One analysed snapshot of a run (snapshots are taken after steps 0, 1, 3, 7, ..., T - 1). */
export interface SnapshotPoint {
  /** log2 of the training step of the snapshot (the caller decides: log2(i + 1) for step i). */
  log2_step: number;
  /** Monosemantic neurons / N (the paper's "# mono neurons / # features"). */
  mono_per_feature: number;
  /** Mean of b1. */
  mean_bias: number;
  /** The data loss at the snapshot, used for the loss panel when the run has no `losses`. */
  loss?: number | null;
}

/** The recorded loss of a run, as in the store's losses.json. */
export interface LossRecord {
  /** Training steps (0, 16, 32, ...); steps below 1 are left out of log2 plots. */
  steps: ArrayLike<number>;
  loss: ArrayLike<number>;
}

/**
 * How a run ended, for marking it in every figure: `diverged` (its loss went non-finite),
 * `never-learned` (its final loss stayed within 5% of the zero-output loss), or `ok`.
 */
export type RunMark = 'ok' | 'diverged' | 'never-learned';
