// What a run trains on (SPEC.md, Features and Tasks), as the training loop draws it: each feature
// active with its frequency, and for the abs task the difference of two samples at eps / 2.
import { describe, expect, it } from 'vitest';
import { parseRunConfig, type RunConfigInput } from '../../src/config/schema.js';
import { RunInputs } from '../../src/train/run-inputs.js';

const N = 64;
const ROWS = 8192;

/** Share of nonzero entries and mean |v| over ROWS rows drawn as one chunk. */
function draw(input: RunConfigInput) {
  const cfg = parseRunConfig({ N, m: 8, k: 16, ...input });
  const inputs = new RunInputs(cfg);
  const v = new Float32Array(ROWS * N);
  inputs.nextSamples(v, ROWS);
  let active = 0;
  let abs = 0;
  for (const x of v) {
    if (x !== 0) active++;
    abs += Math.abs(x);
  }
  return { active: active / v.length, meanAbs: abs / v.length, v };
}

/** |observed - p| within 5 standard errors of a Bernoulli(p) mean over n draws. */
const expectFrequency = (observed: number, p: number, n: number) =>
  expect(Math.abs(observed - p)).toBeLessThanOrEqual(5 * Math.sqrt((p * (1 - p)) / n));

describe('the samples a run trains on', () => {
  it.each(['decoder', 're-projector'] as const)(
    '%s: every feature active with frequency eps, values in [0, 1)',
    (task) => {
      const { active, meanAbs, v } = draw({ task, eps: 0.25 });
      expectFrequency(active, 0.25, ROWS * N);
      // E v = eps / 2 for values uniform on [0, 1).
      expect(Math.abs(meanAbs - 0.125)).toBeLessThan(5 * Math.sqrt((0.25 / 3 - 0.125 ** 2) / (ROWS * N)));
      expect(v.reduce((a, x) => Math.min(a, x), 0)).toBe(0);
    },
  );

  it('abs: v1 - v2 with each sample at eps / 2, so an entry is nonzero with probability 1 - (1 - eps/2)^2', () => {
    const eps = 0.25;
    const { active, meanAbs, v } = draw({ task: 'abs', eps });
    const p = eps / 2;
    expectFrequency(active, 1 - (1 - p) ** 2, ROWS * N);
    // E|v1 - v2| = 2 p (1 - p) E|U| + p^2 E|U1 - U2| = p (1 - p) + p^2 / 3.
    const mean = p * (1 - p) + p ** 2 / 3;
    expect(Math.abs(meanAbs - mean)).toBeLessThan(5 * Math.sqrt(mean / (ROWS * N)));
    expect(v.reduce((a, x) => Math.min(a, x), 0)).toBeLessThan(0);
  });

  it('power_law: feature j active with frequency min(1, c j^-1.1)', () => {
    const cfg = parseRunConfig({ N, m: 8, k: 16, eps: 1 / 16, sample_kind: 'power_law' });
    const inputs = new RunInputs(cfg);
    const v = new Float32Array(ROWS * N);
    inputs.nextSamples(v, ROWS);
    let norm = 0;
    for (let j = 1; j <= N; j++) norm += j ** -1.1;
    for (const j of [1, 2, 8, 64]) {
      let active = 0;
      for (let r = 0; r < ROWS; r++) if (v[r * N + j - 1] !== 0) active++;
      expectFrequency(active / ROWS, Math.min(1, ((N / 16) * j ** -1.1) / norm), ROWS);
    }
  });

  it('draws the embeddings, then the initial parameters, then the batches from the seed', () => {
    const cfg = parseRunConfig({ N, m: 8, k: 16, seed: 7 });
    const [a, b] = [new RunInputs(cfg), new RunInputs(cfg)];
    expect(a.embeddings.E).toEqual(b.embeddings.E);
    expect(a.init.W1).toEqual(b.init.W1);
    const other = new RunInputs(parseRunConfig({ ...cfg, seed: 8 }));
    expect(other.embeddings.E).not.toEqual(a.embeddings.E);
  });
});
