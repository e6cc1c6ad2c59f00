// Figure: final monosemanticity against the swept value: mono / k and mono / N as two series, a
// log x axis when the values are log-spaced, and a vertical rule at k = N when k is swept.
import type { TopLevelSpec } from 'vega-lite';
import { NUMBER_LABEL_EXPR, orderedValues, sweepAxisScale, topLevel, type Spec } from './common.js';
import { MEASURE_LABELS, fieldLabel } from './labels.js';
import type { FigureOptions, SweepValue, SweptField } from './types.js';

export interface MonoSweepPoint {
  value: SweepValue;
  /** Monosemantic neurons / k. */
  mono_per_neuron: number;
  /** Monosemantic neurons / N. */
  mono_per_feature: number;
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

const SERIES = [MEASURE_LABELS.monoPerNeuron, MEASURE_LABELS.monoPerFeature];

/** Whether the figure draws the k = N rule: only for k sweeps. */
export function hasKEqualsNRule(field: string): boolean {
  return field === 'k';
}

/** mono / k and mono / N against the swept value. */
export function monoVsSweep(input: MonoSweepInput): TopLevelSpec {
  if (input.points.length === 0) throw new Error('monoVsSweep needs at least one point');
  const { field } = input.sweep;
  const rule = hasKEqualsNRule(field);
  if (rule && input.N === undefined) throw new Error('monoVsSweep: a k sweep needs N for the k = N rule');
  const numeric = input.points.every((p) => typeof p.value === 'number' && Number.isFinite(p.value));
  const rows: Record<string, unknown>[] = [];
  for (const p of input.points) {
    const value = numeric ? p.value : String(p.value);
    rows.push({ value, series: SERIES[0], ratio: p.mono_per_neuron });
    rows.push({ value, series: SERIES[1], ratio: p.mono_per_feature });
  }
  const title = input.sweep.label ?? fieldLabel(field);
  let x: Spec;
  if (numeric) {
    const values = input.points.map((p) => p.value as number);
    if (rule) values.push(input.N!);
    const { scale, axis } = sweepAxisScale(values);
    x = { field: 'value', type: 'quantitative', scale, axis: { ...axis, title } };
  } else {
    x = {
      field: 'value',
      type: 'ordinal',
      sort: orderedValues(input.points.map((p) => p.value)).map(String),
      axis: { title, labelAngle: 0 },
    };
  }
  const color = {
    field: 'series',
    type: 'nominal',
    scale: { domain: SERIES, range: ['#4c78a8', '#e45756'] },
    legend: { title: null, orient: 'bottom', direction: 'vertical', labelLimit: 0 },
  };
  const y = {
    field: 'ratio',
    type: 'quantitative',
    scale: { zero: true },
    axis: { title: 'mono neuron ratio', labelExpr: NUMBER_LABEL_EXPR },
  };
  const layers: Spec[] = [
    {
      data: { values: rows },
      layer: [
        { mark: { type: 'line', strokeWidth: 1.8 }, encoding: { x, y: { ...y, aggregate: 'mean' }, color } },
        {
          mark: { type: 'point', filled: true, size: 40 },
          encoding: {
            x,
            y,
            color,
            shape: { field: 'series', type: 'nominal', scale: { domain: SERIES, range: ['circle', 'square'] } },
            tooltip: [
              { field: 'value', type: numeric ? 'quantitative' : 'nominal', title },
              { field: 'series', type: 'nominal', title: 'measure' },
              { field: 'ratio', type: 'quantitative', format: '.4~g', title: 'value' },
            ],
          },
        },
      ],
    },
  ];
  if (rule) {
    layers.push({
      data: { values: [{ value: input.N, label: `k = N = ${input.N}` }] },
      layer: [
        { mark: { type: 'rule', strokeDash: [4, 3], color: '#333', strokeWidth: 1.2 }, encoding: { x: { field: 'value', type: 'quantitative' } } },
        {
          mark: { type: 'text', align: 'center', baseline: 'bottom', dy: -3, fontSize: 11, color: '#333' },
          encoding: { x: { field: 'value', type: 'quantitative' }, y: { value: 0 }, text: { field: 'label' } },
        },
      ],
    });
  }
  return topLevel(input, `Monosemanticity against ${title}`, {
    width: input.width ?? 420,
    height: input.height ?? 260,
    layer: layers,
  });
}
