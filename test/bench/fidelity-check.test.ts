// The learning check of `npm run fidelity`: it must refuse a dead network and pass a learning one,
// and without the run's F its zero-output loss must be the expectation over embeddings. No torch,
// no python, no ORT.
import { describe, expect, it } from 'vitest';
import { zeroOutputLoss as analysisZeroOutputLoss } from '../../src/analysis/loss.js';
import { parseRunConfig } from '../../src/config/schema.js';
import { featureProbabilities } from '../../src/features/distributions.js';
import { randomEmbedding } from '../../src/features/embedding.js';
import { Rng } from '../../src/features/rng.js';
import { finalDataLoss } from '../../src/analysis/summary.js';
import {
  LEARNING_CRITERIA,
  learningFailures,
  refusal,
  relativeChange,
  zeroOutputLoss,
  type LearningEvidence,
} from '../../bench/fidelity-check.js';

const decoder = parseRunConfig({ N: 512, m: 64, eps: 1 / 64 });

/** A run of 2^11 steps recorded every 16 steps: 128 losses. */
const trace = (f: (i: number) => number) => Array.from({ length: 128 }, (_, i) => f(i));

describe('learning check', () => {
  const zero = zeroOutputLoss(decoder);
  const W = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i));

  it('refuses a dead run: loss at the zero-output loss, weights that never moved, no active neuron', () => {
    const dead: LearningEvidence = {
      finalLoss: finalDataLoss(trace(() => zero)),
      zeroOutputLoss: zero,
      activeShare: 0,
      monosemantic: 0,
      W1Change: relativeChange(W, W),
      W2Change: relativeChange(W, W),
    };
    const failures = learningFailures(dead);
    expect(failures).toHaveLength(5);
    expect(failures[0]).toMatch(/final loss 2\.6667 is 1\.000 x the zero-output loss 2\.6667, not below 0\.5/);
    const line = refusal('decoder, ReLU, bias -1', dead)!;
    expect(line).toMatch(/^fidelity: refused "decoder, ReLU, bias -1": it does not learn: final loss/);
    expect(line).toContain('W1 moved by 0.00e+0');
    expect(line).not.toContain('\n');
  });

  it('refuses a run that only misses the loss bound, naming that criterion alone', () => {
    const slow: LearningEvidence = {
      finalLoss: 0.6 * zero,
      zeroOutputLoss: zero,
      activeShare: 0.6,
      monosemantic: 40,
      W1Change: 1.2,
      W2Change: 1.1,
    };
    expect(learningFailures(slow)).toEqual([
      `final loss ${(0.6 * zero).toFixed(4)} is 0.600 x the zero-output loss 2.6667, not below 0.5`,
    ]);
  });

  it('refuses a NaN loss', () => {
    expect(
      learningFailures({
        finalLoss: NaN,
        zeroOutputLoss: zero,
        activeShare: 1,
        monosemantic: 5,
        W1Change: 1,
        W2Change: 1,
      }),
    ).toHaveLength(1);
  });

  it('passes a learning run', () => {
    const moved = W.map((x, i) => x + 0.5 * Math.cos(3 * i));
    const learning: LearningEvidence = {
      finalLoss: finalDataLoss(trace((i) => zero * (0.3 + 0.7 * Math.exp(-i / 10)))),
      zeroOutputLoss: zero,
      activeShare: 0.55,
      monosemantic: 120,
      W1Change: relativeChange(moved, W),
      W2Change: relativeChange(moved, W),
    };
    expect(learningFailures(learning)).toEqual([]);
    expect(refusal('decoder', learning)).toBeUndefined();
  });

  it('uses the bounds it is given', () => {
    const e: LearningEvidence = {
      finalLoss: 1,
      zeroOutputLoss: 2.5,
      activeShare: 0.3,
      monosemantic: 1,
      W1Change: 0.5,
      W2Change: 0.5,
    };
    expect(learningFailures(e)).toEqual([]);
    expect(learningFailures(e, { ...LEARNING_CRITERIA, maxLossRatio: 0.3, minActiveShare: 0.5 })).toHaveLength(2);
  });
});

describe('relativeChange', () => {
  it('is the Frobenius norm of the change over that of the start', () => {
    expect(relativeChange([3, 4], [0, 0])).toBe(Infinity);
    expect(relativeChange([0, 0], [0, 0])).toBe(0);
    expect(relativeChange([3, 4], [3, 0])).toBeCloseTo(4 / 3, 12);
  });
});

describe('zeroOutputLoss', () => {
  const rp = parseRunConfig({ task: 're-projector', sample_kind: 'power_law', N: 24, m: 4, eps: 0.2 });

  it("is src/analysis/loss.ts's where the run's F is known, and for the decoder and abs", () => {
    const F = randomEmbedding(rp.N, rp.m, new Rng(7));
    expect(zeroOutputLoss(rp, F)).toBe(analysisZeroOutputLoss(rp, F));
    for (const cfg of [decoder, parseRunConfig({ task: 'abs', N: 512, eps: 1 / 64 })])
      expect(zeroOutputLoss(cfg)).toBe(analysisZeroOutputLoss(cfg));
  });

  it("without F, is the re-projector's expectation over embeddings: N eps / 3 with equal features", () => {
    expect(zeroOutputLoss(parseRunConfig({ task: 're-projector' }))).toBeCloseTo(512 / 64 / 3, 12);
  });

  // The expectation against the mean of the F-dependent loss over many random embeddings, within 4
  // standard errors; dropping the |F p|^2 / 4 term, whose mean sum_j p_j^2 / 4 cancels the diagonal's
  // -p_j^2 / 4, would miss it by more.
  it('without F, equals the mean over random embeddings of the loss with F (power-law features)', () => {
    const rng = new Rng(11);
    const losses = Array.from({ length: 4000 }, () => analysisZeroOutputLoss(rp, randomEmbedding(rp.N, rp.m, rng)));
    const mean = losses.reduce((a, x) => a + x, 0) / losses.length;
    const sd = Math.sqrt(losses.reduce((a, x) => a + (x - mean) ** 2, 0) / (losses.length - 1));
    const se = sd / Math.sqrt(losses.length);
    const p = featureProbabilities(rp.N, rp.eps, 'power_law');
    const expected = p.reduce((a, x) => a + x / 3, 0);
    expect(zeroOutputLoss(rp)).toBeCloseTo(expected, 12);
    expect(Math.abs(mean - expected)).toBeLessThan(4 * se);
    expect(Math.abs(mean - p.reduce((a, x) => a + x / 3 - (x * x) / 4, 0))).toBeGreaterThan(4 * se);
  });
});
