// Figure: many-feature activation heat maps (SFA with a set of extra features switched on in every
// input), one per extra-feature set, in a row with one shared colour legend.
import type { TopLevelSpec } from 'vega-lite';
import { topLevel } from './common.js';
import {
  crop,
  heatmapPanel,
  HEATMAP_MAX_FEATURES,
  HEATMAP_MAX_NEURONS,
  neuronFeatureHeatmap,
  SFA_DOMAIN,
} from './heatmap.js';
import { MEASURE_LABELS } from './labels.js';
import type { FigureOptions, Matrix } from './types.js';

export interface ManyFeaturePanel {
  /** The panel title, e.g. "extra features 3, 17". */
  label: string;
  /** Activations, neurons x features, in heat-map order. */
  activations: Matrix;
}

export interface ManyFeatureHeatmapsInput extends FigureOptions {
  panels: readonly ManyFeaturePanel[];
  /**
   * The colour domain: by default 0 to 1.02 like the SFA heat map, widened to the largest
   * activation when extra features push activations above it.
   */
  domain?: [number, number];
  panelWidth?: number;
  panelHeight?: number;
  maxNeurons?: number;
  maxFeatures?: number;
}

/** The default colour domain: [0, max(1.02, largest finite value in the cropped panels)]. */
export function manyFeatureDomain(
  panels: readonly ManyFeaturePanel[],
  maxNeurons = HEATMAP_MAX_NEURONS,
  maxFeatures = HEATMAP_MAX_FEATURES,
): [number, number] {
  let hi = SFA_DOMAIN[1];
  for (const p of panels) {
    const m = p.activations;
    const rows = Math.min(m.rows, maxNeurons);
    const cols = Math.min(m.cols, maxFeatures);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const v = m.data[r * m.cols + c]!;
        if (v > hi && Number.isFinite(v)) hi = v;
      }
    }
  }
  // Above 1.02, round up to two decimals so the legend's top label stays short.
  return [0, hi === SFA_DOMAIN[1] ? hi : Math.ceil(hi * 100) / 100];
}

/** A row of many-feature activation heat maps. */
export function manyFeatureHeatmaps(input: ManyFeatureHeatmapsInput): TopLevelSpec {
  if (input.panels.length === 0) throw new Error('manyFeatureHeatmaps needs at least one panel');
  const domain = input.domain ?? manyFeatureDomain(input.panels, input.maxNeurons, input.maxFeatures);
  const panels = input.panels.map((p) =>
    neuronFeatureHeatmap(
      heatmapPanel(p.activations, {
        ...crop(input),
        domain,
        legendTitle: MEASURE_LABELS.activation,
        title: p.label,
        width: input.panelWidth,
        height: input.panelHeight,
        maxWidth: 300,
        maxHeight: 200,
      }),
    ),
  );
  return topLevel(input, 'Many-feature activations', {
    hconcat: panels,
    resolve: { scale: { color: 'shared' }, legend: { color: 'shared' } },
  });
}
