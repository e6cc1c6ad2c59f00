// What a run's loss trace says at the end: SPEC.md's final data loss (the mean of the last 8
// recorded losses) with its standard error, a longer window beside it, and the loss of a model
// that never learned anything (one whose output is always zero). Pure: no ORT, so that browser
// code can import it.
import { featureProbabilities, type SampleKind } from '../features/distributions.js';

/** SPEC.md's final data loss averages this many records (recorded every 16 steps, one batch each). */
export const FINAL_LOSS_RECORDS = 8;

/**
 * A longer window: the last 8 records (128 steps) fall where the paper's cosine schedule climbs
 * back to its peak, so they can sit on a transient; 64 records (1024 steps) span a whole period.
 */
export const LONG_LOSS_RECORDS = 64;

/** A run whose final loss is within this fraction of the zero-output loss never learned. */
export const NEVER_LEARNED_FRACTION = 0.05;

export interface LossWindow {
  /** Mean of the window; NaN if any value in it is (a diverged run's). */
  mean: number;
  /** Standard error of the mean: sample sd (n - 1) / sqrt(n); NaN when n < 2. */
  se: number;
  /** Values used: `records`, or fewer if the trace is shorter. */
  n: number;
}

export interface FinalLoss {
  last8: LossWindow;
  last64: LossWindow;
}

/** Mean and standard error of the last `records` losses, non-finite ones included. */
export function lossWindow(loss: ArrayLike<number>, records: number): LossWindow {
  if (!Number.isInteger(records) || records < 1) throw new RangeError(`records: ${records} must be a positive integer`);
  const n = Math.min(records, loss.length);
  const start = loss.length - n;
  let sum = 0;
  for (let i = start; i < loss.length; i++) sum += loss[i]!;
  const mean = sum / n;
  // Two passes: deviations from the mean, not sum of squares minus square of sums, which cancels.
  let squares = 0;
  for (let i = start; i < loss.length; i++) squares += (loss[i]! - mean) ** 2;
  // With one record, 0 / 0: no standard error.
  return { mean, se: Math.sqrt(squares / (n - 1) / n), n };
}

/**
 * The final loss over the last FINAL_LOSS_RECORDS and LONG_LOSS_RECORDS records. A diverged run has
 * none (SPEC.md's is NaN), whatever it recorded before it diverged.
 */
export function finalLoss(loss: ArrayLike<number>, diverged = false): FinalLoss {
  const trace = diverged ? [NaN] : loss;
  return { last8: lossWindow(trace, FINAL_LOSS_RECORDS), last64: lossWindow(trace, LONG_LOSS_RECORDS) };
}

export interface ZeroLossConfig {
  N: number;
  eps: number;
  sample_kind: SampleKind;
  task: 'decoder' | 're-projector' | 'abs';
  /** Rows of F; taken from F's length when absent. */
  m?: number;
}

/**
 * The expected data loss per sample (sum over outputs of squared error) of a model whose output
 * is always zero: E|target|^2. With p_j the feature probabilities and an active value uniform on
 * [0, 1) (E u = 1/2, E u^2 = 1/3):
 * - decoder: sum_j p_j / 3 (N eps / 3 with equal features);
 * - abs: v = v1 - v2, each drawn with q_j = the probabilities at eps / 2, as the run's sampler draws
 *   them (q_j = p_j / 2 unless the power law clips p_j at 1), so E v_j^2 = 2 q_j / 3 - q_j^2 / 2
 *   (= p_j / 3 - p_j^2 / 8);
 * - re-projector: target F v, E|F v|^2 = sum_j |F_j|^2 p_j / 3 + sum_{j != l} (F_j . F_l) p_j p_l / 4
 *   = sum_j |F_j|^2 (p_j / 3 - p_j^2 / 4) + |F p|^2 / 4, with F's actual column lengths (unit up
 *   to float32 rounding). F (m x N, row-major) is required.
 */
export function zeroOutputLoss(cfg: ZeroLossConfig, F?: ArrayLike<number>): number {
  const { N } = cfg;
  if (cfg.task === 'abs') {
    const q = featureProbabilities(N, cfg.eps / 2, cfg.sample_kind);
    return q.reduce((a, x) => a + (2 * x) / 3 - (x * x) / 2, 0);
  }
  const p = featureProbabilities(N, cfg.eps, cfg.sample_kind);
  if (cfg.task === 'decoder') return p.reduce((a, x) => a + x / 3, 0);
  if (F === undefined) throw new RangeError('zeroOutputLoss: the re-projector needs its target embedding F (m x N)');
  const m = cfg.m ?? F.length / N;
  if (!Number.isInteger(m) || F.length !== m * N)
    throw new RangeError(
      `zeroOutputLoss: F has ${F.length} values, expected m x N with N = ${N}${cfg.m === undefined ? '' : `, m = ${m}`}`,
    );
  let loss = 0;
  for (let j = 0; j < N; j++) {
    let col2 = 0;
    for (let i = 0; i < m; i++) col2 += F[i * N + j]! ** 2;
    loss += col2 * (p[j]! / 3 - p[j]! ** 2 / 4);
  }
  for (let i = 0; i < m; i++) {
    let fp = 0;
    for (let j = 0; j < N; j++) fp += F[i * N + j]! * p[j]!;
    loss += fp ** 2 / 4;
  }
  return loss;
}

/** A finite final loss at or above (1 - NEVER_LEARNED_FRACTION) of the zero-output loss: the run never learned. */
export function neverLearned(finalLoss: number, zeroLoss: number): boolean {
  return Number.isFinite(finalLoss) && finalLoss >= (1 - NEVER_LEARNED_FRACTION) * zeroLoss;
}
