import { describe, expect, it } from 'vitest';
import { biasPlot, biasRange, biasRangeNote } from '../../src/figures/bias.js';
import { findAll, renderChecked, SCALE } from './helpers.js';

/** 996 biases at -1 and 1, and outliers at -40.2, -19 and 3: the bulk lies within ±1. */
const bulk = Array.from({ length: 996 }, (_, i) => (i % 2 ? 1 : -1));
const outliers = [-40.2, -19, 3];

/** The x positions of the rules whose aria label starts with `label`, in the rendered SVG. */
function ruleXs(svg: string, label: string): number[] {
  return [...svg.matchAll(/<line aria-label="([^"]*)"[^>]*transform="translate\(([\d.]+),0\)"/g)]
    .filter((m) => m[1]!.startsWith(label))
    .map((m) => Number(m[2]));
}

describe('bias range', () => {
  it('spans the 0.5th to 99.5th percentiles, padded, and counts what it leaves out', () => {
    const r = biasRange([bulk.slice(0, 500), [...bulk.slice(500), ...outliers]]);
    expect(r.domain[0]).toBeCloseTo(-1.1, 12);
    expect(r.domain[1]).toBeCloseTo(1.1, 12);
    expect(r).toMatchObject({ outside: 3, lowest: -40.2, highest: 3 });
    expect(biasRangeNote(r)).toEqual(['3 biases outside the range not shown (lowest −40.2, highest 3)']);
  });

  it('always includes 0, never cuts a small sample, and ignores non-finite biases', () => {
    const positive = biasRange([[1, 1.5, 2]]);
    expect(positive.domain[0]).toBeCloseTo(-0.1, 12);
    expect(positive.domain[1]).toBeCloseTo(2.1, 12);
    const small = biasRange([[-5, 0.1, 0.2, Number.NaN, Number.POSITIVE_INFINITY]]);
    expect(small.domain[0]).toBeCloseTo(-5.26, 12);
    expect(small.domain[1]).toBeCloseTo(0.46, 12);
    expect(small.outside).toBe(0);
    expect(biasRangeNote(small)).toEqual([]);
    expect(biasRange([[0, 0]]).domain).toEqual([-1, 1]);
    // Only the side with outliers is named.
    expect(biasRangeNote(biasRange([[...bulk, -40.2]]))).toEqual(['1 bias outside the range not shown (lowest −40.2)']);
  });
});

describe('bias plot', () => {
  it('draws each run in heat-map order with a rule at x = N', async () => {
    const spec = biasPlot({
      scale: SCALE,
      sweep: { field: 'learning_rate' },
      N: 8,
      runs: [0.001, 0.003, 0.03].map((value, r) => ({
        value,
        biases: Float32Array.from({ length: 16 }, (_, n) => (n < 8 ? -0.5 : 0.1) * (r + 1)),
      })),
    });
    expect(findAll(spec, (o) => o.label === 'N = 8')).toHaveLength(1);
    await renderChecked(spec, ['N = 8', 'bias', 'neuron (heat-map order)', 'learning rate']);
  });

  it('fits the y axis to the bulk of the biases, clips the outliers and says how many', async () => {
    const spec = biasPlot({
      scale: SCALE,
      sweep: { field: 'learning_rate' },
      N: 512,
      runs: [
        { value: 0.001, biases: bulk.slice(0, 500) },
        { value: 0.03, biases: [...bulk.slice(500), ...outliers], mark: 'diverged' },
      ],
    });
    const line = findAll(spec, (o) => (o.mark as { type?: string })?.type === 'line')[0]!;
    expect(line.mark).toMatchObject({ clip: true });
    const y = (line.encoding as { y: { scale: { domain: number[] } } }).y.scale.domain;
    expect(y[0]).toBeCloseTo(-1.1, 12);
    expect(y[1]).toBeCloseTo(1.1, 12);
    const r = await renderChecked(spec, [
      '3 biases outside the range not shown (lowest −40.2, highest 3)',
      'dashed: diverged (1 run',
    ]);
    // The diverged run is dashed.
    expect(r.svg).toMatch(/<path aria-label="[^"]*mark: diverged[^"]*"[^>]*stroke-dasharray="6,3"/);
  });

  it("marks each run's monosemantic count with a rule in its colour", async () => {
    const biases = Float32Array.from({ length: 1024 }, (_, n) => (n < 512 ? -1 : 0.2));
    const many = biasPlot({
      scale: SCALE,
      sweep: { field: 'learning_rate' },
      N: 512,
      width: 460,
      runs: [
        { value: 0.001, id: 'a', biases, mono: 256 },
        { value: 0.01, id: 'b', biases, mono: 512 },
        { value: 0.01, id: 'c', biases },
      ],
    });
    const encodingOf = (type: string) =>
      findAll(many, (o) => (o.mark as { type?: string })?.type === type && 'encoding' in o);
    const monoRule = encodingOf('rule').find((o) => (o.encoding as { x?: { field: string } }).x?.field === 'mono')!;
    expect((monoRule.encoding as { color: unknown }).color).toEqual(
      (encodingOf('line')[0]!.encoding as { color: unknown }).color,
    );
    const rm = await renderChecked(many, ["dotted rules: each run's number of monosemantic neurons"]);
    // x = mono / 1024 of the 460-pixel plot; the run without a count has no rule.
    expect(ruleXs(rm.svg, 'mono: ')).toEqual([115, 230]);
    expect(ruleXs(rm.svg, 'x: 512')).toEqual([230]);
    expect(rm.svg).not.toContain('mono = ');

    const one = biasPlot({ scale: SCALE, N: 512, width: 460, runs: [{ value: 'run', biases, mono: 573 }] });
    const r1 = await renderChecked(one, ['mono = 573', 'N = 512']);
    expect(ruleXs(r1.svg, 'mono: ')).toEqual([(573 / 1024) * 460]);
  });
});
