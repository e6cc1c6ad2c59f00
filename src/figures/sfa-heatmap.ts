// Figure: the single-feature-activation heat map of one run, and a row of them for chosen runs of
// a sweep. Neurons across (heat-map order), features down, colours 0 to 1.02 as in the paper.
import type { TopLevelSpec } from 'vega-lite';
import { topLevel } from './common.js';
import { crop, heatmapPanel, neuronFeatureHeatmap, neuronFeatureHeatmapParts, SFA_DOMAIN } from './heatmap.js';
import { sweptTitle } from './labels.js';
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
  const { spec, cropNote } = neuronFeatureHeatmapParts(
    heatmapPanel(input.sfa, { ...crop(input), domain: SFA_DOMAIN, legendTitle: 'SFA', width: input.width, height: input.height, maxWidth: 512, maxHeight: 320 }),
  );
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
  const panels = input.runs.map((run) =>
    neuronFeatureHeatmap(
      heatmapPanel(run.sfa, {
        ...crop(input),
        domain: SFA_DOMAIN,
        legendTitle: 'SFA',
        title: sweptTitle(input.sweep.field, run.value, input.sweep.label),
        width: input.panelWidth,
        height: input.panelHeight,
        maxWidth: 300,
        maxHeight: 200,
      }),
    ),
  );
  return topLevel(input, 'Single-feature activations', {
    hconcat: panels,
    resolve: { scale: { color: 'shared' }, legend: { color: 'shared' } },
  });
}
