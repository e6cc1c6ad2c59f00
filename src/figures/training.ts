// Figure: the training plot of a sweep. Three panels against log2(training step): the loss (faint
// raw, with its running mean over it), the monosemantic neurons / N (with a dotted rule at 1) and
// the mean bias; one line per swept value, coloured by it, with a min-max band where several runs
// (seeds) share the value. Guides mark the schedule's restarts, the end of bias decay and the loss
// of a model that outputs zero.
import type { TopLevelSpec } from 'vega-lite';
import {
  markDashEncoding,
  NUMBER_LABEL_EXPR,
  colorDatum,
  colorScaleKind,
  markNotes,
  sweepColorEncoding,
  topLevel,
  type Spec,
} from './common.js';
import { MEASURE_LABELS, fieldLabel, formatNumber } from './labels.js';
import type { FigureOptions, LossRecord, RunMark, SnapshotPoint, SweepValue, SweptField } from './types.js';

export interface TrainingRun {
  /** The run's swept value (its colour). */
  value: SweepValue;
  /** Distinguishes runs that share a swept value (seeds); defaults to the run's index. */
  id?: string;
  /** The analysed snapshots, in any order. */
  snapshots: readonly SnapshotPoint[];
  /** The recorded loss (every 16 steps); without it the loss panel uses the snapshots' `loss`. */
  losses?: LossRecord;
  /** How the run ended: a diverged run is drawn dashed, one that never learned dotted. */
  mark?: RunMark;
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
   * At most this many loss points per line (default 400): above it the loss is averaged in equal
   * bins of log2(step), which keeps the curve's shape and the SVG small at paper scale.
   */
  maxLossPoints?: number;
  /** Loss axis: 'auto' (default) is log when the loss spans a factor of 100 or more. */
  lossScale?: 'auto' | 'log' | 'linear';
  /** Loss records in the centred running mean drawn over the raw loss (default 16). */
  lossSmoothing?: number;
  /** The loss of a model that outputs zero (N·eps/3 for the decoder): a dashed rule, "zero output". */
  zeroOutputLoss?: number;
  /** T, the runs' number of training steps: places the guides at the restarts and at T/2. */
  steps?: number;
  /** The runs' learning-rate schedule; restarts are drawn only for 'paper' (the default). */
  schedule?: string;
  /** Steps between the paper schedule's restarts (default 1024: a cosine of period 1024). */
  restartEvery?: number;
  /** Whether the runs decay their biases, which stops at step T/2: a guide there (needs `steps`). */
  decay?: boolean;
}

/** A loss point against log2(step): the recorded loss and its running mean. */
export interface LossPoint {
  log2_step: number;
  loss: number;
  mean: number;
}

const DEFAULT_SMOOTHING = 16;
const RESTART_COLOR = '#9ebfdf';
const MAX_RESTARTS = 16;
const DECAY_COLOR = '#e8790c';

/**
 * Centred running mean over `window` values: element i averages values i - floor(window / 2) to
 * i + ceil(window / 2) - 1, fewer at the ends.
 */
export function runningMean(values: readonly number[], window: number): number[] {
  if (!Number.isInteger(window) || window < 1)
    throw new Error(`runningMean: window ${window} is not a positive integer`);
  const prefix = [0];
  for (const v of values) prefix.push(prefix[prefix.length - 1]! + v);
  const before = Math.floor(window / 2);
  const after = Math.ceil(window / 2);
  return values.map((_, i) => {
    const lo = Math.max(0, i - before);
    const hi = Math.min(values.length, i + after);
    return (prefix[hi]! - prefix[lo]!) / (hi - lo);
  });
}

/** The finite loss records with their running mean (taken before leaving out steps below 1). */
function smoothedLoss(losses: LossRecord, window: number): { step: number; loss: number; mean: number }[] {
  const steps: number[] = [];
  const loss: number[] = [];
  const n = Math.min(losses.steps.length, losses.loss.length);
  for (let i = 0; i < n; i++) {
    if (Number.isFinite(losses.loss[i]!)) {
      steps.push(losses.steps[i]!);
      loss.push(losses.loss[i]!);
    }
  }
  const mean = runningMean(loss, window);
  return steps.map((step, i) => ({ step, loss: loss[i]!, mean: mean[i]! })).filter((p) => p.step >= 1);
}

/** Averages every field of points sorted by log2_step in at most maxPoints equal bins of log2_step. */
function binByLog2Step<T extends { log2_step: number }>(pts: readonly T[], maxPoints: number): T[] {
  if (pts.length <= maxPoints) return [...pts];
  const keys = Object.keys(pts[0]!) as (keyof T & string)[];
  const lo = pts[0]!.log2_step;
  const width = (pts[pts.length - 1]!.log2_step - lo) / maxPoints;
  const out: T[] = [];
  let bin = -1;
  let sums: number[] = [];
  let count = 0;
  const flush = () => {
    if (count) out.push(Object.fromEntries(keys.map((k, j) => [k, sums[j]! / count])) as T);
  };
  for (const p of pts) {
    const b = Math.min(maxPoints - 1, Math.floor((p.log2_step - lo) / width));
    if (b !== bin) {
      flush();
      bin = b;
      sums = keys.map(() => 0);
      count = 0;
    }
    keys.forEach((k, j) => (sums[j]! += p[k] as number));
    count++;
  }
  flush();
  return out;
}

/**
 * Loss points against log2(step) for steps >= 1 with the centred running mean over `window`
 * records, averaged into at most maxPoints bins.
 */
export function lossPoints(losses: LossRecord, maxPoints: number, window = DEFAULT_SMOOTHING): LossPoint[] {
  return binByLog2Step(
    smoothedLoss(losses, window).map((p) => ({ log2_step: Math.log2(p.step), loss: p.loss, mean: p.mean })),
    maxPoints,
  );
}

interface Stats {
  mean: number;
  lo: number;
  hi: number;
}

/** At each x, the mean, min and max of the finite y over the runs that have one, sorted by x. */
function acrossRuns(series: readonly (readonly [number, number])[][]): [number, Stats][] {
  const at = new Map<number, number[]>();
  for (const s of series) {
    for (const [x, y] of s) {
      if (!Number.isFinite(y)) continue;
      const ys = at.get(x);
      if (ys) ys.push(y);
      else at.set(x, [y]);
    }
  }
  return [...at.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([x, ys]) => [
      x,
      { mean: ys.reduce((s, y) => s + y, 0) / ys.length, lo: Math.min(...ys), hi: Math.max(...ys) },
    ]);
}

/** Runs drawn as one line: those sharing a colour and a mark (seeds). */
interface Group {
  key: string;
  value: SweepValue;
  mark: RunMark;
  runs: TrainingRun[];
}

/** The training plot: loss, mono neurons / N and mean bias against log2(training step). */
export function trainingPlot(input: TrainingPlotInput): TopLevelSpec {
  if (input.runs.length === 0) throw new Error('trainingPlot needs at least one run');
  if (input.decay && input.steps === undefined) throw new Error('trainingPlot: the bias-decay guide needs steps (T)');
  const runIds = input.runs.map((r, i) => r.id ?? String(i));
  const field = input.sweep?.field ?? 'run';
  const values: SweepValue[] = input.sweep ? input.runs.map((r) => r.value) : runIds;
  const kind = input.sweep ? colorScaleKind(field, values) : 'nominal';
  const smoothing = input.lossSmoothing ?? DEFAULT_SMOOTHING;
  const maxLossPoints = input.maxLossPoints ?? 400;

  const groups = new Map<string, Group>();
  input.runs.forEach((run, i) => {
    const value = colorDatum(kind, values[i]!);
    const mark = run.mark ?? 'ok';
    const key = `${JSON.stringify(value)} ${mark}`;
    const g = groups.get(key);
    if (g) g.runs.push(run);
    else groups.set(key, { key, value, mark, runs: [run] });
  });
  const seedCounts = [...groups.values()].map((g) => g.runs.length).filter((n) => n > 1);
  const seeded = seedCounts.length > 0;
  const marked = input.runs.some((r) => (r.mark ?? 'ok') !== 'ok');

  // Rows: the line (the mean over the group's runs) under the measure's name, `lo`/`hi` its band when seeded.
  const row = (g: Group, log2_step: number, yField: string, s: Stats) => ({
    group: g.key,
    value: g.value,
    ...(marked ? { mark: g.mark } : {}),
    log2_step,
    [yField]: s.mean,
    ...(seeded ? { lo: s.lo, hi: s.hi } : {}),
  });
  const rawRows: Record<string, unknown>[] = [];
  const lossRows: Record<string, unknown>[] = [];
  const monoRows: Record<string, unknown>[] = [];
  const biasRows: Record<string, unknown>[] = [];
  for (const g of groups.values()) {
    if (g.runs.every((r) => r.losses)) {
      const smoothed = g.runs.map((r) => smoothedLoss(r.losses!, smoothing));
      const raw = acrossRuns(smoothed.map((s) => s.map((p): [number, number] => [p.step, p.loss])));
      const mean = acrossRuns(smoothed.map((s) => s.map((p): [number, number] => [p.step, p.mean])));
      const pts = mean.map(([step, m], i) => ({ log2_step: Math.log2(step), raw: raw[i]![1].mean, ...m }));
      for (const p of binByLog2Step(pts, maxLossPoints)) {
        rawRows.push({
          group: g.key,
          value: g.value,
          ...(marked ? { mark: g.mark } : {}),
          log2_step: p.log2_step,
          loss: p.raw,
        });
        lossRows.push(row(g, p.log2_step, 'loss', p));
      }
    } else {
      for (const [x, s] of acrossRuns(
        g.runs.map((r) => r.snapshots.map((p): [number, number] => [p.log2_step, p.loss ?? NaN])),
      )) {
        lossRows.push(row(g, x, 'loss', s));
      }
    }
    for (const [x, s] of acrossRuns(
      g.runs.map((r) => r.snapshots.map((p): [number, number] => [p.log2_step, p.mono_per_feature])),
    )) {
      monoRows.push(row(g, x, 'mono_per_feature', s));
    }
    for (const [x, s] of acrossRuns(
      g.runs.map((r) => r.snapshots.map((p): [number, number] => [p.log2_step, p.mean_bias])),
    )) {
      biasRows.push(row(g, x, 'mean_bias', s));
    }
  }

  const color: Spec =
    input.sweep || input.runs.length > 1
      ? sweepColorEncoding(field, values, input.sweep?.label ?? (input.sweep ? undefined : 'run'))
      : { value: '#4c78a8' };
  const dash: Spec = marked ? { strokeDash: markDashEncoding() } : {};
  const sweepTitle = input.sweep?.label ?? fieldLabel(field);
  const width = input.panelWidth ?? 260;
  const height = input.panelHeight ?? 200;
  // One x domain for the three panels, so that they line up.
  const xs = [...lossRows, ...monoRows, ...biasRows].map((r) => r.log2_step as number);
  const [xMin, xMax] = extent(xs);
  const x = {
    field: 'log2_step',
    type: 'quantitative',
    scale: xs.length ? { domain: [xMin, xMax], nice: false, zero: false } : { zero: false },
    axis: { title: MEASURE_LABELS.log2Step, tickMinStep: 1, labelExpr: NUMBER_LABEL_EXPR },
  };
  const tooltip = (yField: string, yTitle: string): Spec[] => [
    { field: 'value', type: kind === 'nominal' ? 'nominal' : 'quantitative', title: sweepTitle },
    { field: 'log2_step', type: 'quantitative', title: MEASURE_LABELS.log2Step, format: '.3~f' },
    { field: yField, type: 'quantitative', title: yTitle, format: '.4~g' },
  ];

  // Guides, only where the data reach: the paper schedule's restarts and the end of bias decay.
  const T = input.steps;
  const every = input.restartEvery ?? 1024;
  const inView = (log2Step: number) => xs.length > 0 && log2Step >= xMin && log2Step <= xMax;
  const allRestarts: number[] = [];
  if (T !== undefined && (input.schedule ?? 'paper') === 'paper') {
    for (let s = every; s < T; s += every) if (inView(Math.log2(s))) allRestarts.push(Math.log2(s));
  }
  // On the log axis, many restarts (63 at long scale) merge into a blue block at the right: past
  // MAX_RESTARTS, only those at every × 2^n are drawn, one a unit of log2 step, and a note says so.
  const restarts =
    allRestarts.length > MAX_RESTARTS ? allRestarts.filter((r) => Number.isInteger(r - Math.log2(every))) : allRestarts;
  const thinned = restarts.length < allRestarts.length;
  const restartNote = `light blue: learning-rate restarts (every ${formatNumber(every)} steps${thinned ? `; of ${allRestarts.length}, the ${restarts.length} at ${formatNumber(every)} × 2^n drawn` : ''})`;
  const decayAt = input.decay && T !== undefined && inView(Math.log2(T / 2)) ? Math.log2(T / 2) : undefined;
  const guides: Spec[] = [];
  if (restarts.length) {
    guides.push({
      data: { values: restarts.map((log2_step) => ({ log2_step })) },
      mark: { type: 'rule', color: RESTART_COLOR, strokeWidth: 1 },
      encoding: { x },
    });
  }
  if (decayAt !== undefined) {
    const data = { values: [{ log2_step: decayAt, label: 'bias decay ends' }] };
    guides.push(
      { data, mark: { type: 'rule', color: DECAY_COLOR, strokeDash: [5, 3], strokeWidth: 1.5 }, encoding: { x } },
      // Above the plot, clear of the data; it ends at the guide.
      {
        data,
        mark: { type: 'text', fontSize: 11, align: 'right', baseline: 'bottom', dx: 4, dy: -3, color: DECAY_COLOR },
        encoding: { x, y: { value: 0 }, text: { field: 'label' } },
      },
    );
  }

  // A diverged run's values before it diverged can be huge: the axes fit the other runs (when
  // there are others) and the diverged run is drawn clipped to them.
  const scaling = (rows: Record<string, unknown>[]) =>
    rows.some((r) => r.mark !== 'diverged') ? rows.filter((r) => r.mark !== 'diverged') : rows;
  const drawn = (rows: Record<string, unknown>[], field: string) =>
    scaling(rows)
      .flatMap((r) => (seeded ? [r.lo as number, r.hi as number] : [r[field] as number]))
      .filter(Number.isFinite);

  // The loss axis fits what is drawn: log only when that spans two decades.
  const zero = input.zeroOutputLoss;
  const lossValues = [
    ...scaling(rawRows).map((r) => r.loss as number),
    ...drawn(lossRows, 'loss'),
    ...(zero !== undefined ? [zero] : []),
  ];
  const [lossMin, lossMax] = extent(lossValues);
  const positive = lossValues.length > 0 && lossMin > 0;
  const logLoss =
    input.lossScale === 'log' ? positive : input.lossScale === 'linear' ? false : positive && lossMax / lossMin >= 100;
  // With a diverged run, each panel's domain is fitted to the others, and the diverged run's
  // values far outside are held near the plot (clipped there), where a renderer can still draw them.
  const anyDiverged = input.runs.some((r) => r.mark === 'diverged');
  const fitted = (rows: Record<string, unknown>[], field: string, log: boolean): [number, number] | undefined => {
    const values = drawn(rows, field);
    if (!anyDiverged || new Set(values).size < 2) return undefined;
    const [lo, hi] = extent(values);
    const [min, max] = log ? [lo / 10, hi * 10] : [lo - (hi - lo), hi + (hi - lo)];
    for (const r of rows)
      for (const f of [field, 'lo', 'hi'])
        if (typeof r[f] === 'number') r[f] = Math.min(max, Math.max(min, r[f] as number));
    return [lo, hi];
  };
  const lossDomain = fitted([...rawRows, ...lossRows], 'loss', logLoss);
  if (lossDomain && zero !== undefined)
    lossDomain.splice(0, 2, Math.min(lossDomain[0], zero), Math.max(lossDomain[1], zero));
  const monoDomain = fitted(monoRows, 'mono_per_feature', false);
  const biasDomain = fitted(biasRows, 'mean_bias', false);
  const lossY = (yField: string): Spec => ({
    field: yField,
    type: 'quantitative',
    scale: {
      ...(logLoss ? { type: 'log' } : { zero: false }),
      nice: false,
      padding: 6,
      ...(lossDomain ? { domain: lossDomain } : {}),
    },
    // On a log axis Vega thins the labels of the 2..9 ticks itself, given a format (not a labelExpr).
    axis: logLoss
      ? { title: `${MEASURE_LABELS.loss} (log scale)`, format: '~g' }
      : { title: MEASURE_LABELS.loss, labelExpr: NUMBER_LABEL_EXPR },
  });
  const snapY = (yField: string, yTitle: string, domain: [number, number] | undefined): Spec => ({
    field: yField,
    type: 'quantitative',
    scale: { zero: false, ...(domain ? { domain } : {}) },
    axis: { title: yTitle, labelExpr: NUMBER_LABEL_EXPR },
  });

  // Per panel: the band (seeds), then the line, over the guides.
  const series = (rows: Record<string, unknown>[], y: Spec, yTitle: string, line: Spec): Spec[] => [
    ...(seeded
      ? [
          {
            data: { values: rows },
            mark: { type: 'area', opacity: 0.2, clip: true },
            encoding: {
              x,
              y: { ...y, field: 'lo' },
              y2: { field: 'hi' },
              color,
              detail: { field: 'group', type: 'nominal' },
            },
          },
        ]
      : []),
    {
      data: { values: rows },
      mark: { type: 'line', strokeWidth: 1.6, clip: true, ...line },
      encoding: {
        x,
        y,
        color,
        ...dash,
        detail: { field: 'group', type: 'nominal' },
        tooltip: tooltip(y.field as string, yTitle),
      },
    },
  ];

  const zeroLayers: Spec[] = [];
  if (zero !== undefined) {
    const data = { values: [{ loss: zero, label: 'zero output' }] };
    // The label sits on the rule's far side from the middle of the axis, inside the plot.
    const t = logLoss
      ? Math.log(zero / lossMin) / Math.log(lossMax / lossMin)
      : (zero - lossMin) / (lossMax - lossMin || 1);
    zeroLayers.push(
      {
        data,
        mark: { type: 'rule', color: '#777', strokeDash: [4, 3], strokeWidth: 1.2 },
        encoding: { y: lossY('loss') },
      },
      {
        data,
        mark: {
          type: 'text',
          fontSize: 11,
          color: '#555',
          align: 'right',
          dx: -3,
          ...(t >= 0.5 ? { baseline: 'top', dy: 3 } : { baseline: 'bottom', dy: -3 }),
        },
        encoding: { x: { value: width }, y: lossY('loss'), text: { field: 'label' } },
      },
    );
  }
  const lossLayers: Spec[] = [...guides, ...zeroLayers];
  if (rawRows.length) {
    lossLayers.push({
      data: { values: rawRows },
      mark: { type: 'line', strokeWidth: 0.8, opacity: 0.25, clip: true },
      encoding: { x, y: lossY('loss'), color, ...dash, detail: { field: 'group', type: 'nominal' } },
    });
  }
  lossLayers.push(...series(lossRows, lossY('loss'), MEASURE_LABELS.loss, {}));
  const point = { point: { size: 18, filled: true } };
  const panels: Spec[] = [
    { width, height, layer: lossLayers },
    {
      width,
      height,
      layer: [
        ...guides,
        {
          data: { values: [{ y: 1 }] },
          mark: { type: 'rule', strokeDash: [2, 3], color: '#333', strokeWidth: 1.2 },
          encoding: { y: { field: 'y', type: 'quantitative' } },
        },
        ...series(
          monoRows,
          snapY('mono_per_feature', MEASURE_LABELS.monoPerFeature, monoDomain),
          MEASURE_LABELS.monoPerFeature,
          point,
        ),
      ],
    },
    {
      width,
      height,
      layer: [
        ...guides,
        ...series(biasRows, snapY('mean_bias', MEASURE_LABELS.meanBias, biasDomain), MEASURE_LABELS.meanBias, point),
      ],
    },
  ];

  const spacing = recordSpacing(input.runs);
  const notes = [
    ...(rawRows.length
      ? [
          `loss: faint, as recorded; line, its centred running mean over ${smoothing} records${spacing ? ` (${formatNumber(smoothing * spacing)} steps)` : ''}`,
        ]
      : []),
    ...(restarts.length || decayAt !== undefined
      ? [
          [
            ...(restarts.length ? [restartNote] : []),
            ...(decayAt !== undefined ? [`orange dashed: bias decay ends (step T/2 = ${formatNumber(T! / 2)})`] : []),
          ].join('; '),
        ]
      : []),
    ...(seeded ? [`line: mean over seeds, band: min–max over ${rangeText(seedCounts)} seeds`] : []),
    ...markNotes(input.runs.map((r) => r.mark)),
  ];
  return topLevel(
    input,
    input.sweep ? `Training: ${sweepTitle} sweep` : 'Training',
    {
      ...(input.layout === 'column' ? { vconcat: panels } : { hconcat: panels }),
      resolve: { scale: { color: 'shared' }, legend: { color: 'shared' } },
    },
    notes,
  );
}

/** The steps between loss records (16 in the store), from the first run with two records. */
function recordSpacing(runs: readonly TrainingRun[]): number | undefined {
  const r = runs.find((run) => run.losses && run.losses.steps.length >= 2);
  return r ? r.losses!.steps[1]! - r.losses!.steps[0]! : undefined;
}

/** Min and max by a loop: spreading tens of thousands of points into Math.min can overflow the stack. */
function extent(values: readonly number[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/** "3" or "2–3". */
function rangeText(counts: readonly number[]): string {
  const lo = Math.min(...counts);
  const hi = Math.max(...counts);
  return lo === hi ? String(lo) : `${lo}–${hi}`;
}
