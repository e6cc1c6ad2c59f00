// The learning check of `npm run fidelity` (bench/fidelity.ts): a comparison with the oracle says
// something about the gradients and the optimiser only if the model it compares has learned. A
// network whose ReLUs never fire has zero gradients: W1 and W2 never move, the loss stays at the
// zero-output loss, and engine and oracle agree whatever their update rules are. Pure functions,
// no ORT and no torch, so that test/bench/fidelity-check.test.ts can run them.
import { zeroOutputLoss as analysisZeroOutputLoss, type ZeroLossConfig } from '../src/analysis/loss.js';

/**
 * The zero-output loss the learning check divides by: src/analysis/loss.ts's, which needs the
 * re-projector's embedding F. The oracle's runs draw their own F, which the check never sees, so
 * without F it takes the expectation over random embeddings instead: with E|F_j|^2 = 1 and
 * E[F_j . F_l] = 0 (j != l), E|F v|^2 = sum_j p_j / 3, the decoder's zero-output loss.
 */
export function zeroOutputLoss(cfg: ZeroLossConfig, F?: Float32Array): number {
  return analysisZeroOutputLoss(F === undefined && cfg.task === 're-projector' ? { ...cfg, task: 'decoder' } : cfg, F);
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
    failures.push(
      `final loss ${e.finalLoss.toFixed(4)} is ${ratio.toFixed(3)} x the zero-output loss ${e.zeroOutputLoss.toFixed(4)}, not below ${c.maxLossRatio}`,
    );
  }
  if (!(e.activeShare >= c.minActiveShare))
    failures.push(`active neurons ${(100 * e.activeShare).toFixed(1)}% < ${100 * c.minActiveShare}%`);
  if (!(e.monosemantic >= c.minMonosemantic))
    failures.push(`monosemantic neurons ${e.monosemantic} < ${c.minMonosemantic}`);
  for (const [name, change] of [
    ['W1', e.W1Change],
    ['W2', e.W2Change],
  ] as const) {
    if (!(change >= c.minWeightChange))
      failures.push(`${name} moved by ${change.toExponential(2)} of its norm, less than ${c.minWeightChange}`);
  }
  return failures;
}

/** The one line `npm run fidelity` exits with when a configuration has not learned; undefined when
 * it has. */
export function refusal(
  label: string,
  e: LearningEvidence,
  c: LearningCriteria = LEARNING_CRITERIA,
): string | undefined {
  const failures = learningFailures(e, c);
  return failures.length === 0 ? undefined : `fidelity: refused "${label}": it does not learn: ${failures.join('; ')}`;
}
