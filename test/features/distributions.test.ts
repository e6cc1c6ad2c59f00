import { describe, it, expect } from 'vitest';
import { featureProbabilities } from '../../src/features/distributions.js';

const sum = (p: Float64Array): number => p.reduce((a, b) => a + b, 0);

describe('featureProbabilities', () => {
  it('equal: eps for every feature', () => {
    const p = featureProbabilities(512, 1 / 64, 'equal');
    expect(p.length).toBe(512);
    expect(p.every((x) => x === 1 / 64)).toBe(true);
  });

  it('power_law without clipping: sums to N eps, decreases, p1/p2 = 2^1.1', () => {
    const p = featureProbabilities(512, 1 / 256, 'power_law');
    expect(p[0]).toBeLessThan(1); // so nothing was clipped
    expect(sum(p)).toBeCloseTo(2, 12);
    for (let j = 1; j < p.length; j++) expect(p[j]).toBeLessThan(p[j - 1]);
    expect(p[0] / p[1]).toBeCloseTo(2 ** 1.1, 12);
    expect(p[9] / p[99]).toBeCloseTo(10 ** 1.1, 10);
  });

  it('power_law clips to 1 after scaling and does not renormalise', () => {
    const N = 16;
    const p = featureProbabilities(N, 0.5, 'power_law');
    let raw = 0;
    for (let j = 1; j <= N; j++) raw += j ** -1.1;
    const c = (N * 0.5) / raw;
    expect([p[0], p[1]]).toEqual([1, 1]);
    for (let j = 3; j <= N; j++) expect(p[j - 1]).toBeCloseTo(c * j ** -1.1, 12);
    expect(p[2]).toBeLessThan(1);
    expect(sum(p)).toBeLessThan(N * 0.5);
  });

  it('clips at the paper sizes too: p1 = 1 for N = 512, eps = 1/64', () => {
    const p = featureProbabilities(512, 1 / 64, 'power_law');
    expect(p[0]).toBe(1);
    expect(p[1]).toBeLessThan(1);
  });

  it('accepts the edges of the allowed ranges: one feature, eps = 1', () => {
    expect([...featureProbabilities(1, 0.5, 'equal')]).toEqual([0.5]);
    expect([...featureProbabilities(4, 1, 'equal')]).toEqual([1, 1, 1, 1]);
  });

  it('rejects bad sizes and frequencies', () => {
    expect(() => featureProbabilities(0, 0.1, 'equal')).toThrow(RangeError);
    expect(() => featureProbabilities(8, 0, 'equal')).toThrow(RangeError);
    expect(() => featureProbabilities(8, 1.5, 'power_law')).toThrow(RangeError);
  });
});
