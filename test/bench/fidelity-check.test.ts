// The learning check of `npm run fidelity`: it must refuse a dead network and pass a learning one,
// and its zero-output losses must be what sampling gives. No torch, no python, no ORT.
import { describe, expect, it } from 'vitest';
import { parseRunConfig } from '../../src/config/schema.js';
import { featureProbabilities } from '../../src/features/distributions.js';
import { randomEmbedding } from '../../src/features/embedding.js';
import { Rng } from '../../src/features/rng.js';
import { FeatureSampler } from '../../src/features/sampler.js';
import { finalDataLoss } from '../../src/sweep/run.js';
import { LEARNING_CRITERIA, learningFailures, refusal, relativeChange, zeroOutputLoss, type LearningEvidence } from '../../bench/fidelity-check.js';

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
    const slow: LearningEvidence = { finalLoss: 0.6 * zero, zeroOutputLoss: zero, activeShare: 0.6, monosemantic: 40, W1Change: 1.2, W2Change: 1.1 };
    expect(learningFailures(slow)).toEqual([`final loss ${(0.6 * zero).toFixed(4)} is 0.600 x the zero-output loss 2.6667, not below 0.5`]);
  });

  it('refuses a NaN loss', () => {
    expect(learningFailures({ finalLoss: NaN, zeroOutputLoss: zero, activeShare: 1, monosemantic: 5, W1Change: 1, W2Change: 1 })).toHaveLength(1);
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
    const e: LearningEvidence = { finalLoss: 1, zeroOutputLoss: 2.5, activeShare: 0.3, monosemantic: 1, W1Change: 0.5, W2Change: 0.5 };
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
  it('has the closed forms of the equal features', () => {
    expect(zeroOutputLoss(decoder)).toBeCloseTo((512 / 64) / 3, 12);
    const abs = parseRunConfig({ task: 'abs', N: 512, eps: 1 / 64 });
    expect(zeroOutputLoss(abs)).toBeCloseTo(512 * (1 / 64 / 3 - 1 / 64 ** 2 / 8), 12);
    // Without F, the re-projector's is the expectation over embeddings: the decoder's.
    expect(zeroOutputLoss(parseRunConfig({ task: 're-projector' }))).toBeCloseTo(512 / 64 / 3, 12);
  });

  // Monte Carlo: the mean of |target|^2 over many samples, within 4 standard errors.
  for (const [task, sample_kind] of [['decoder', 'power_law'], ['re-projector', 'equal'], ['re-projector', 'power_law'], ['abs', 'equal'], ['abs', 'power_law']] as const) {
    it(`equals the sampled E|target|^2 for the ${task} with ${sample_kind} features`, () => {
      const cfg = parseRunConfig({ task, sample_kind, N: 24, m: 4, eps: 0.2 });
      const rng = new Rng(7);
      const F = randomEmbedding(cfg.N, cfg.m, rng);
      const sampler = new FeatureSampler(featureProbabilities(cfg.N, task === 'abs' ? cfg.eps / 2 : cfg.eps, sample_kind), rng);
      const rows = 200_000;
      const v = new Float32Array(rows * cfg.N);
      if (task === 'abs') sampler.sampleDifference(v, rows);
      else sampler.sample(v, rows);
      let sum = 0;
      let sum2 = 0;
      for (let r = 0; r < rows; r++) {
        let x = 0;
        if (task === 're-projector') {
          for (let i = 0; i < cfg.m; i++) {
            let t = 0;
            for (let j = 0; j < cfg.N; j++) t += F[i * cfg.N + j]! * v[r * cfg.N + j]!;
            x += t * t;
          }
        } else {
          for (let j = 0; j < cfg.N; j++) x += v[r * cfg.N + j]! ** 2;
        }
        sum += x;
        sum2 += x * x;
      }
      const mean = sum / rows;
      const se = Math.sqrt((sum2 / rows - mean * mean) / rows);
      const expected = zeroOutputLoss(cfg, task === 're-projector' ? F : undefined);
      expect(Math.abs(mean - expected)).toBeLessThan(4 * se);
      // The test has power: the cross terms of the re-projector and the eps^2 term of abs are
      // larger than 4 standard errors here.
      if (task === 'abs') expect(Math.abs(mean - zeroOutputLoss({ ...cfg, task: 'decoder' }))).toBeGreaterThan(4 * se);
      if (task === 're-projector') expect(Math.abs(mean - zeroOutputLoss(cfg))).toBeGreaterThan(4 * se);
    });
  }
});
