import { describe, expect, it } from 'vitest';
import { biasPlot } from '../../src/figures/bias.js';
import { gridHeatmap } from '../../src/figures/grid.js';
import { hasKEqualsNRule, monoVsSweep, type MonoSweepPoint } from '../../src/figures/mono-sweep.js';
import { sfaLinePlot } from '../../src/figures/sfa-lines.js';
import { findAll, renderChecked, SCALE } from './helpers.js';

const rules = (spec: unknown) => findAll(spec, (o) => (o.mark as { type?: string })?.type === 'rule');

describe('bias plot', () => {
  it('draws each run in heat-map order with a rule at x = N', async () => {
    const spec = biasPlot({
      scale: SCALE,
      sweep: { field: 'learning_rate' },
      N: 8,
      runs: [0.001, 0.003, 0.03].map((value, r) => ({ value, biases: Float32Array.from({ length: 16 }, (_, n) => (n < 8 ? -0.5 : 0.1) * (r + 1)) })),
    });
    expect(findAll(spec, (o) => o.label === 'N = 8')).toHaveLength(1);
    await renderChecked(spec, ['N = 8', 'bias', 'neuron (heat-map order)', 'learning rate']);
  });
});

describe('SFA line plot', () => {
  it('draws one line per chosen feature', async () => {
    const sfa = { rows: 10, cols: 4, data: Float32Array.from({ length: 40 }, (_, i) => (i % 5) / 5) };
    const spec = sfaLinePlot({ scale: SCALE, sfa, features: [0, 3], featureLabels: ['feature A', 'feature B'] });
    const values = (spec as { data: { values: { feature: string; neuron: number; activation: number }[] } }).data.values;
    expect(values).toHaveLength(20);
    expect(values.filter((v) => v.feature === 'feature B').map((v) => v.activation)).toEqual(Array.from({ length: 10 }, (_, n) => sfa.data[n * 4 + 3]));
    await renderChecked(spec, ['feature A', 'feature B', 'activation', 'neuron (heat-map order)']);
    expect(() => sfaLinePlot({ scale: SCALE, sfa, features: [4] })).toThrow(/outside/);
  });
});

describe('mono against the swept value', () => {
  const points = (values: number[]): MonoSweepPoint[] =>
    values.map((v, i) => ({ value: v, mono_per_neuron: 0.8 - i * 0.05, mono_per_feature: 0.1 + i * 0.1 }));

  it('marks k = N only for k sweeps', async () => {
    expect(hasKEqualsNRule('k')).toBe(true);
    expect(hasKEqualsNRule('learning_rate')).toBe(false);
    const k = monoVsSweep({ scale: SCALE, sweep: { field: 'k' }, N: 512, points: points([16, 64, 256, 1024, 2048]) });
    expect(rules(k)).toHaveLength(1);
    const rk = await renderChecked(k, ['k = N = 512', '# of neurons', '# mono neurons / # neurons', '# mono neurons / # features']);
    expect(rk.svg).toContain('k = N');
    const lr = monoVsSweep({ scale: SCALE, sweep: { field: 'learning_rate' }, N: 512, points: points([0.001, 0.003, 0.01, 0.03]) });
    expect(rules(lr)).toHaveLength(0);
    const rlr = await renderChecked(lr, ['learning rate']);
    expect(rlr.svg).not.toContain('k = N');
    expect(() => monoVsSweep({ scale: SCALE, sweep: { field: 'k' }, points: points([16, 32]) })).toThrow(/N/);
  });

  it('uses a log x axis for log-spaced values and a linear one otherwise', () => {
    const x = (spec: unknown) => findAll(spec, (o) => o.field === 'value' && 'axis' in o)[0]!.scale as { type?: string };
    expect(x(monoVsSweep({ scale: SCALE, sweep: { field: 'decay' }, points: points([1e-7, 1e-4, 1e-1]) })).type).toBe('log');
    expect(x(monoVsSweep({ scale: SCALE, sweep: { field: 'initial_bias' }, points: points([-2, -1, 0, 1]) })).type).toBeUndefined();
  });

  it('renders categorical sweeps on an ordinal axis', async () => {
    const spec = monoVsSweep({
      scale: SCALE,
      sweep: { field: 'nonlinearity' },
      points: [
        { value: 'ReLU', mono_per_neuron: 0.3, mono_per_feature: 0.6 },
        { value: 'GeLU', mono_per_neuron: 0.2, mono_per_feature: 0.4 },
      ],
    });
    await renderChecked(spec, ['ReLU', 'GeLU', 'activation function']);
  });
});

describe('grid heat map', () => {
  it('draws one rect per grid point with ordinal value axes and a legend', async () => {
    const lrs = [0.001, 0.003, 0.01];
    const biases = [-2, -0.5, 1];
    const cells = lrs.flatMap((x, i) => biases.map((y, j) => ({ x, y, value: i === 2 && j === 2 ? null : (i + j) / 4 })));
    const spec = gridHeatmap({ scale: SCALE, x: { field: 'learning_rate' }, y: { field: 'initial_bias' }, cells });
    expect((spec as { data: { values: unknown[] } }).data.values).toHaveLength(9);
    const r = await renderChecked(spec, ['learning rate', 'initial mean bias', '# mono neurons / # features', '0.003', '-0.5', '0.75', '–']);
    // One colour legend (a gradient).
    expect(r.svg.match(/role-legend"/g)).toHaveLength(1);
  });
});
