// SPEC.md's initialisation (PyTorch's nn.Linear default): W1 and b1 uniform in (-1/sqrt(m),
// 1/sqrt(m)), W2 uniform in (-1/sqrt(k), 1/sqrt(k)), then the bias offset added to every b1.
import { describe, expect, it } from 'vitest';
import { parseRunConfig } from '../../src/config/schema.js';
import { Rng } from '../../src/features/rng.js';
import { initialParams } from '../../src/train/init.js';

/** Checks that `xs - offset` is uniform on (-bound, bound): inside it, reaching near both ends, with
 * mean 0 and variance bound^2 / 3 within 5 standard errors. */
function expectUniform(xs: Float32Array, bound: number, offset = 0) {
  const n = xs.length;
  let lo = Infinity;
  let hi = -Infinity;
  let sum = 0;
  let sq = 0;
  for (const x of xs) {
    const y = x - offset;
    lo = Math.min(lo, y);
    hi = Math.max(hi, y);
    sum += y;
    sq += y * y;
  }
  expect(lo).toBeGreaterThanOrEqual(-bound * (1 + 1e-6));
  expect(hi).toBeLessThan(bound * (1 + 1e-6));
  // n draws come within bound * 20 / n of each end except with probability e^-20.
  expect(lo).toBeLessThan(-bound * (1 - 20 / n));
  expect(hi).toBeGreaterThan(bound * (1 - 20 / n));
  const variance = bound ** 2 / 3;
  expect(Math.abs(sum / n)).toBeLessThan(5 * Math.sqrt(variance / n));
  // Var(y^2) for y uniform on (-b, b) is b^4 (1/5 - 1/9).
  expect(Math.abs(sq / n - variance)).toBeLessThan(5 * Math.sqrt((bound ** 4 * (1 / 5 - 1 / 9)) / n));
}

describe('initial parameters', () => {
  it.each([
    { m: 16, k: 400, initial_bias: 0 },
    { m: 64, k: 1024, initial_bias: -1 },
    { m: 25, k: 100, initial_bias: 0.5 },
  ])('m=$m, k=$k, bias offset $initial_bias', ({ m, k, initial_bias }) => {
    const cfg = parseRunConfig({ N: 2 * m, m, k, initial_bias });
    const p = initialParams(cfg, new Rng(1));
    expect(p.W1.length).toBe(k * m);
    expect(p.b1.length).toBe(k);
    expect(p.W2.length).toBe(2 * m * k);
    expectUniform(p.W1, 1 / Math.sqrt(m));
    expectUniform(p.b1, 1 / Math.sqrt(m), initial_bias);
    expectUniform(p.W2, 1 / Math.sqrt(k));
  });

  it('sizes W2 by the output: m rows for the re-projector', () => {
    const cfg = parseRunConfig({ N: 40, m: 8, k: 300, task: 're-projector' });
    const p = initialParams(cfg, new Rng(2));
    expect(p.W2.length).toBe(8 * 300);
    expectUniform(p.W2, 1 / Math.sqrt(300));
  });
});
