import { describe, expect, it } from 'vitest';
import { lossPoints, trainingPlot, type TrainingRun } from '../../src/figures/training.js';
import { findAll, renderChecked, SCALE } from './helpers.js';

function runs(values: (number | string)[]): TrainingRun[] {
  return values.map((value, r) => ({
    value,
    id: `r${r}`,
    snapshots: Array.from({ length: 6 }, (_, i) => ({ log2_step: i, mono_per_feature: (i * (r + 1)) / 20, mean_bias: -0.01 * i * r })),
    losses: { steps: Array.from({ length: 32 }, (_, i) => i * 16), loss: Array.from({ length: 32 }, (_, i) => 0.02 / (1 + i * (r + 1))) },
  }));
}

function colorScale(spec: unknown): Record<string, unknown> {
  const colors = findAll(spec, (o) => o.field === 'value' && typeof o.scale === 'object' && 'legend' in o);
  expect(colors.length).toBeGreaterThan(0);
  return colors[0]!.scale as Record<string, unknown>;
}

describe('training plot', () => {
  it('renders three panels with the scale caption, axis titles and a dotted rule at 1', async () => {
    const spec = trainingPlot({ scale: SCALE, sweep: { field: 'learning_rate' }, runs: runs([0.001, 0.003, 0.01, 0.03]) });
    expect((spec as { hconcat: unknown[] }).hconcat).toHaveLength(3);
    const rules = findAll(spec, (o) => (o.mark as { type?: string })?.type === 'rule');
    expect(rules).toHaveLength(1);
    expect((rules[0]!.data as { values: unknown[] }).values).toEqual([{ y: 1 }]);
    expect((rules[0]!.mark as { strokeDash: number[] }).strokeDash).toBeDefined();
    const r = await renderChecked(spec, ['log2(training step)', '# mono neurons / # features', 'mean bias', 'loss', 'learning rate', 'Training: learning rate sweep']);
    expect(r.width).toBeGreaterThan(3 * 260);
  });

  it('colours log-spaced values on a log scale, others linearly, categories nominally', () => {
    expect(colorScale(trainingPlot({ scale: SCALE, sweep: { field: 'decay' }, runs: runs([1e-1, 1e-4, 1e-7]) })).type).toBe('log');
    expect(colorScale(trainingPlot({ scale: SCALE, sweep: { field: 'initial_bias' }, runs: runs([-2, -1, 0, 1]) })).type).toBe('linear');
    const nominal = trainingPlot({ scale: SCALE, sweep: { field: 'nonlinearity' }, runs: runs(['ReLU', 'GeLU']) });
    const enc = findAll(nominal, (o) => o.field === 'value' && 'legend' in o)[0]!;
    expect(enc.type).toBe('nominal');
  });

  it('renders a categorical sweep and a single run', async () => {
    await renderChecked(trainingPlot({ scale: SCALE, sweep: { field: 'nonlinearity' }, runs: runs(['ReLU', 'GeLU']) }), ['ReLU', 'GeLU', 'activation function']);
    await renderChecked(trainingPlot({ scale: SCALE, runs: runs([0]), layout: 'column' }), ['Training']);
  });

  it('plots the loss against log2(step) for steps >= 1, binned when long', () => {
    const steps = Array.from({ length: 8192 }, (_, i) => i * 16);
    const loss = steps.map((s) => 1 / (1 + s));
    const all = lossPoints({ steps: steps.slice(0, 10), loss: loss.slice(0, 10) }, 400);
    expect(all).toHaveLength(9);
    expect(all[0]).toEqual({ log2_step: 4, loss: 1 / 17 });
    const binned = lossPoints({ steps, loss }, 400);
    expect(binned.length).toBeLessThanOrEqual(400);
    expect(binned.length).toBeGreaterThan(200);
    expect(binned[0]!.log2_step).toBe(4);
    expect(binned[binned.length - 1]!.log2_step).toBeCloseTo(Math.log2(8191 * 16), 1);
    for (let i = 1; i < binned.length; i++) expect(binned[i]!.log2_step).toBeGreaterThan(binned[i - 1]!.log2_step);
  });

  it('falls back to the snapshot loss without a loss record', () => {
    const spec = trainingPlot({
      scale: SCALE,
      runs: [{ value: 1, snapshots: [{ log2_step: 0, loss: 0.1, mono_per_feature: 0, mean_bias: 0 }, { log2_step: 3, loss: 0.05, mono_per_feature: 0.5, mean_bias: -0.1 }] }],
    });
    const lossData = findAll(spec, (o) => Array.isArray((o.data as { values?: unknown[] })?.values) && JSON.stringify(o.data).includes('"loss"'))[0]!;
    expect((lossData.data as { values: { loss: number }[] }).values.map((v) => v.loss)).toEqual([0.1, 0.05]);
  });

  it('requires runs and the scale caption', () => {
    expect(() => trainingPlot({ scale: SCALE, runs: [] })).toThrow();
    expect(() => trainingPlot({ scale: '', runs: runs([1]) })).toThrow(/scale/);
  });
});
