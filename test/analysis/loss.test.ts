// The final-loss windows and the zero-output loss (src/analysis/loss.ts): hand-worked values, and
// the zero-output loss against the mean |target|^2 of the samples a run actually trains on.
import { describe, expect, it } from 'vitest';
import {
  FINAL_LOSS_RECORDS,
  finalLoss,
  LONG_LOSS_RECORDS,
  lossWindow,
  NEVER_LEARNED_FRACTION,
  neverLearned,
  zeroOutputLoss,
  type ZeroLossConfig,
} from '../../src/analysis/loss.js';
import { parseRunConfig } from '../../src/config/schema.js';
import { featureProbabilities } from '../../src/features/distributions.js';
import { RunInputs } from '../../src/train/run-inputs.js';

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe('lossWindow', () => {
  it('is the mean of the last `records` losses, with the standard error sd(n - 1) / sqrt(n)', () => {
    // 3..10: mean 6.5, squared deviations 2 (0.25 + 2.25 + 6.25 + 12.25) = 42, sd^2 = 42 / 7 = 6.
    const w = lossWindow(range(1, 11), 8);
    expect(w.n).toBe(8);
    expect(w.mean).toBe(6.5);
    expect(w.se).toBeCloseTo(Math.sqrt(6 / 8), 14);
  });

  it('uses what there is when the trace is shorter, with no standard error for one value', () => {
    expect(lossWindow([2, 4], 8)).toEqual({ mean: 3, se: 1, n: 2 }); // sd sqrt(2), / sqrt(2)
    expect(lossWindow([5], 8)).toEqual({ mean: 5, se: NaN, n: 1 });
    expect(lossWindow([1, 2, 3], 1)).toEqual({ mean: 3, se: NaN, n: 1 });
    expect(lossWindow(new Float32Array(0), 8)).toEqual({ mean: NaN, se: NaN, n: 0 });
  });

  it('propagates a non-finite loss inside the window, not one before it', () => {
    expect(lossWindow([1, NaN, 3], 8)).toMatchObject({ mean: NaN, se: NaN, n: 3 });
    expect(lossWindow([NaN, ...range(1, 9)], 8)).toMatchObject({ mean: 4.5, n: 8 });
    expect(lossWindow([1, Infinity], 8).mean).toBe(Infinity);
  });

  it.each([0, -1, 1.5, NaN])('rejects records = %s', (records) => {
    expect(() => lossWindow([1, 2], records)).toThrow(new RegExp(`^records: ${records} must be a positive integer$`));
  });
});

describe('finalLoss', () => {
  it('windows the last 8 and the last 64 records', () => {
    expect([FINAL_LOSS_RECORDS, LONG_LOSS_RECORDS]).toEqual([8, 64]);
    // 0..99: the last 8 are 92..99, the last 64 are 36..99; 64 consecutive integers have sd^2 = 64 * 65 / 12.
    const f = finalLoss(range(0, 100));
    expect(f.last8).toMatchObject({ mean: 95.5, n: 8 });
    expect(f.last8.se).toBeCloseTo(Math.sqrt((8 * 9) / 12 / 8), 12);
    expect(f.last64).toMatchObject({ mean: 67.5, n: 64 });
    expect(f.last64.se).toBeCloseTo(Math.sqrt((64 * 65) / 12 / 64), 12);
  });
});

describe('zeroOutputLoss: hand-worked values', () => {
  const paper = { N: 512, eps: 1 / 64, sample_kind: 'equal' } as const;

  it("decoder: sum_j p_j / 3, N eps / 3 = 8/3 at the paper's sizes", () => {
    expect(zeroOutputLoss({ ...paper, task: 'decoder' })).toBeCloseTo(8 / 3, 12);
  });

  it('abs: sum_j p_j / 3 - p_j^2 / 8 with equal features', () => {
    expect(zeroOutputLoss({ ...paper, task: 'abs' })).toBeCloseTo(512 * (1 / 192 - 1 / 32768), 12);
  });

  it('power law: the clipped probabilities (N = 2, eps = 1: p = [1, 2 * 2^-1.1 / (1 + 2^-1.1)])', () => {
    const r = 2 ** -1.1;
    expect(zeroOutputLoss({ N: 2, eps: 1, sample_kind: 'power_law', task: 'decoder' })).toBeCloseTo(
      (1 + (2 * r) / (1 + r)) / 3,
      12,
    );
    // abs draws each sample at eps / 2 = 0.5: q = [1, r] / (1 + r), unclipped, and E v_j^2 = 2 q / 3 - q^2 / 2.
    const q = [1 / (1 + r), r / (1 + r)];
    expect(zeroOutputLoss({ N: 2, eps: 1, sample_kind: 'power_law', task: 'abs' })).toBeCloseTo(
      q.reduce((a, x) => a + (2 * x) / 3 - (x * x) / 2, 0),
      12,
    );
  });

  it("re-projector: E|F v|^2, with the cross terms of F's columns", () => {
    const cfg: ZeroLossConfig = { N: 2, m: 2, eps: 0.5, sample_kind: 'equal', task: 're-projector' };
    // F = I: E|v|^2 = 2 * 0.5 / 3.
    expect(zeroOutputLoss(cfg, [1, 0, 0, 1])).toBeCloseTo(1 / 3, 14);
    // Both columns [1, 0]: the target is v1 + v2, E (v1 + v2)^2 = 2 * 0.5 / 3 + 2 * (0.5 * 1/2)^2.
    expect(zeroOutputLoss(cfg, [1, 1, 0, 0])).toBeCloseTo(1 / 3 + 1 / 8, 14);
    // Opposite columns: v1 - v2, E (v1 - v2)^2 = 1/3 - 1/8. m is read from F when not given.
    expect(zeroOutputLoss({ ...cfg, m: undefined }, [1, -1, 0, 0])).toBeCloseTo(1 / 3 - 1 / 8, 14);
  });

  it('re-projector: F is required, with m x N values', () => {
    const cfg: ZeroLossConfig = { N: 2, m: 2, eps: 0.5, sample_kind: 'equal', task: 're-projector' };
    expect(() => zeroOutputLoss(cfg)).toThrow(RangeError);
    expect(() => zeroOutputLoss(cfg)).toThrow(/needs its target embedding F/);
    expect(() => zeroOutputLoss(cfg, [1, 0, 0])).toThrow(/F has 3 values, expected m x N with N = 2, m = 2/);
    expect(() => zeroOutputLoss({ ...cfg, m: undefined }, [1, 0, 0])).toThrow(/F has 3 values/);
  });
});

describe('zeroOutputLoss: the mean |target|^2 of the samples a run trains on, within 5 standard errors', () => {
  const ROWS = 8192;

  /** Mean and standard error of |target|^2 over ROWS samples drawn by the run's own RunInputs. */
  function sampled(cfg: ReturnType<typeof parseRunConfig>) {
    const inputs = new RunInputs(cfg);
    const { N, m } = cfg;
    const v = new Float32Array(ROWS * N);
    inputs.nextSamples(v, ROWS);
    const F = inputs.embeddings.F;
    let sum = 0;
    let sum2 = 0;
    for (let r = 0; r < ROWS; r++) {
      let x = 0;
      if (F) {
        for (let i = 0; i < m; i++) {
          let t = 0;
          for (let j = 0; j < N; j++) t += F[i * N + j]! * v[r * N + j]!;
          x += t * t;
        }
      } else {
        // abs: the target |v| has the same square as v.
        for (let j = 0; j < N; j++) x += v[r * N + j]! ** 2;
      }
      sum += x;
      sum2 += x * x;
    }
    const mean = sum / ROWS;
    return { mean, se: Math.sqrt((sum2 / ROWS - mean * mean) / (ROWS - 1)), F };
  }

  const cases = (['decoder', 're-projector', 'abs'] as const).flatMap((task) =>
    (['equal', 'power_law'] as const).flatMap((sample_kind) =>
      [1 / 8, 1 / 2].map((eps) => ({ task, sample_kind, eps })),
    ),
  );

  it.each(cases)('$task, $sample_kind features, eps $eps', ({ task, sample_kind, eps }) => {
    const cfg = parseRunConfig({ N: 64, m: 8, k: 16, task, sample_kind, eps, seed: 3 });
    const { mean, se, F } = sampled(cfg);
    expect(Math.abs(mean - zeroOutputLoss(cfg, F))).toBeLessThan(5 * se);
  });

  it('has the power to tell the terms apart at eps = 1/2', () => {
    // Without the cross terms of F, the re-projector's would be the decoder's; abs drawn with the
    // clipped p_j / 2 instead of the probabilities at eps / 2 would be sum p_j / 3 - p_j^2 / 8.
    const rp = parseRunConfig({ N: 64, m: 8, k: 16, task: 're-projector', eps: 1 / 2, seed: 3 });
    const r = sampled(rp);
    expect(Math.abs(r.mean - zeroOutputLoss({ ...rp, task: 'decoder' }))).toBeGreaterThan(5 * r.se);
    const abs = parseRunConfig({ N: 64, m: 8, k: 16, task: 'abs', sample_kind: 'power_law', eps: 1 / 2, seed: 3 });
    const a = sampled(abs);
    const naive = featureProbabilities(64, 1 / 2, 'power_law').reduce((sum, p) => sum + p / 3 - (p * p) / 8, 0);
    expect(Math.abs(a.mean - naive)).toBeGreaterThan(5 * a.se);
  });
});

describe('neverLearned', () => {
  it('is a finite final loss within 5% of the zero-output loss', () => {
    expect(NEVER_LEARNED_FRACTION).toBe(0.05);
    expect(neverLearned(1.9, 2)).toBe(true);
    expect(neverLearned(1.8999, 2)).toBe(false);
    expect(neverLearned(2.5, 2)).toBe(true);
    expect(neverLearned(NaN, 2)).toBe(false);
    expect(neverLearned(Infinity, 2)).toBe(false);
  });
});
