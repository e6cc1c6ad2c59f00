import { describe, expect, it } from 'vitest';
import {
  colorScaleKind,
  isLogSpaced,
  markNotes,
  sweepColorEncoding,
  titleBlock,
  topLevel,
} from '../../src/figures/common.js';
import { renderChecked, SCALE } from './helpers.js';

/** A point per value, coloured by it: enough to render a colour encoding's legend. */
function legendChart(field: string, values: number[]) {
  const body = {
    data: { values: values.map((value, i) => ({ i, value })) },
    mark: { type: 'point', filled: true },
    encoding: { x: { field: 'i', type: 'ordinal', axis: null }, color: sweepColorEncoding(field, values) },
  };
  return topLevel({ scale: SCALE }, 'legend', body);
}

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
    const log = sweepColorEncoding('decay', [1e-1, 1e-7]) as {
      type: string;
      scale: { type: string };
      legend: { title: string };
    };
    expect(log.type).toBe('quantitative');
    expect(log.scale.type).toBe('log');
    expect(log.legend.title).toBe('bias decay rate');
    const nom = sweepColorEncoding('nonlinearity', ['ReLU', 'GeLU']) as { type: string; scale: { domain: string[] } };
    expect(nom.type).toBe('nominal');
    expect(nom.scale.domain).toEqual(['ReLU', 'GeLU']);
  });

  it("lists exactly the swept values, printed as formatValue prints them, for up to 16 numbers (B3's initial biases)", async () => {
    const b3 = [1, 0.7, 0.4, 0.1, -0.2, -0.5, -0.8, -1.1, -1.4, -1.7, -2];
    const enc = sweepColorEncoding('initial_bias', b3) as {
      scale: { type: string };
      legend: { type: string; values: number[] };
    };
    expect(enc.scale.type).toBe('linear');
    expect(enc.legend.type).toBe('symbol');
    expect(enc.legend.values).toEqual([...b3].sort((a, b) => a - b));
    const r = await renderChecked(legendChart('initial_bias', b3), ['initial mean bias']);
    // Vega's own format would print a typographic minus (U+2212) and other roundings.
    for (const v of b3) expect(r.svg).toContain(`>${v}</text>`);

    const decay = [1e-7, 1e-5, 1e-3, 0.03];
    const log = sweepColorEncoding('decay', decay) as { scale: { type: string }; legend: { values: number[] } };
    expect(log.scale.type).toBe('log');
    expect(log.legend.values).toEqual(decay);
    const rl = await renderChecked(legendChart('decay', decay), ['bias decay rate']);
    for (const label of ['1e-7', '1e-5', '0.001', '0.03']) expect(rl.svg).toContain(`>${label}</text>`);
  });

  it('uses a colour bar above 16 numbers', () => {
    const many = Array.from({ length: 17 }, (_, i) => i / 10);
    expect((sweepColorEncoding('initial_bias', many) as { legend: { type: string } }).legend.type).toBe('gradient');
    expect((sweepColorEncoding('initial_bias', many.slice(1)) as { legend: { type: string } }).legend.type).toBe(
      'symbol',
    );
  });

  it('notes the run marks, in the words of the figure that draws them', () => {
    expect(markNotes(['ok', undefined])).toEqual([]);
    expect(markNotes(['diverged', 'diverged', 'never-learned'])).toEqual([
      'dashed: diverged (2 runs; drawn up to its divergence)',
      'dotted: never learned, final loss within 5% of the zero-output loss (1 run)',
    ]);
    expect(markNotes(['never-learned'], { 'never-learned': 'open points' })[0]).toMatch(/^open points: never learned/);
  });

  it('requires the scale caption', () => {
    expect(() => titleBlock({ scale: ' ' }, 'x')).toThrow(/scale caption/);
  });
});
