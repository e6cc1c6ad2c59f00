// The sweep summary table (src/sweep/summary.ts): every cell of a hand-built sweep's rows, for runs
// of each kind the store holds, against values rounded by hand.
import { describe, expect, it } from 'vitest';
import type { SweepOutcome } from '../../src/sweep/outcomes.js';
import { SCALES } from '../../src/sweep/scale.js';
import { sweepPoints, type SweepPoint, type SweepSpec } from '../../src/sweep/spec.js';
import { formatMetric } from '../../src/figures/labels.js';
import { SUMMARY_HEADER, summaryRows } from '../../src/sweep/summary.js';
import type { RunRow, RunStatus, RunSummary } from '../../src/store/types.js';

const spec: SweepSpec = {
  name: 'summary-test',
  fixed: { N: 512, m: 64 },
  // 1/3 shows formatValue's six significant digits; k shows that mono / k divides by the point's k.
  variables: [
    { field: 'learning_rate', values: [0.03, 1 / 3, 0.1] },
    { field: 'k', values: [256, 1024] },
  ],
  scale: { name: 'smoke', ...SCALES.smoke, constant_batch_times_k: false },
};

const row = (point: SweepPoint, id: string, status: RunStatus, final: RunSummary | null): RunRow => ({
  id,
  status,
  created_at: '2025-01-01T00:00:00Z',
  finished_at: final ? '2025-01-01T00:01:00Z' : null,
  config: { ...point.config, threads: 1, version: '0.0.0' },
  final,
  progress: null,
});

describe('summaryRows', () => {
  const points = sweepPoints(spec);
  const [fresh, old, diverged, running, missing, short] = points as [
    SweepPoint,
    SweepPoint,
    SweepPoint,
    SweepPoint,
    SweepPoint,
    SweepPoint,
  ];
  const common = { samples_per_second: 1e5, seconds: 12 };
  const outcomes: SweepOutcome[] = [
    {
      point: fresh,
      run: row(fresh, 'r-fresh', 'finished', {
        status: 'finished',
        data_loss: 0.123456,
        data_loss_se: 0.00123,
        data_loss_last64: 0.1301,
        data_loss_last64_se: 0.000456,
        monosemantic_neurons: 200,
        monosemantic_per_feature: 208 / 512,
        features_covered: 201,
        dead_neurons: 12,
        mean_bias: -0.0123456,
        ...common,
      }),
    },
    // Stored before the standard errors, the long window, features covered and dead neurons existed.
    {
      point: old,
      run: row(old, 'r-old', 'finished', {
        status: 'finished',
        data_loss: 0.2,
        monosemantic_neurons: 100,
        monosemantic_per_feature: 0.05,
        mean_bias: -1,
        ...common,
      }),
    },
    // What a diverged run stores: NaN losses (null in the index, read back as NaN) and its NaN parameters' metrics.
    {
      point: diverged,
      run: row(diverged, 'r-diverged', 'diverged', {
        status: 'diverged',
        diverged_at_step: 40,
        data_loss: NaN,
        data_loss_se: NaN,
        data_loss_last64: NaN,
        data_loss_last64_se: NaN,
        monosemantic_neurons: 0,
        monosemantic_per_feature: 0,
        features_covered: 0,
        dead_neurons: 256,
        mean_bias: NaN,
        ...common,
      }),
    },
    { point: running, run: row(running, 'r-running', 'running', null) },
    { point: missing },
    // One loss record: a mean with no standard error prints the mean alone.
    {
      point: short,
      run: row(short, 'r-short', 'finished', {
        status: 'finished',
        data_loss: 1.5,
        data_loss_se: NaN,
        data_loss_last64: 1.5,
        data_loss_last64_se: NaN,
        monosemantic_neurons: 1,
        monosemantic_per_feature: 1 / 512,
        features_covered: 1,
        dead_neurons: 0,
        mean_bias: 0.25,
        ...common,
      }),
    },
  ];

  it('has the swept values, then one cell per SUMMARY_HEADER column, rounded and with - for what is missing', () => {
    // Grid order, learning_rate outermost, as the outcomes above assume.
    expect(points.map((p) => [p.values.learning_rate, p.config.k])).toEqual([
      [0.03, 256],
      [0.03, 1024],
      [1 / 3, 256],
      [1 / 3, 1024],
      [0.1, 256],
      [0.1, 1024],
    ]);
    expect(SUMMARY_HEADER).toEqual([
      'status',
      'final loss (last 8, ± se)',
      'loss (last 64)',
      'mono / N',
      'features covered',
      'mono / k',
      'dead',
      'mean bias',
      'run',
    ]);
    expect(summaryRows(spec, outcomes)).toEqual([
      // 200 / 256 = 0.78125.
      [
        '0.03',
        '256',
        'finished',
        '0.1235 ± 0.0012',
        '0.1301 ± 0.00046',
        '0.406',
        '201',
        '0.781',
        '12',
        '-0.0123',
        'r-fresh',
      ],
      // 100 / 1024 = 0.09765625.
      ['0.03', '1024', 'finished', '0.2000', '-', '0.0500', '-', '0.0977', '-', '-1.00', 'r-old'],
      ['0.333333', '256', 'diverged', '-', '-', '0.00', '0', '0.00', '256', '-', 'r-diverged'],
      ['0.333333', '1024', 'running', '-', '-', '-', '-', '-', '-', '-', 'r-running'],
      ['0.1', '256', 'missing', '-', '-', '-', '-', '-', '-', '-', '-'],
      // 1 / 512 = 0.001953125, 1 / 1024 = 0.0009765625.
      ['0.1', '1024', 'finished', '1.500', '1.500', '0.00195', '1', '0.000977', '0', '0.250', 'r-short'],
    ]);
  });
});

describe('formatMetric', () => {
  it('gives `digits` significant digits, 4 unless told', () => {
    expect(formatMetric(2 / 3)).toBe('0.6667');
    expect(formatMetric(2 / 3, 2)).toBe('0.67');
    expect(formatMetric(12345.6)).toBe('1.235e+4');
    expect(formatMetric(0)).toBe('0.000');
  });

  it.each([undefined, null, NaN, Infinity, -Infinity])('is - for %s', (x) => {
    expect(formatMetric(x)).toBe('-');
  });
});
