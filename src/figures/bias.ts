// Figure: each run's biases in heat-map order (x = sorted neuron index, y = bias), one line per
// run coloured by the swept value, with a vertical rule at x = N.
import type { TopLevelSpec } from 'vega-lite';
import { colorDatum, colorScaleKind, sweepColorEncoding, topLevel, type Spec } from './common.js';
import { MEASURE_LABELS, fieldLabel } from './labels.js';
import type { FigureOptions, SweepValue, SweptField } from './types.js';

export interface BiasRun {
  value: SweepValue;
  /** Distinguishes runs that share a swept value; defaults to the run's index. */
  id?: string;
  /** b1 of the (final) snapshot, in heat-map order. */
  biases: ArrayLike<number>;
}

export interface BiasPlotInput extends FigureOptions {
  /** The swept field; leave out for a single run or unrelated runs. */
  sweep?: SweptField;
  runs: readonly BiasRun[];
  /** The number of features: a vertical rule marks x = N. */
  N: number;
  width?: number;
  height?: number;
}

/** The biases of each run in heat-map order, with a rule at x = N. */
export function biasPlot(input: BiasPlotInput): TopLevelSpec {
  if (input.runs.length === 0) throw new Error('biasPlot needs at least one run');
  const ids = input.runs.map((r, i) => r.id ?? String(i));
  const field = input.sweep?.field ?? 'run';
  const values: SweepValue[] = input.sweep ? input.runs.map((r) => r.value) : ids;
  const kind = input.sweep ? colorScaleKind(field, values) : 'nominal';
  const rows: Record<string, unknown>[] = [];
  input.runs.forEach((run, i) => {
    const value = colorDatum(kind, values[i]!);
    for (let n = 0; n < run.biases.length; n++) rows.push({ run: ids[i], value, neuron: n, bias: run.biases[n] });
  });
  const color: Spec =
    input.sweep || input.runs.length > 1 ? sweepColorEncoding(field, values, input.sweep?.label ?? (input.sweep ? undefined : 'run')) : { value: '#4c78a8' };
  const maxK = Math.max(...input.runs.map((r) => r.biases.length));
  const body: Spec = {
    width: input.width ?? 460,
    height: input.height ?? 260,
    layer: [
      {
        data: { values: [{ x: 0 }] },
        mark: { type: 'rule', color: '#999', strokeWidth: 1 },
        encoding: { y: { datum: 0, type: 'quantitative' } },
      },
      {
        data: { values: rows },
        mark: { type: 'line', strokeWidth: 1, opacity: 0.85 },
        encoding: {
          x: {
            field: 'neuron',
            type: 'quantitative',
            scale: { domain: [0, Math.max(maxK, input.N + 1)], nice: false, zero: true },
            axis: { title: MEASURE_LABELS.neuron, format: 'd', tickMinStep: 1 },
          },
          y: { field: 'bias', type: 'quantitative', scale: { zero: false }, axis: { title: MEASURE_LABELS.bias } },
          color,
          detail: { field: 'run', type: 'nominal' },
        },
      },
      {
        data: { values: [{ x: input.N, label: `N = ${input.N}` }] },
        layer: [
          { mark: { type: 'rule', strokeDash: [4, 3], color: '#333', strokeWidth: 1.2 }, encoding: { x: { field: 'x', type: 'quantitative' } } },
          {
            mark: { type: 'text', align: 'center', baseline: 'bottom', dy: -3, fontSize: 11, color: '#333' },
            encoding: { x: { field: 'x', type: 'quantitative' }, y: { value: 0 }, text: { field: 'label' } },
          },
        ],
      },
    ],
  };
  const title = input.sweep ? `Biases in heat-map order: ${input.sweep.label ?? fieldLabel(input.sweep.field)} sweep` : 'Biases in heat-map order';
  return topLevel(input, title, body);
}
