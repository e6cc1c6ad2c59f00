// The heat-map order of SPEC.md ("Analysis of a snapshot"): neurons by max_j SFA / mean_j SFA,
// descending, then features by the (sorted) row of the neuron each one activates most. Tight
// typed-array loops: a k = 2048, N = 512 matrix takes a few milliseconds.
import type { Matrix } from './matrix.js';

export interface HeatmapOrder {
  /** `neurons[p]` is the neuron shown in row p (length k). */
  neurons: Int32Array;
  /** `features[q]` is the feature shown in column q (length N). */
  features: Int32Array;
  /**
   * Per neuron (indexed by neuron, not by row): `max_j SFA / mean_j SFA`, the sort key; NaN for
   * a neuron that is not ranked (see `heatmapOrder`).
   */
  neuron_score: Float64Array;
  /** How many neurons were ranked by score: rows 0 .. ranked_neurons - 1; the rest follow. */
  ranked_neurons: number;
  /**
   * Per feature (indexed by feature): the row (heat-map position) of the neuron it activates
   * most, or -1 if it activates no neuron (its largest activation is <= 0).
   */
  feature_row: Int32Array;
}

/**
 * Orders the rows (neurons) and columns (features) of a single-feature activation matrix
 * (k x N) for the paper's heat maps.
 *
 * Neurons: a neuron is ranked when `max_j SFA > 0` and `sum_j SFA > 0`; its score is
 * `max_j SFA / mean_j SFA` (between 1, equal response to every feature, and N, one feature only).
 * Ranked neurons come first, by score descending, equal scores by neuron index. Unranked neurons
 * come last in index order: dead ones (no feature gives a positive activation: all zero under
 * ReLU, or negative under GeLU/SoLU), those whose activations sum to <= 0 (possible only for
 * GeLU/SoLU, whose outputs can be negative) and any with non-finite activations.
 *
 * Features: each feature is placed at the row of the neuron it activates most (on ties, the
 * neuron in the earliest row); features sort by that row, equal rows by feature index. Features
 * that activate no neuron (largest activation <= 0) come last, in index order.
 */
export function heatmapOrder(sfa: Matrix): HeatmapOrder {
  const { rows: k, cols: N, data } = sfa;
  const score = new Float64Array(k);
  const ranked: number[] = [];
  const unranked: number[] = [];
  for (let n = 0; n < k; n++) {
    let max = -Infinity;
    let sum = 0;
    const base = n * N;
    for (let j = 0; j < N; j++) {
      const v = data[base + j]!;
      sum += v;
      if (v > max) max = v;
    }
    if (max > 0 && sum > 0 && Number.isFinite(sum)) {
      score[n] = (max * N) / sum;
      ranked.push(n);
    } else {
      score[n] = NaN;
      unranked.push(n);
    }
  }
  ranked.sort((a, b) => score[b]! - score[a]! || a - b);
  const neurons = Int32Array.from([...ranked, ...unranked]);

  // Rows visited in heat-map order with a strict `>`: a tie keeps the earlier row.
  const best = new Float32Array(N).fill(0);
  const featureRow = new Int32Array(N).fill(-1);
  for (let p = 0; p < k; p++) {
    const base = neurons[p]! * N;
    for (let j = 0; j < N; j++) {
      const v = data[base + j]!;
      if (v > best[j]!) {
        best[j] = v;
        featureRow[j] = p;
      }
    }
  }
  const active: number[] = [];
  const inactive: number[] = [];
  for (let j = 0; j < N; j++) (featureRow[j]! >= 0 ? active : inactive).push(j);
  active.sort((a, b) => featureRow[a]! - featureRow[b]! || a - b);
  return {
    neurons,
    features: Int32Array.from([...active, ...inactive]),
    neuron_score: score,
    ranked_neurons: ranked.length,
    feature_row: featureRow,
  };
}
