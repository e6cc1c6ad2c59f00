// Figure: single-feature activations of chosen features as lines: x = neuron in heat-map order,
// y = the neuron's activation for that feature alone, one line per feature.
import type { TopLevelSpec } from 'vega-lite';
import { topLevel } from './common.js';
import { HEATMAP_MAX_NEURONS } from './heatmap.js';
import { MEASURE_LABELS } from './labels.js';
import type { FigureOptions, Matrix } from './types.js';

export interface SfaLinesInput extends FigureOptions {
  /** SFA, neurons x features, in heat-map order. */
  sfa: Matrix;
  /** Column indices (in the heat-map order of `sfa`) of the features to draw. */
  features: readonly number[];
  /** Legend entries, one per feature (default "feature <index>"). */
  featureLabels?: readonly string[];
  /** Only the first maxNeurons neurons (default 1024, as the heat map). */
  maxNeurons?: number;
  width?: number;
  height?: number;
}

/** SFA line plot: one line per chosen feature across the neurons in heat-map order. */
export function sfaLinePlot(input: SfaLinesInput): TopLevelSpec {
  if (input.features.length === 0) throw new Error('sfaLinePlot needs at least one feature');
  const { sfa } = input;
  const neurons = Math.min(sfa.rows, input.maxNeurons ?? HEATMAP_MAX_NEURONS);
  const labels = input.features.map((f, i) => input.featureLabels?.[i] ?? `feature ${f}`);
  const rows: Record<string, unknown>[] = [];
  input.features.forEach((f, i) => {
    if (!Number.isInteger(f) || f < 0 || f >= sfa.cols) throw new Error(`feature ${f} is outside 0..${sfa.cols - 1}`);
    for (let n = 0; n < neurons; n++)
      rows.push({ feature: labels[i], neuron: n, activation: sfa.data[n * sfa.cols + f] });
  });
  const body = {
    width: input.width ?? 460,
    height: input.height ?? 240,
    data: { values: rows },
    mark: { type: 'line', strokeWidth: 1.3, interpolate: 'step-after' },
    encoding: {
      x: {
        field: 'neuron',
        type: 'quantitative',
        scale: { domain: [0, neurons], nice: false },
        axis: { title: MEASURE_LABELS.neuron, format: 'd', tickMinStep: 1 },
      },
      y: { field: 'activation', type: 'quantitative', axis: { title: MEASURE_LABELS.activation } },
      color: {
        field: 'feature',
        type: 'nominal',
        scale: { domain: labels, scheme: labels.length <= 10 ? 'tableau10' : 'category20' },
        legend: { title: MEASURE_LABELS.feature },
      },
      tooltip: [
        { field: 'feature', type: 'nominal' },
        { field: 'neuron', type: 'quantitative' },
        { field: 'activation', type: 'quantitative', format: '.4~g' },
      ],
    },
  };
  return topLevel(input, 'Single-feature activations of chosen features', body);
}
