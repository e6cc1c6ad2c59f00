// The learning check of `npm run fidelity` (bench/fidelity.ts): a comparison with the oracle says
// something about the gradients and the optimiser only if the model it compares has learned. A
// network whose ReLUs never fire has zero gradients: W1 and W2 never move, the loss stays at the
// zero-output loss, and engine and oracle agree whatever their update rules are. Pure functions,
// no ORT and no torch, so that test/bench/fidelity-check.test.ts can run them.
import type { RunConfig } from '../src/config/schema.js';
import { featureProbabilities } from '../src/features/distributions.js';

/**
 * The expected data loss of a model whose output is always 0 (a network with no active neuron):
 * E|target|^2 per sample, with p_j the feature probabilities (SPEC.md, Features) and a feature's
 * value u uniform in [0, 1), so E[u] = 1/2 and E[u^2] = 1/3.
 * - decoder: target v, E|v|^2 = sum_j p_j / 3 (= N eps / 3 with equal features).
 * - re-projector: target F v with F's columns of unit length, E|F v|^2 = sum_j p_j / 3 +
 *   (|F p|^2 - sum_j p_j^2) / 4 (the cross terms E[v_j] E[v_l] F_j.F_l, j != l). Without F, the
 *   expectation over the random embedding: sum_j p_j / 3 (the F_j.F_l of j != l average to 0).
 * - abs: target |v1 - v2|, each of v1, v2 with probabilities q_j (from eps / 2): a feature is on in
 *   exactly one sample with probability 2 q (1 - q), E u^2 = 1/3, in both with q^2, E (u1 - u2)^2 =
 *   1/6, so E|v_j|^2 = 2 q_j / 3 - q_j^2 / 2 (= N (eps/3 - eps^2/8) with equal features).
 */
export function zeroOutputLoss(cfg: Pick<RunConfig, 'N' | 'm' | 'eps' | 'sample_kind' | 'task'>, F?: Float32Array): number {
  if (cfg.task === 'abs') {
    const q = featureProbabilities(cfg.N, cfg.eps / 2, cfg.sample_kind);
    return q.reduce((a, x) => a + (2 * x) / 3 - (x * x) / 2, 0);
  }
  const p = featureProbabilities(cfg.N, cfg.eps, cfg.sample_kind);
  const diagonal = p.reduce((a, x) => a + x / 3, 0);
  if (cfg.task === 'decoder' || F === undefined) return diagonal;
  const { N, m } = cfg;
  if (F.length !== m * N) throw new RangeError(`F has ${F.length} values, expected m x N = ${m * N}`);
  let fp2 = 0;
  for (let i = 0; i < m; i++) {
    let s = 0;
    for (let j = 0; j < N; j++) s += F[i * N + j]! * p[j]!;
    fp2 += s * s;
  }
  // Columns are unit vectors up to float32 rounding; use their actual lengths.
  let diag = 0;
  let cross = fp2;
  for (let j = 0; j < N; j++) {
    let col2 = 0;
    for (let i = 0; i < m; i++) col2 += F[i * N + j]! ** 2;
    diag += (col2 * p[j]!) / 3;
    cross -= col2 * p[j]! ** 2;
  }
  return diag + cross / 4;
}

/** |after - before| / |before| (Frobenius norms); 0 when both are 0. */
export function relativeChange(after: ArrayLike<number>, before: ArrayLike<number>): number {
  if (after.length !== before.length) throw new RangeError(`lengths differ: ${after.length} and ${before.length}`);
  let d = 0;
  let n = 0;
  for (let i = 0; i < after.length; i++) {
    d += (after[i]! - before[i]!) ** 2;
    n += before[i]! ** 2;
  }
  return n === 0 ? (d === 0 ? 0 : Infinity) : Math.sqrt(d / n);
}

/** What the check reads from one finished run. */
export interface LearningEvidence {
  /** SPEC.md's final data loss: the mean of the last 8 recorded losses. */
  finalLoss: number;
  /** `zeroOutputLoss` of the run's configuration (and embedding). */
  zeroOutputLoss: number;
  /** Neurons that some single feature activates (not dead) at the end, over k. */
  activeShare: number;
  /** Monosemantic neurons at the end. */
  monosemantic: number;
  /** `relativeChange` of W1 and of W2 from their initial values to the end. */
  W1Change: number;
  W2Change: number;
}

export interface LearningCriteria {
  /** The final loss must be below this fraction of the zero-output loss. */
  maxLossRatio: number;
  /** At least this share of the neurons must be active at the end. */
  minActiveShare: number;
  /** At least this many monosemantic neurons at the end. */
  minMonosemantic: number;
  /** W1 and W2 must each have moved by at least this relative change. */
  minWeightChange: number;
}

export const LEARNING_CRITERIA: LearningCriteria = {
  maxLossRatio: 0.5,
  minActiveShare: 0.2,
  minMonosemantic: 1,
  minWeightChange: 0.1,
};

/** The criteria a run fails, each as a short phrase naming the measured value and the bound; empty
 * when the run has learned. A NaN anywhere fails its criterion. */
export function learningFailures(e: LearningEvidence, c: LearningCriteria = LEARNING_CRITERIA): string[] {
  const failures: string[] = [];
  const ratio = e.finalLoss / e.zeroOutputLoss;
  if (!(ratio < c.maxLossRatio)) {
    failures.push(`final loss ${e.finalLoss.toFixed(4)} is ${ratio.toFixed(3)} x the zero-output loss ${e.zeroOutputLoss.toFixed(4)}, not below ${c.maxLossRatio}`);
  }
  if (!(e.activeShare >= c.minActiveShare)) failures.push(`active neurons ${(100 * e.activeShare).toFixed(1)}% < ${100 * c.minActiveShare}%`);
  if (!(e.monosemantic >= c.minMonosemantic)) failures.push(`monosemantic neurons ${e.monosemantic} < ${c.minMonosemantic}`);
  for (const [name, change] of [['W1', e.W1Change], ['W2', e.W2Change]] as const) {
    if (!(change >= c.minWeightChange)) failures.push(`${name} moved by ${change.toExponential(2)} of its norm, less than ${c.minWeightChange}`);
  }
  return failures;
}

/** The one line `npm run fidelity` exits with when a configuration has not learned; undefined when
 * it has. */
export function refusal(label: string, e: LearningEvidence, c: LearningCriteria = LEARNING_CRITERIA): string | undefined {
  const failures = learningFailures(e, c);
  return failures.length === 0 ? undefined : `fidelity: refused "${label}": it does not learn: ${failures.join('; ')}`;
}
