// Figure: the single-feature-activation heat map of one run, and a row of them for chosen runs of
// a sweep. Neurons across (heat-map order), features down, colours 0 to 1.02 as in the paper.
import type { TopLevelSpec } from 'vega-lite';
import { topLevel } from './common.js';
import { HEATMAP_MAX_FEATURES, HEATMAP_MAX_NEURONS, heatmapSize, neuronFeatureHeatmap, neuronFeatureHeatmapParts, SFA_DOMAIN } from './heatmap.js';
import { MEASURE_LABELS, sweptTitle } from './labels.js';
import type { FigureOptions, Matrix, SweepValue, SweptField } from './types.js';

export interface SfaHeatmapInput extends FigureOptions {
  /** SFA, neurons x features, already sorted into heat-map order by the caller. */
  sfa: Matrix;
  /** Display size of the plot area (default: 512 wide, cells kept roughly square). */
  width?: number;
  height?: number;
  /** Crop (default 1024 neurons x 512 features). */
  maxNeurons?: number;
  maxFeatures?: number;
}

/** One run's SFA heat map. */
export function sfaHeatmap(input: SfaHeatmapInput): TopLevelSpec {
  const neurons = Math.min(input.sfa.rows, input.maxNeurons ?? HEATMAP_MAX_NEURONS);
  const features = Math.min(input.sfa.cols, input.maxFeatures ?? HEATMAP_MAX_FEATURES);
  const size = heatmapSize(neurons, features, input.width ?? 512, input.height ?? 320);
  const { spec, cropNote } = neuronFeatureHeatmapParts({
    matrix: input.sfa,
    domain: SFA_DOMAIN,
    width: input.width ?? size.width,
    height: input.height ?? size.height,
    xTitle: MEASURE_LABELS.neuron,
    yTitle: MEASURE_LABELS.feature,
    legendTitle: 'SFA',
    ...(input.maxNeurons !== undefined ? { maxNeurons: input.maxNeurons } : {}),
    ...(input.maxFeatures !== undefined ? { maxFeatures: input.maxFeatures } : {}),
  });
  return topLevel(input, 'Single-feature activations', spec, cropNote ? [cropNote] : []);
}

export interface SfaHeatmapRowInput extends FigureOptions {
  sweep: SweptField;
  /** The chosen runs, in the order to show them. */
  runs: { value: SweepValue; sfa: Matrix }[];
  /** Display size of each panel (default: up to 300 x 200). */
  panelWidth?: number;
  panelHeight?: number;
  maxNeurons?: number;
  maxFeatures?: number;
}

/** A row of SFA heat maps, one per chosen run, each titled by its swept value, one shared legend. */
export function sfaHeatmapRow(input: SfaHeatmapRowInput): TopLevelSpec {
  if (input.runs.length === 0) throw new Error('sfaHeatmapRow needs at least one run');
  const panels = input.runs.map((run) => {
    const neurons = Math.min(run.sfa.rows, input.maxNeurons ?? HEATMAP_MAX_NEURONS);
    const features = Math.min(run.sfa.cols, input.maxFeatures ?? HEATMAP_MAX_FEATURES);
    const size = heatmapSize(neurons, features, input.panelWidth ?? 300, input.panelHeight ?? 200);
    return neuronFeatureHeatmap({
      matrix: run.sfa,
      domain: SFA_DOMAIN,
      width: input.panelWidth ?? size.width,
      height: input.panelHeight ?? size.height,
      xTitle: MEASURE_LABELS.neuron,
      yTitle: MEASURE_LABELS.feature,
      legendTitle: 'SFA',
      title: sweptTitle(input.sweep.field, run.value, input.sweep.label),
      ...(input.maxNeurons !== undefined ? { maxNeurons: input.maxNeurons } : {}),
      ...(input.maxFeatures !== undefined ? { maxFeatures: input.maxFeatures } : {}),
    });
  });
  return topLevel(input, 'Single-feature activations', {
    hconcat: panels,
    resolve: { scale: { color: 'shared' }, legend: { color: 'shared' } },
  });
}
