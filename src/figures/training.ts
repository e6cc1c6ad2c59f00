// Figure: the training plot of a sweep. Three panels against log2(training step): the loss, the
// monosemantic neurons / N (with a dotted rule at 1) and the mean bias; one line per run, coloured
// by the swept value.
import type { TopLevelSpec } from 'vega-lite';
import { NUMBER_LABEL_EXPR, colorDatum, colorScaleKind, sweepColorEncoding, topLevel, type Spec } from './common.js';
import { MEASURE_LABELS, fieldLabel } from './labels.js';
import type { FigureOptions, LossRecord, SnapshotPoint, SweepValue, SweptField } from './types.js';

export interface TrainingRun {
  /** The run's swept value (its colour). */
  value: SweepValue;
  /** Distinguishes runs that share a swept value (seeds); defaults to the run's index. */
  id?: string;
  /** The analysed snapshots, in any order. */
  snapshots: readonly SnapshotPoint[];
  /** The recorded loss (every 16 steps); without it the loss panel uses the snapshots' `loss`. */
  losses?: LossRecord;
}

export interface TrainingPlotInput extends FigureOptions {
  /** The swept field; leave out for runs that are not a sweep (each run is then its own colour). */
  sweep?: SweptField;
  runs: readonly TrainingRun[];
  /** 'row' (default): the three panels side by side; 'column': stacked. */
  layout?: 'row' | 'column';
  panelWidth?: number;
  panelHeight?: number;
  /**
   * At most this many loss points per run (default 400): above it the loss is averaged in equal
   * bins of log2(step), which keeps the curve's shape and the SVG small at paper scale.
   */
  maxLossPoints?: number;
  /** Loss axis: 'auto' (default) is log when the loss spans a factor of 10 or more. */
  lossScale?: 'auto' | 'log' | 'linear';
}

interface LossRow {
  run: string;
  value: SweepValue;
  log2_step: number;
  loss: number;
}

/** Loss points against log2(step) for steps >= 1, averaged into at most maxPoints bins. */
export function lossPoints(losses: LossRecord, maxPoints: number): { log2_step: number; loss: number }[] {
  const pts: { log2_step: number; loss: number }[] = [];
  const n = Math.min(losses.steps.length, losses.loss.length);
  for (let i = 0; i < n; i++) {
    const step = losses.steps[i]!;
    const loss = losses.loss[i]!;
    if (step >= 1 && Number.isFinite(loss)) pts.push({ log2_step: Math.log2(step), loss });
  }
  if (pts.length <= maxPoints) return pts;
  const lo = pts[0]!.log2_step;
  const hi = pts[pts.length - 1]!.log2_step;
  const width = (hi - lo) / maxPoints;
  const out: { log2_step: number; loss: number }[] = [];
  let bin = -1;
  let sx = 0;
  let sy = 0;
  let count = 0;
  const flush = () => {
    if (count) out.push({ log2_step: sx / count, loss: sy / count });
  };
  for (const p of pts) {
    const b = Math.min(maxPoints - 1, Math.floor((p.log2_step - lo) / width));
    if (b !== bin) {
      flush();
      bin = b;
      sx = sy = count = 0;
    }
    sx += p.log2_step;
    sy += p.loss;
    count++;
  }
  flush();
  return out;
}

/** The training plot: loss, mono neurons / N and mean bias against log2(training step). */
export function trainingPlot(input: TrainingPlotInput): TopLevelSpec {
  if (input.runs.length === 0) throw new Error('trainingPlot needs at least one run');
  const runIds = input.runs.map((r, i) => r.id ?? String(i));
  const field = input.sweep?.field ?? 'run';
  const values: SweepValue[] = input.sweep ? input.runs.map((r) => r.value) : runIds;
  const kind = input.sweep ? colorScaleKind(field, values) : 'nominal';
  const datum = (i: number): SweepValue => colorDatum(kind, values[i]!);

  const lossRows: LossRow[] = [];
  const snapRows: Record<string, unknown>[] = [];
  input.runs.forEach((run, i) => {
    const base = { run: runIds[i]!, value: datum(i) };
    if (run.losses) {
      for (const p of lossPoints(run.losses, input.maxLossPoints ?? 400)) lossRows.push({ ...base, ...p });
    } else {
      for (const s of run.snapshots) {
        if (s.loss != null && Number.isFinite(s.loss)) lossRows.push({ ...base, log2_step: s.log2_step, loss: s.loss });
      }
    }
    for (const s of run.snapshots) {
      snapRows.push({ ...base, log2_step: s.log2_step, mono_per_feature: s.mono_per_feature, mean_bias: s.mean_bias });
    }
  });

  const color: Spec =
    input.sweep || input.runs.length > 1
      ? sweepColorEncoding(field, values, input.sweep?.label ?? (input.sweep ? undefined : 'run'))
      : { value: '#4c78a8' };
  const sweepTitle = input.sweep?.label ?? fieldLabel(field);
  const width = input.panelWidth ?? 260;
  const height = input.panelHeight ?? 200;
  // One x domain for the three panels, so that they line up.
  const steps = [...lossRows.map((r) => r.log2_step), ...snapRows.map((r) => r.log2_step as number)].filter(Number.isFinite);
  const x = {
    field: 'log2_step',
    type: 'quantitative',
    scale: steps.length ? { domain: [Math.min(...steps), Math.max(...steps)], nice: false, zero: false } : { zero: false },
    axis: { title: MEASURE_LABELS.log2Step, tickMinStep: 1, labelExpr: NUMBER_LABEL_EXPR },
  };
  const tooltip = (yField: string, yTitle: string): Spec[] => [
    { field: 'value', type: kind === 'nominal' ? 'nominal' : 'quantitative', title: sweepTitle },
    { field: 'log2_step', type: 'quantitative', title: MEASURE_LABELS.log2Step, format: '.3~f' },
    { field: yField, type: 'quantitative', title: yTitle, format: '.4~g' },
  ];

  const losses = lossRows.map((r) => r.loss);
  const positive = losses.length > 0 && losses.every((l) => l > 0);
  const logLoss =
    input.lossScale === 'log' ? positive : input.lossScale === 'linear' ? false : positive && Math.max(...losses) / Math.min(...losses) >= 10;
  const lossPanel: Spec = {
    width,
    height,
    data: { values: lossRows },
    mark: { type: 'line', strokeWidth: 1.5, clip: true },
    encoding: {
      x,
      y: {
        field: 'loss',
        type: 'quantitative',
        scale: logLoss ? { type: 'log' } : { zero: false },
        // On a log axis Vega thins the labels of the 2..9 ticks itself, given a format (not a labelExpr).
        axis: logLoss ? { title: `${MEASURE_LABELS.loss} (log scale)`, format: '~g' } : { title: MEASURE_LABELS.loss, labelExpr: NUMBER_LABEL_EXPR },
      },
      color,
      detail: { field: 'run', type: 'nominal' },
      tooltip: tooltip('loss', MEASURE_LABELS.loss),
    },
  };
  const snapshotLine = (yField: string, yTitle: string): Spec => ({
    data: { values: snapRows },
    mark: { type: 'line', strokeWidth: 1.5, point: { size: 18, filled: true } },
    encoding: {
      x,
      y: { field: yField, type: 'quantitative', scale: { zero: false }, axis: { title: yTitle } },
      color,
      detail: { field: 'run', type: 'nominal' },
      tooltip: tooltip(yField, yTitle),
    },
  });
  const monoPanel: Spec = {
    width,
    height,
    layer: [
      {
        data: { values: [{ y: 1 }] },
        mark: { type: 'rule', strokeDash: [2, 3], color: '#333', strokeWidth: 1.2 },
        encoding: { y: { field: 'y', type: 'quantitative' } },
      },
      snapshotLine('mono_per_feature', MEASURE_LABELS.monoPerFeature),
    ],
  };
  const biasPanel: Spec = {
    width,
    height,
    ...snapshotLine('mean_bias', MEASURE_LABELS.meanBias),
  };
  const panels = [lossPanel, monoPanel, biasPanel];
  return topLevel(input, input.sweep ? `Training: ${sweepTitle} sweep` : 'Training', {
    ...(input.layout === 'column' ? { vconcat: panels } : { hconcat: panels }),
    resolve: { scale: { color: 'shared' }, legend: { color: 'shared' } },
  });
}
