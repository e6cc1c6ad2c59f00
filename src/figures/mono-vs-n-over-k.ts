// Figure: for sweeps over k, monosemantic neurons per neuron against N/k on a log2 axis, with the
// most a model can reach if each feature gets at most one neuron, min(1, N/k), and a rule at k = N.
// Runs that share a k (seeds) are drawn as points with their mean line and min–max band.
import type { TopLevelSpec } from 'vega-lite';
import { NUMBER_LABEL_EXPR, pointMarkNotes, sweepAxisScale, topLevel, type Spec } from './common.js';
import { MEASURE_LABELS } from './labels.js';
import type { FigureOptions, RunMark } from './types.js';

export interface NOverKPoint {
  k: number;
  N: number;
  /** Monosemantic neurons / k. */
  mono_per_neuron: number;
  /** Features that have a monosemantic neuron / N; a second series when given. */
  features_covered_per_feature?: number;
  mark?: RunMark;
}

export interface MonoVsNOverKInput extends FigureOptions {
  points: readonly NOverKPoint[];
  width?: number;
  height?: number;
}

const SERIES = [
  { label: MEASURE_LABELS.monoPerNeuron, color: '#4c78a8' },
  { label: MEASURE_LABELS.coveredPerFeature, color: '#f58518' },
] as const;

/** Samples of the reference curve per octave of N/k: enough for a smooth bend on the log axis. */
const CURVE_STEPS_PER_OCTAVE = 16;

/** mono / k against N/k, with the one-neuron-per-feature bound and a rule at k = N. */
export function monoVsNOverK(input: MonoVsNOverKInput): TopLevelSpec {
  if (input.points.length === 0) throw new Error('monoVsNOverK needs at least one point');
  for (const p of input.points) {
    if (!(p.k > 0 && p.N > 0)) throw new Error(`monoVsNOverK: k and N must be positive (k = ${p.k}, N = ${p.N})`);
  }
  // A diverged run's measures are not finite: it is left out and counted in the subtitle.
  const drawn = input.points.filter((p) => p.mark !== 'diverged' && Number.isFinite(p.mono_per_neuron));
  if (drawn.length === 0) throw new Error('monoVsNOverK: every run diverged, there is nothing to draw');
  const marks = input.points.map((p) => (drawn.includes(p) ? p.mark : 'diverged'));
  const covered = drawn.some((p) => p.features_covered_per_feature !== undefined);
  const series = covered ? SERIES : SERIES.slice(0, 1);

  const rows: Record<string, unknown>[] = [];
  for (const p of drawn) {
    const base = { n_over_k: p.N / p.k, k: p.k, N: p.N, open: p.mark === 'never-learned' };
    rows.push({ ...base, series: SERIES[0].label, ratio: p.mono_per_neuron });
    const c = p.features_covered_per_feature;
    if (c !== undefined && Number.isFinite(c)) rows.push({ ...base, series: SERIES[1].label, ratio: c });
  }

  // The x range holds the data and the k = N rule at 1; the reference curve spans it.
  const ratios = [...drawn.map((p) => p.N / p.k), 1];
  const [lo, hi] = [Math.log2(Math.min(...ratios)), Math.log2(Math.max(...ratios))];
  const steps = Math.max(1, Math.ceil((hi - lo) * CURVE_STEPS_PER_OCTAVE));
  const bound = Array.from({ length: steps + 1 }, (_, i) => {
    const n_over_k = 2 ** (lo + ((hi - lo) * i) / steps);
    return { n_over_k, bound: Math.min(1, n_over_k) };
  });

  const { axis } = sweepAxisScale(ratios);
  const x = {
    field: 'n_over_k',
    type: 'quantitative',
    scale: { type: 'log', base: 2, nice: false, padding: 12 },
    axis: { ...axis, title: 'N / k (# features / # neurons, log2 scale)' },
  };
  const y = {
    field: 'ratio',
    type: 'quantitative',
    // Both measures are fractions (at most 1); the room above 1 holds the bound's label.
    scale: { domain: [0, 1.12], nice: false },
    axis: { title: covered ? 'fraction' : MEASURE_LABELS.monoPerNeuron, labelExpr: NUMBER_LABEL_EXPR },
  };
  const color = {
    field: 'series',
    type: 'nominal',
    scale: { domain: series.map((s) => s.label), range: series.map((s) => s.color) },
    // One series is named by the y axis; two need a legend, at full opacity (not the band's).
    legend: covered ? { title: null, orient: 'bottom', direction: 'vertical', labelLimit: 0, symbolOpacity: 1 } : null,
  };
  const points = (open: boolean): Spec => ({
    transform: [{ filter: open ? 'datum.open' : '!datum.open' }],
    mark: { type: 'point', filled: !open, size: 40, strokeWidth: 1.4 },
    encoding: {
      x,
      y,
      color,
      tooltip: [
        { field: 'series', type: 'nominal', title: 'measure' },
        { field: 'k', type: 'quantitative', title: 'k' },
        { field: 'N', type: 'quantitative', title: 'N' },
        { field: 'n_over_k', type: 'quantitative', title: 'N / k', format: '.4~g' },
        { field: 'ratio', type: 'quantitative', title: 'value', format: '.4~g' },
      ],
    },
  });
  const open = rows.some((r) => r.open);
  const text = (n_over_k: number, y: Spec, label: string, mark: Spec): Spec => ({
    data: { values: [{ n_over_k, label }] },
    mark: { type: 'text', fontSize: 11, color: '#333', ...mark },
    encoding: { x: { field: 'n_over_k', type: 'quantitative' }, y, text: { field: 'label' } },
  });
  const layers: Spec[] = [
    {
      data: { values: bound },
      mark: { type: 'line', strokeDash: [1.5, 3], color: '#333', strokeWidth: 1.5 },
      encoding: { x, y: { field: 'bound', type: 'quantitative' } },
    },
    // Inside the plot, just above the bound's plateau (the y domain leaves room for it).
    text(2 ** hi, { datum: 1, type: 'quantitative' }, 'at most one neuron per feature: min(1, N/k)', {
      align: 'right',
      baseline: 'bottom',
      dy: -6,
    }),
    {
      data: { values: [{ n_over_k: 1 }] },
      mark: { type: 'rule', strokeDash: [4, 3], color: '#333', strokeWidth: 1.2 },
      encoding: { x: { field: 'n_over_k', type: 'quantitative' } },
    },
    // Above the plot, clear of the bound's label.
    text(1, { value: 0 }, 'k = N', { align: 'center', baseline: 'bottom', dy: -3 }),
    {
      data: { values: rows },
      layer: [
        {
          mark: { type: 'area', opacity: 0.18 },
          encoding: { x, y: { ...y, aggregate: 'min' }, y2: { field: 'ratio', aggregate: 'max' }, color },
        },
        { mark: { type: 'line', strokeWidth: 1.8 }, encoding: { x, y: { ...y, aggregate: 'mean' }, color } },
        ...(open ? [points(false), points(true)] : [points(false)]),
      ],
    },
  ];
  const seeds = new Set(drawn.map((p) => p.N / p.k)).size < drawn.length;
  const notes = [
    ...(seeds ? ['line: mean over the runs at each N/k, band: their min to max'] : []),
    ...pointMarkNotes(marks),
  ];
  return topLevel(
    input,
    'Monosemantic neurons per neuron against N/k',
    { width: input.width ?? 420, height: input.height ?? 280, layer: layers },
    notes,
  );
}
