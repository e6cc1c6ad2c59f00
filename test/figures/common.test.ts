import { describe, expect, it } from 'vitest';
import { colorScaleKind, isLogSpaced, sweepColorEncoding, titleBlock } from '../../src/figures/common.js';

describe('colour rule for swept values', () => {
  it('uses a log scale for positive values spanning a factor of 100 or more', () => {
    expect(colorScaleKind('decay', [1e-1, 1e-3, 1e-5, 1e-7])).toBe('log');
    expect(colorScaleKind('k', [16, 32, 64, 128, 256, 512, 1024, 2048])).toBe('log');
    expect(colorScaleKind('reg', [1e-1, 1e-3])).toBe('log');
  });

  it('uses a log scale for log-like spacings over a factor of 10 (Table 1 learning rates, eps)', () => {
    expect(colorScaleKind('learning_rate', [0.001, 0.003, 0.005, 0.007, 0.01, 0.03])).toBe('log');
    const eps = Array.from({ length: 11 }, (_, i) => 2 ** -(1 + (4 * i) / 10));
    expect(colorScaleKind('eps', eps)).toBe('log');
  });

  it('uses a linear scale otherwise', () => {
    expect(colorScaleKind('initial_bias', [-2, -1.7, -1.4, 0, 1])).toBe('linear');
    expect(colorScaleKind('learning_rate', [0.001, 0.003])).toBe('linear');
    expect(colorScaleKind('k', [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000])).toBe('linear');
    expect(isLogSpaced([1, 50])).toBe(false);
    expect(isLogSpaced([0, 1, 1000])).toBe(false);
  });

  it('uses nominal colours for categories', () => {
    expect(colorScaleKind('nonlinearity', ['ReLU', 'GeLU'])).toBe('nominal');
    expect(colorScaleKind('seed', [1, 2, 3])).toBe('nominal');
    expect(colorScaleKind('learning_rate', [0.003])).toBe('nominal');
  });

  it('builds the colour encoding with the field label as legend title', () => {
    const log = sweepColorEncoding('decay', [1e-1, 1e-7]) as { type: string; scale: { type: string }; legend: { title: string } };
    expect(log.type).toBe('quantitative');
    expect(log.scale.type).toBe('log');
    expect(log.legend.title).toBe('weight decay rate');
    const nom = sweepColorEncoding('nonlinearity', ['ReLU', 'GeLU']) as { type: string; scale: { domain: string[] } };
    expect(nom.type).toBe('nominal');
    expect(nom.scale.domain).toEqual(['ReLU', 'GeLU']);
  });

  it('requires the scale caption', () => {
    expect(() => titleBlock({ scale: ' ' }, 'x')).toThrow(/scale caption/);
  });
});
