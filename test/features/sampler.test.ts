import { describe, it, expect } from 'vitest';
import { featureProbabilities } from '../../src/features/distributions.js';
import { Rng } from '../../src/features/rng.js';
import { FeatureSampler } from '../../src/features/sampler.js';

// Fixed seeds make every check deterministic. Tolerances are 5 standard errors of the statistic
// under the exact distribution: a correct sampler lands outside with probability ~6e-7, so a
// failure points at a bias, not at bad luck.
const N = 512;
const BATCH = 1024;
const BATCHES = 16; // 16384 rows

/** Active counts per feature, active values' sum, and rows seen, over BATCHES fresh batches. */
function collect(sampler: FeatureSampler, n: number, difference = false) {
  const v = new Float32Array(BATCH * n);
  const active = new Float64Array(n);
  let valueSum = 0;
  let absSum = 0;
  let absSum2 = 0;
  for (let b = 0; b < BATCHES; b++) {
    if (difference) sampler.sampleDifference(v, BATCH);
    else sampler.sample(v, BATCH);
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (x === 0) continue;
      if (!(x > (difference ? -1 : 0) && x < 1)) throw new Error(`value out of range: ${x}`);
      active[i % n]++;
      valueSum += x;
      absSum += Math.abs(x);
      absSum2 += x * x;
    }
  }
  return { active, valueSum, absSum, absSum2, rows: BATCH * BATCHES };
}

describe('FeatureSampler.sample', () => {
  it('activates N eps features per row on average, with values uniform in [0, 1)', () => {
    const eps = 1 / 64;
    const { active, valueSum, rows } = collect(
      new FeatureSampler(featureProbabilities(N, eps, 'equal'), new Rng(1)),
      N,
    );
    const total = active.reduce((a, b) => a + b, 0);
    // Per-row count ~ Binomial(N, eps): the mean over `rows` rows has SE sqrt(N eps (1 - eps) / rows) ≈ 0.022.
    expect(Math.abs(total / rows - N * eps)).toBeLessThan(5 * Math.sqrt((N * eps * (1 - eps)) / rows));
    // Active values: U[0, 1) has variance 1/12.
    expect(Math.abs(valueSum / total - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / total));
  });

  it('power_law: every feature is active with frequency p_j (p_1 = 1 exactly)', () => {
    const probs = featureProbabilities(N, 1 / 64, 'power_law');
    const { active, rows } = collect(new FeatureSampler(probs, new Rng(2)), N);
    expect(active[0]).toBe(rows);
    for (let j = 0; j < N; j++) {
      const p = probs[j];
      expect(Math.abs(active[j] / rows - p)).toBeLessThanOrEqual(5 * Math.sqrt((p * (1 - p)) / rows));
    }
  });

  it('draws rows independently: a feature is active in two consecutive rows with probability p^2', () => {
    // Geometric skips with the wrong law (e.g. evenly spaced activations) keep the frequencies but
    // break this. Overlapping pairs are correlated: Var = n [p²(1 - p²) + 2 (p³ - p⁴)] for n pairs.
    const n = 64;
    const batch = 4096;
    const p = 1 / 4;
    const v = new Float32Array(batch * n);
    new FeatureSampler(featureProbabilities(n, p, 'equal'), new Rng(3)).sample(v, batch);
    let pairs = 0;
    for (let i = 0; i < (batch - 1) * n; i++) if (v[i] !== 0 && v[i + n] !== 0) pairs++;
    const trials = (batch - 1) * n;
    const se = Math.sqrt((p ** 2 * (1 - p ** 2) + 2 * (p ** 3 - p ** 4)) / trials);
    expect(Math.abs(pairs / trials - p ** 2)).toBeLessThan(5 * se);
  });

  it('never activates p = 0 features and always activates p = 1 features', () => {
    const v = new Float32Array(100 * 3);
    new FeatureSampler(Float64Array.from([0, 1, 0.5]), new Rng(4)).sample(v, 100);
    for (let row = 0; row < 100; row++) {
      expect(v[row * 3]).toBe(0);
      expect(v[row * 3 + 1]).toBeGreaterThan(0);
    }
  });

  it('leaves no stale entries when the same buffer is reused, whatever the batch sizes', () => {
    // The same seed drawn into a brand-new buffer each call must give identical contents,
    // including zeros past the current batch; the reused buffer starts dirty on purpose.
    const probs = featureProbabilities(N, 1 / 16, 'power_law');
    const reusing = new FeatureSampler(probs, new Rng(5));
    const fresh = new FeatureSampler(probs, new Rng(5));
    const v = new Float32Array(256 * N).fill(7);
    for (const [i, batch] of [256, 256, 32, 256, 0, 128].entries()) {
      const expected = new Float32Array(256 * N);
      if (i % 2) {
        reusing.sampleDifference(v, batch);
        fresh.sampleDifference(expected, batch);
      } else {
        reusing.sample(v, batch);
        fresh.sample(expected, batch);
      }
      let mismatches = 0;
      for (let k = 0; k < v.length; k++) if (v[k] !== expected[k]) mismatches++;
      expect(mismatches).toBe(0);
    }
  });

  it('rejects bad probabilities and too small buffers', () => {
    expect(() => new FeatureSampler(Float64Array.from([0.5, 1.5]), new Rng(0))).toThrow(RangeError);
    expect(() => new FeatureSampler(Float64Array.from([NaN]), new Rng(0))).toThrow(RangeError);
    const sampler = new FeatureSampler(featureProbabilities(8, 0.5, 'equal'), new Rng(0));
    expect(() => sampler.sample(new Float32Array(8 * 3), 4)).toThrow(RangeError);
  });
});

describe('FeatureSampler.sampleDifference', () => {
  // v = a A - b B with A, B ~ Bernoulli(p) and a, b ~ U[0, 1), all independent.
  const eps = 1 / 8;
  const p = eps / 2;

  it('gives values in (-1, 1), nonzero with probability 1 - (1 - p)^2, E|v| = p(1 - p) + p^2 / 3', () => {
    const { active, valueSum, absSum, absSum2, rows } = collect(
      new FeatureSampler(featureProbabilities(N, p, 'equal'), new Rng(6)),
      N,
      true,
    );
    const n = rows * N;
    const q = 1 - (1 - p) ** 2;
    const total = active.reduce((a, b) => a + b, 0);
    expect(Math.abs(total / n - q)).toBeLessThan(5 * Math.sqrt((q * (1 - q)) / n));
    // E|a - b| = 1/3 for independent uniforms; the SE comes from the sample's own variance of |v|.
    const meanAbs = absSum / n;
    const seAbs = Math.sqrt((absSum2 / n - meanAbs ** 2) / n);
    expect(Math.abs(meanAbs - (p * (1 - p) + p ** 2 / 3))).toBeLessThan(5 * seAbs);
    expect(Math.abs(valueSum / n)).toBeLessThan(5 * Math.sqrt(absSum2 / n / n)); // symmetric: mean 0
  });

  it('equals v1 - v2 for two batches drawn one after the other, overlaps included', () => {
    const probs = featureProbabilities(64, eps, 'power_law');
    const batch = 512;
    const v = new Float32Array(batch * 64);
    new FeatureSampler(probs, new Rng(7)).sampleDifference(v, batch);
    const separate = new FeatureSampler(probs, new Rng(7));
    const v1 = new Float32Array(batch * 64);
    const v2 = new Float32Array(batch * 64);
    separate.sample(v1, batch);
    separate.sample(v2, batch);
    let overlaps = 0;
    let worst = 0;
    for (let i = 0; i < v.length; i++) {
      if (v1[i] !== 0 && v2[i] !== 0) overlaps++;
      worst = Math.max(worst, Math.abs(v[i] - (v1[i] - v2[i])));
    }
    expect(overlaps).toBeGreaterThan(100);
    // v accumulates v1's float32 value minus v2's float64 draw: float32 roundings apart, no more.
    expect(worst).toBeLessThanOrEqual(2 ** -23);
  });
});
