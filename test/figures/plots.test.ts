import { describe, expect, it } from 'vitest';
import { gridHeatmap } from '../../src/figures/grid.js';
import { hasKEqualsNRule, monoVsSweep, type MonoSweepPoint } from '../../src/figures/mono-sweep.js';
import { sfaLinePlot } from '../../src/figures/sfa-lines.js';
import { findAll, renderChecked, SCALE } from './helpers.js';

const rules = (spec: unknown) => findAll(spec, (o) => (o.mark as { type?: string })?.type === 'rule');

describe('SFA line plot', () => {
  it('draws one line per chosen feature', async () => {
    const sfa = { rows: 10, cols: 4, data: Float32Array.from({ length: 40 }, (_, i) => (i % 5) / 5) };
    const spec = sfaLinePlot({ scale: SCALE, sfa, features: [0, 3], featureLabels: ['feature A', 'feature B'] });
    const values = (spec as { data: { values: { feature: string; neuron: number; activation: number }[] } }).data
      .values;
    expect(values).toHaveLength(20);
    expect(values.filter((v) => v.feature === 'feature B').map((v) => v.activation)).toEqual(
      Array.from({ length: 10 }, (_, n) => sfa.data[n * 4 + 3]),
    );
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
    const rk = await renderChecked(k, [
      'k = N = 512',
      '# of neurons',
      '# mono neurons / # neurons',
      '# mono neurons / # features',
    ]);
    expect(rk.svg).toContain('k = N');
    const lr = monoVsSweep({
      scale: SCALE,
      sweep: { field: 'learning_rate' },
      N: 512,
      points: points([0.001, 0.003, 0.01, 0.03]),
    });
    expect(rules(lr)).toHaveLength(0);
    const rlr = await renderChecked(lr, ['learning rate']);
    expect(rlr.svg).not.toContain('k = N');
    expect(() => monoVsSweep({ scale: SCALE, sweep: { field: 'k' }, points: points([16, 32]) })).toThrow(/N/);
  });

  it('uses a log x axis for log-spaced values and a linear one otherwise', () => {
    const x = (spec: unknown) =>
      findAll(spec, (o) => o.field === 'value' && 'axis' in o)[0]!.scale as { type?: string };
    expect(x(monoVsSweep({ scale: SCALE, sweep: { field: 'decay' }, points: points([1e-7, 1e-4, 1e-1]) })).type).toBe(
      'log',
    );
    expect(
      x(monoVsSweep({ scale: SCALE, sweep: { field: 'initial_bias' }, points: points([-2, -1, 0, 1]) })).type,
    ).toBeUndefined();
  });

  const layerWith = (spec: unknown, type: string) => findAll(spec, (o) => (o.mark as { type?: string })?.type === type);
  const dataRows = (spec: unknown) =>
    findAll(
      spec,
      (o) => Array.isArray((o.data as { values?: unknown })?.values) && JSON.stringify(o.data).includes('"ratio"'),
    )[0]!.data as {
      values: { value: number; series: string; ratio: number; open: boolean }[];
    };

  it('draws a min-max band around the mean where seeds share a value', async () => {
    const seeds: MonoSweepPoint[] = [0.001, 0.003, 0.01].flatMap((value, i) =>
      [0, 1].map((s) => ({ value, mono_per_neuron: 0.2 + 0.1 * i + 0.05 * s, mono_per_feature: 0.4 - 0.1 * s })),
    );
    const spec = monoVsSweep({ scale: SCALE, sweep: { field: 'learning_rate' }, points: seeds });
    const band = layerWith(spec, 'area') as { encoding: { y: { aggregate: string }; y2: { aggregate: string } } }[];
    expect(band).toHaveLength(1);
    expect([band[0]!.encoding.y.aggregate, band[0]!.encoding.y2.aggregate]).toEqual(['min', 'max']);
    expect((layerWith(spec, 'line')[0] as { encoding: { y: { aggregate: string } } }).encoding.y.aggregate).toBe(
      'mean',
    );
    await renderChecked(spec, ['line: mean over the runs (seeds) at each value, band: their min to max']);
    expect(
      layerWith(
        monoVsSweep({ scale: SCALE, sweep: { field: 'learning_rate' }, points: points([0.001, 0.003]) }),
        'area',
      ),
    ).toHaveLength(0);
  });

  it('leaves diverged runs out and counts them; draws never-learned runs open', async () => {
    const pts: MonoSweepPoint[] = [
      ...points([0.001, 0.003, 0.01]),
      { value: 0.003, mono_per_neuron: 0.05, mono_per_feature: 0.02, mark: 'never-learned' },
      { value: 0.3, mono_per_neuron: 0, mono_per_feature: 0, mark: 'diverged' },
    ];
    const spec = monoVsSweep({ scale: SCALE, sweep: { field: 'learning_rate' }, points: pts });
    const rows = dataRows(spec).values;
    expect(rows.some((r) => r.value === 0.3)).toBe(false);
    expect(rows).toHaveLength(8);
    expect(rows.filter((r) => r.open).map((r) => r.ratio)).toEqual([0.05, 0.02]);
    const x = findAll(spec, (o) => o.field === 'value' && 'axis' in o)[0]!.axis as { values: number[] };
    expect(x.values).toEqual([0.001, 0.003, 0.01]);
    const open = layerWith(spec, 'point').filter((l) => (l.mark as { filled: boolean }).filled === false);
    expect(open).toHaveLength(1);
    expect((open[0]!.transform as { filter: string }[])[0]!.filter).toBe('datum.open');
    await renderChecked(spec, ['left out: 1 diverged run (learning rate = 0.3)', 'open points: never learned']);
  });

  it('adds features covered / N as a third series when given', async () => {
    const COVERED = '# features covered / # features';
    const spec = monoVsSweep({
      scale: SCALE,
      sweep: { field: 'learning_rate' },
      points: points([0.001, 0.01]).map((p, i) => ({ ...p, features_covered_per_feature: 0.5 + 0.2 * i })),
    });
    const covered = dataRows(spec).values.filter((r) => r.series === COVERED);
    expect(covered.map((r) => r.ratio)).toEqual([0.5, 0.7]);
    const color = findAll(spec, (o) => o.field === 'series' && 'legend' in o)[0]!.scale as { domain: string[] };
    expect(color.domain).toContain(COVERED);
    await renderChecked(spec, ['# features covered / # features', '# mono neurons / # neurons']);
    const without = monoVsSweep({ scale: SCALE, sweep: { field: 'learning_rate' }, points: points([0.001, 0.01]) });
    expect(JSON.stringify(without)).not.toContain(COVERED);
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
    const cells = lrs.flatMap((x, i) =>
      biases.map((y, j) => ({ x, y, value: i === 2 && j === 2 ? null : (i + j) / 4 })),
    );
    const spec = gridHeatmap({ scale: SCALE, x: { field: 'learning_rate' }, y: { field: 'initial_bias' }, cells });
    expect((spec as { data: { values: unknown[] } }).data.values).toHaveLength(9);
    const r = await renderChecked(spec, [
      'learning rate',
      'initial mean bias',
      '# mono neurons / # features',
      '0.003',
      '-0.5',
      '0.75',
      '–',
    ]);
    // One colour legend (a gradient).
    expect(r.svg.match(/role-legend"/g)).toHaveLength(1);
    expect(r.svg).not.toContain('never learned');
  });

  it('outlines the cells whose runs never learned, and says so', async () => {
    const cells = [
      { x: 0.001, y: -1, value: 0.01, mark: 'never-learned' as const },
      { x: 0.003, y: -1, value: 0.5 },
    ];
    const spec = gridHeatmap({ scale: SCALE, x: { field: 'learning_rate' }, y: { field: 'initial_bias' }, cells });
    const outlines = findAll(spec, (o) => (o.mark as { strokeDash?: number[] })?.strokeDash !== undefined);
    expect(outlines).toHaveLength(1);
    expect(outlines[0]!.transform).toEqual([{ filter: "datum.mark === 'never-learned'" }]);
    const r = await renderChecked(spec, [
      'dotted outline: never learned, final loss within 5% of the zero-output loss (1 run)',
    ]);
    expect(r.svg.match(/stroke-dasharray="1.5,2.5"/g)).toHaveLength(1);
  });
});
