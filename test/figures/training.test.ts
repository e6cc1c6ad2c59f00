import { describe, expect, it } from 'vitest';
import { MARK_DASH } from '../../src/figures/common.js';
import { lossPoints, runningMean, trainingPlot, type TrainingRun } from '../../src/figures/training.js';
import { findAll, renderChecked, SCALE } from './helpers.js';

function runs(values: (number | string)[]): TrainingRun[] {
  return values.map((value, r) => ({
    value,
    id: `r${r}`,
    snapshots: Array.from({ length: 6 }, (_, i) => ({
      log2_step: i,
      mono_per_feature: (i * (r + 1)) / 20,
      mean_bias: -0.01 * i * r,
    })),
    losses: {
      steps: Array.from({ length: 32 }, (_, i) => i * 16),
      loss: Array.from({ length: 32 }, (_, i) => 0.02 / (1 + i * (r + 1))),
    },
  }));
}

function colorScale(spec: unknown): Record<string, unknown> {
  const colors = findAll(spec, (o) => o.field === 'value' && typeof o.scale === 'object' && 'legend' in o);
  expect(colors.length).toBeGreaterThan(0);
  return colors[0]!.scale as Record<string, unknown>;
}

describe('training plot', () => {
  it('renders three panels with the scale caption, axis titles and a dotted rule at 1', async () => {
    const spec = trainingPlot({
      scale: SCALE,
      sweep: { field: 'learning_rate' },
      runs: runs([0.001, 0.003, 0.01, 0.03]),
    });
    expect((spec as { hconcat: unknown[] }).hconcat).toHaveLength(3);
    const rules = findAll(spec, (o) => (o.mark as { type?: string })?.type === 'rule');
    expect(rules).toHaveLength(1);
    expect((rules[0]!.data as { values: unknown[] }).values).toEqual([{ y: 1 }]);
    expect((rules[0]!.mark as { strokeDash: number[] }).strokeDash).toBeDefined();
    const r = await renderChecked(spec, [
      'log2(training step)',
      '# mono neurons / # features',
      'mean bias',
      'loss',
      'learning rate',
      'Training: learning rate sweep',
    ]);
    expect(r.width).toBeGreaterThan(3 * 260);
  });

  it('colours log-spaced values on a log scale, others linearly, categories nominally', () => {
    expect(
      colorScale(trainingPlot({ scale: SCALE, sweep: { field: 'decay' }, runs: runs([1e-1, 1e-4, 1e-7]) })).type,
    ).toBe('log');
    expect(
      colorScale(trainingPlot({ scale: SCALE, sweep: { field: 'initial_bias' }, runs: runs([-2, -1, 0, 1]) })).type,
    ).toBe('linear');
    const nominal = trainingPlot({ scale: SCALE, sweep: { field: 'nonlinearity' }, runs: runs(['ReLU', 'GeLU']) });
    const enc = findAll(nominal, (o) => o.field === 'value' && 'legend' in o)[0]!;
    expect(enc.type).toBe('nominal');
  });

  it('renders a categorical sweep and a single run', async () => {
    await renderChecked(
      trainingPlot({ scale: SCALE, sweep: { field: 'nonlinearity' }, runs: runs(['ReLU', 'GeLU']) }),
      ['ReLU', 'GeLU', 'activation function'],
    );
    await renderChecked(trainingPlot({ scale: SCALE, runs: runs([0]), layout: 'column' }), ['Training']);
  });

  it('plots the loss against log2(step) for steps >= 1, binned when long', () => {
    const steps = Array.from({ length: 8192 }, (_, i) => i * 16);
    const loss = steps.map((s) => 1 / (1 + s));
    const all = lossPoints({ steps: steps.slice(0, 10), loss: loss.slice(0, 10) }, 400);
    expect(all).toHaveLength(9);
    // The running mean at step 16 (record 1) averages records 0 to 8, step 0's included.
    expect(all[0]).toEqual({ log2_step: 4, loss: 1 / 17, mean: loss.slice(0, 9).reduce((a, b) => a + b, 0) / 9 });
    const binned = lossPoints({ steps, loss }, 400);
    expect(binned.length).toBeLessThanOrEqual(400);
    expect(binned.length).toBeGreaterThan(200);
    expect(binned[0]!.log2_step).toBe(4);
    expect(binned[binned.length - 1]!.log2_step).toBeCloseTo(Math.log2(8191 * 16), 1);
    for (let i = 1; i < binned.length; i++) expect(binned[i]!.log2_step).toBeGreaterThan(binned[i - 1]!.log2_step);
  });

  it('takes a centred running mean, with fewer values at the ends', () => {
    expect(runningMean([1, 2, 3, 4, 5, 6], 4)).toEqual([1.5, 2, 2.5, 3.5, 4.5, 5]);
    expect(runningMean([3, 1, 2], 1)).toEqual([3, 1, 2]);
    expect(() => runningMean([1], 0)).toThrow(/window/);
  });

  it('draws the raw loss faint under its running mean, and says so', async () => {
    const loss = [4, 0, 4, 0, 4, 0, 4, 0];
    const spec = trainingPlot({
      scale: SCALE,
      lossSmoothing: 2,
      runs: [{ value: 0, snapshots: runs([0])[0]!.snapshots, losses: { steps: loss.map((_, i) => i * 16), loss } }],
    });
    const lines = findAll(
      spec,
      (o) => (o.mark as { type?: string })?.type === 'line' && JSON.stringify(o.data ?? '').includes('"loss"'),
    );
    expect(lines).toHaveLength(2);
    const [raw, mean] = lines as {
      mark: { opacity?: number; strokeWidth: number };
      data: { values: { loss: number }[] };
    }[];
    expect(raw!.mark.opacity).toBe(0.25);
    expect(raw!.data.values.map((v) => v.loss)).toEqual(loss.slice(1));
    expect(mean!.mark.opacity).toBeUndefined();
    // Window 2: records i - 1 and i.
    expect(mean!.data.values.map((v) => v.loss)).toEqual([2, 2, 2, 2, 2, 2, 2]);
    await renderChecked(spec, ['loss: faint, as recorded; line, its centred running mean over 2 records (32 steps)']);
  });

  it('uses a log loss axis only when the loss spans two decades, else a linear one that fits the data', () => {
    const lossAxis = (lo: number, hi: number) => {
      const spec = trainingPlot({
        scale: SCALE,
        runs: [
          {
            value: 0,
            snapshots: [0, 1, 2].map((i) => ({
              log2_step: i,
              loss: [hi, (lo + hi) / 2, lo][i],
              mono_per_feature: 0,
              mean_bias: 0,
            })),
          },
        ],
      });
      return findAll(spec, (o) => o.field === 'loss' && 'scale' in o)[0]!.scale as Record<string, unknown>;
    };
    const linear = lossAxis(1.4, 14);
    expect(linear.type).toBeUndefined();
    expect(linear).toMatchObject({ zero: false, nice: false });
    expect(lossAxis(0.01, 10).type).toBe('log');
  });

  it('rules the zero-output loss on the loss panel', async () => {
    const spec = trainingPlot({
      scale: SCALE,
      sweep: { field: 'learning_rate' },
      runs: runs([0.001, 0.01]),
      zeroOutputLoss: 0.03,
    });
    const zero = findAll(
      spec,
      (o) => (o.mark as { type?: string })?.type === 'rule' && JSON.stringify(o.data).includes('zero output'),
    );
    expect(zero).toHaveLength(1);
    expect((zero[0]!.data as { values: { loss: number }[] }).values[0]!.loss).toBe(0.03);
    expect((zero[0]!.mark as { strokeDash?: number[] }).strokeDash).toBeDefined();
    await renderChecked(spec, ['zero output']);
  });

  it("marks the paper schedule's restarts and the end of bias decay on all three panels", async () => {
    const long = runs([0.001, 0.01]).map((r) => ({
      ...r,
      snapshots: Array.from({ length: 14 }, (_, i) => ({
        log2_step: i,
        mono_per_feature: i / 13,
        mean_bias: -i / 100,
      })),
    }));
    const rulesAt = (spec: unknown, pred: (mark: { color?: string; strokeDash?: number[] }) => boolean) =>
      findAll(
        spec,
        (o) =>
          (o.mark as { type?: string })?.type === 'rule' &&
          pred(o.mark as never) &&
          JSON.stringify(o.data).includes('log2_step'),
      );
    const steps = (rule: Record<string, unknown>) =>
      (rule.data as { values: { log2_step: number }[] }).values.map((v) => v.log2_step);
    const spec = trainingPlot({
      scale: SCALE,
      sweep: { field: 'learning_rate' },
      runs: long,
      steps: 8192,
      decay: true,
    });
    const restarts = rulesAt(spec, (m) => !m.strokeDash);
    const decay = rulesAt(spec, (m) => !!m.strokeDash);
    expect(restarts).toHaveLength(3);
    expect(decay).toHaveLength(3);
    for (const r of restarts) expect(steps(r)).toEqual([1, 2, 3, 4, 5, 6, 7].map((k) => Math.log2(k * 1024)));
    for (const r of decay) expect(steps(r)).toEqual([12]);
    const r = await renderChecked(spec, [
      'bias decay ends',
      'learning-rate restarts (every 1024 steps)',
      'bias decay ends (step T/2 = 4096)',
    ]);
    expect(r.svg.match(/>bias decay ends</g)).toHaveLength(3);

    // Other schedules have no restarts; no decay, no decay guide; without T, no guides.
    const constant = trainingPlot({
      scale: SCALE,
      sweep: { field: 'learning_rate' },
      runs: long,
      steps: 8192,
      decay: true,
      schedule: 'constant',
    });
    expect(rulesAt(constant, (m) => !m.strokeDash)).toHaveLength(0);
    expect(rulesAt(constant, (m) => !!m.strokeDash)).toHaveLength(3);
    const every = trainingPlot({
      scale: SCALE,
      sweep: { field: 'learning_rate' },
      runs: long,
      steps: 8192,
      restartEvery: 2048,
    });
    expect(steps(rulesAt(every, () => true)[0]!)).toEqual([11, Math.log2(4096), Math.log2(6144)]);
    expect(rulesAt(every, (m) => !!m.strokeDash)).toHaveLength(0);
    expect(rulesAt(trainingPlot({ scale: SCALE, runs: long }), () => true)).toHaveLength(0);
    expect(() => trainingPlot({ scale: SCALE, runs: long, decay: true })).toThrow(/steps/);
  });

  it('draws only the restarts at 1024 × 2^n when there are more than 16 (long scale: 63)', async () => {
    const long = runs([0.003]).map((r) => ({
      ...r,
      snapshots: Array.from({ length: 17 }, (_, i) => ({ log2_step: i, mono_per_feature: i / 16, mean_bias: -1 })),
    }));
    const spec = trainingPlot({ scale: SCALE, sweep: { field: 'learning_rate' }, runs: long, steps: 65536 });
    const rules = findAll(
      spec,
      (o) => (o.mark as { type?: string })?.type === 'rule' && JSON.stringify(o.data).includes('log2_step'),
    );
    expect(rules).toHaveLength(3);
    for (const r of rules)
      expect((r.data as { values: { log2_step: number }[] }).values.map((v) => v.log2_step)).toEqual([
        10, 11, 12, 13, 14, 15,
      ]);
    await renderChecked(spec, ['learning-rate restarts (every 1024 steps; of 63, the 6 at 1024 × 2^n drawn)']);
  });

  it('draws diverged runs dashed and never-learned ones dotted on every panel, with notes', async () => {
    const marked = runs([0.001, 0.01, 0.03]).map((r, i) => ({
      ...r,
      mark: (['ok', 'diverged', 'never-learned'] as const)[i],
    }));
    const spec = trainingPlot({ scale: SCALE, sweep: { field: 'learning_rate' }, runs: marked });
    const dashes = findAll(spec, (o) => o.field === 'mark' && 'scale' in o) as {
      scale: { domain: string[]; range: number[][] };
    }[];
    // The raw loss, the loss's running mean, mono / N and the mean bias.
    expect(dashes).toHaveLength(4);
    for (const d of dashes) expect(d.scale.range[d.scale.domain.indexOf('diverged')]).toEqual(MARK_DASH.diverged);
    for (const d of dashes)
      expect(d.scale.range[d.scale.domain.indexOf('never-learned')]).toEqual(MARK_DASH['never-learned']);
    const bias = findAll(spec, (o) => JSON.stringify(o.data ?? '').includes('"mean_bias"'))[0]!.data as {
      values: { value: number; mark: string }[];
    };
    expect(bias.values.filter((v) => v.value === 0.01).every((v) => v.mark === 'diverged')).toBe(true);
    await renderChecked(spec, ['dashed: diverged (1 run', 'dotted: never learned']);
    expect(
      findAll(
        trainingPlot({ scale: SCALE, sweep: { field: 'learning_rate' }, runs: runs([0.001, 0.01]) }),
        (o) => o.field === 'mark',
      ),
    ).toHaveLength(0);
  });

  it('draws seeds of a value as their mean with a min-max band on every panel', async () => {
    const two = runs([0.01, 0.01, 0.03]).map((r, i) => ({ ...r, id: `s${i}` }));
    const spec = trainingPlot({ scale: SCALE, sweep: { field: 'learning_rate' }, runs: two });
    const areas = findAll(spec, (o) => (o.mark as { type?: string })?.type === 'area');
    expect(areas).toHaveLength(3);
    const mono = findAll(
      spec,
      (o) =>
        (o.mark as { type?: string })?.type === 'line' && JSON.stringify(o.data ?? '').includes('"mono_per_feature"'),
    )[0]!;
    const rows = (
      mono.data as { values: { value: number; log2_step: number; mono_per_feature: number; lo: number; hi: number }[] }
    ).values;
    // One line per value: 6 snapshots each.
    expect(rows).toHaveLength(12);
    const at5 = rows.find((v) => v.value === 0.01 && v.log2_step === 5)!;
    const [a, b] = [two[0]!.snapshots[5]!.mono_per_feature, two[1]!.snapshots[5]!.mono_per_feature];
    expect(at5).toMatchObject({ lo: Math.min(a, b), hi: Math.max(a, b) });
    expect(at5.mono_per_feature).toBeCloseTo((a + b) / 2, 12);
    const single = rows.find((v) => v.value === 0.03 && v.log2_step === 5)!;
    expect(single.lo).toBe(single.hi);
    const loss = findAll(
      spec,
      (o) => (o.mark as { type?: string })?.type === 'area' && JSON.stringify(o.data).includes('"loss"'),
    )[0]!;
    const lossAt = (loss.data as { values: { value: number; lo: number; hi: number }[] }).values.find(
      (v) => v.value === 0.01,
    )!;
    expect(lossAt.hi).toBeGreaterThan(lossAt.lo);
    await renderChecked(spec, ['line: mean over seeds, band: min–max over 2 seeds']);
    // One run per value: no band.
    expect(
      findAll(
        trainingPlot({ scale: SCALE, sweep: { field: 'learning_rate' }, runs: runs([0.01, 0.03]) }),
        (o) => (o.mark as { type?: string })?.type === 'area',
      ),
    ).toHaveLength(0);
  });

  it('falls back to the snapshot loss without a loss record', () => {
    const spec = trainingPlot({
      scale: SCALE,
      runs: [
        {
          value: 1,
          snapshots: [
            { log2_step: 0, loss: 0.1, mono_per_feature: 0, mean_bias: 0 },
            { log2_step: 3, loss: 0.05, mono_per_feature: 0.5, mean_bias: -0.1 },
          ],
        },
      ],
    });
    const lossData = findAll(
      spec,
      (o) => Array.isArray((o.data as { values?: unknown[] })?.values) && JSON.stringify(o.data).includes('"loss"'),
    )[0]!;
    expect((lossData.data as { values: { loss: number }[] }).values.map((v) => v.loss)).toEqual([0.1, 0.05]);
  });

  it('requires runs and the scale caption', () => {
    expect(() => trainingPlot({ scale: SCALE, runs: [] })).toThrow();
    expect(() => trainingPlot({ scale: '', runs: runs([1]) })).toThrow(/scale/);
  });
});
