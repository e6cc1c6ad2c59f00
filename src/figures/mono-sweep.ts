// Figure: final monosemanticity against the swept value: mono / k, mono / N and, when measured,
// features covered / N as series, a log x axis when the values are log-spaced, and a vertical rule
// at k = N when k is swept. Runs sharing a value (seeds) get a min-max band around their mean.
import type { TopLevelSpec } from 'vega-lite';
import { NUMBER_LABEL_EXPR, markNotes, orderedValues, sweepAxisScale, topLevel, type Spec } from './common.js';
import { MEASURE_LABELS, fieldLabel, formatValue } from './labels.js';
import type { FigureOptions, RunMark, SweepValue, SweptField } from './types.js';

export interface MonoSweepPoint {
  value: SweepValue;
  /** Monosemantic neurons / k. */
  mono_per_neuron: number;
  /** Monosemantic neurons / N. */
  mono_per_feature: number;
  /** Features covered (some neuron is monosemantic for it) / N: a third series when given. */
  features_covered_per_feature?: number;
  /** How the run ended: a diverged run is left out (and counted), one that never learned is an open point. */
  mark?: RunMark;
}

export interface MonoSweepInput extends FigureOptions {
  sweep: SweptField;
  /** One point per run (several runs may share a value: the line goes through their mean). */
  points: readonly MonoSweepPoint[];
  /** The number of features; required when the swept field is k (a rule marks k = N). */
  N?: number;
  width?: number;
  height?: number;
}

const SERIES = [MEASURE_LABELS.monoPerNeuron, MEASURE_LABELS.monoPerFeature, MEASURE_LABELS.coveredPerFeature];
const SERIES_COLORS = ['#4c78a8', '#e45756', '#54a24b'];
const SERIES_SHAPES = ['circle', 'square', 'triangle-up'];

/** Whether the figure draws the k = N rule: only for k sweeps. */
export function hasKEqualsNRule(field: string): boolean {
  return field === 'k';
}

/** mono / k, mono / N (and features covered / N) against the swept value. */
export function monoVsSweep(input: MonoSweepInput): TopLevelSpec {
  if (input.points.length === 0) throw new Error('monoVsSweep needs at least one point');
  const { field } = input.sweep;
  const rule = hasKEqualsNRule(field);
  if (rule && input.N === undefined) throw new Error('monoVsSweep: a k sweep needs N for the k = N rule');
  const title = input.sweep.label ?? fieldLabel(field);
  // A diverged run has no trained model to measure (its ratios read 0): leave it out and say so.
  const drawn = input.points.filter((p) => p.mark !== 'diverged');
  const divergedValues = orderedValues(input.points.filter((p) => p.mark === 'diverged').map((p) => p.value));
  const numeric = drawn.every((p) => typeof p.value === 'number' && Number.isFinite(p.value));
  const covered = drawn.some((p) => p.features_covered_per_feature !== undefined);
  const series = covered ? SERIES : SERIES.slice(0, 2);
  const rows: Record<string, unknown>[] = [];
  for (const p of drawn) {
    const base = { value: numeric ? p.value : String(p.value), open: p.mark === 'never-learned' };
    rows.push({ ...base, series: SERIES[0], ratio: p.mono_per_neuron });
    rows.push({ ...base, series: SERIES[1], ratio: p.mono_per_feature });
    if (p.features_covered_per_feature !== undefined)
      rows.push({ ...base, series: SERIES[2], ratio: p.features_covered_per_feature });
  }
  let x: Spec;
  if (numeric) {
    const values = drawn.map((p) => p.value as number);
    if (rule) values.push(input.N!);
    const { scale, axis } = sweepAxisScale(values);
    x = { field: 'value', type: 'quantitative', scale, axis: { ...axis, title } };
  } else {
    x = {
      field: 'value',
      type: 'ordinal',
      sort: orderedValues(drawn.map((p) => p.value)).map(String),
      axis: { title, labelAngle: 0 },
    };
  }
  const color = {
    field: 'series',
    type: 'nominal',
    scale: { domain: series, range: SERIES_COLORS.slice(0, series.length) },
    // Opaque symbols: the band's opacity would otherwise fade them.
    legend: { title: null, orient: 'bottom', direction: 'vertical', labelLimit: 0, symbolOpacity: 1 },
  };
  const y = {
    field: 'ratio',
    type: 'quantitative',
    scale: { zero: true },
    axis: { title: covered ? 'ratio' : 'mono neuron ratio', labelExpr: NUMBER_LABEL_EXPR },
  };
  const points = (open: boolean): Spec => ({
    transform: [{ filter: open ? 'datum.open' : '!datum.open' }],
    mark: { type: 'point', filled: !open, size: 40, strokeWidth: 1.4 },
    encoding: {
      x,
      y,
      color,
      shape: {
        field: 'series',
        type: 'nominal',
        scale: { domain: series, range: SERIES_SHAPES.slice(0, series.length) },
      },
      tooltip: [
        { field: 'value', type: numeric ? 'quantitative' : 'nominal', title },
        { field: 'series', type: 'nominal', title: 'measure' },
        { field: 'ratio', type: 'quantitative', format: '.4~g', title: 'value' },
      ],
    },
  });
  const seeds = new Set(drawn.map((p) => p.value)).size < drawn.length;
  const open = drawn.some((p) => p.mark === 'never-learned');
  const layers: Spec[] = [
    {
      data: { values: rows },
      layer: [
        ...(seeds
          ? [
              {
                mark: { type: 'area', opacity: 0.18 },
                encoding: { x, y: { ...y, aggregate: 'min' }, y2: { field: 'ratio', aggregate: 'max' }, color },
              },
            ]
          : []),
        { mark: { type: 'line', strokeWidth: 1.8 }, encoding: { x, y: { ...y, aggregate: 'mean' }, color } },
        ...(open ? [points(false), points(true)] : [points(false)]),
      ],
    },
  ];
  if (rule) {
    layers.push({
      data: { values: [{ value: input.N, label: `k = N = ${input.N}` }] },
      layer: [
        {
          mark: { type: 'rule', strokeDash: [4, 3], color: '#333', strokeWidth: 1.2 },
          encoding: { x: { field: 'value', type: 'quantitative' } },
        },
        {
          mark: { type: 'text', align: 'center', baseline: 'bottom', dy: -3, fontSize: 11, color: '#333' },
          encoding: { x: { field: 'value', type: 'quantitative' }, y: { value: 0 }, text: { field: 'label' } },
        },
      ],
    });
  }
  const diverged = input.points.length - drawn.length;
  const notes = [
    ...(seeds ? ['line: mean over the runs (seeds) at each value, band: their min to max'] : []),
    ...(diverged
      ? [
          `left out: ${diverged} diverged run${diverged > 1 ? 's' : ''} (${title} = ${divergedValues.map(formatValue).join(', ')})`,
        ]
      : []),
    ...markNotes(
      drawn.map((p) => p.mark),
      { 'never-learned': 'open points' },
    ),
  ];
  return topLevel(
    input,
    `Monosemanticity against ${title}`,
    { width: input.width ?? 420, height: input.height ?? 260, layer: layers },
    notes,
  );
}
