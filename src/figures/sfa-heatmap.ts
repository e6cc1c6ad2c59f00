// Figure: the single-feature-activation heat map of one run, and a row of them for chosen runs of
// a sweep. Neurons across (heat-map order), features down, colours 0 to 1.02 as in the paper. The
// row draws one screen pixel per cell by default: fitted into a few hundred pixels, a 1024-neuron
// map averages several neurons into a pixel and its diagonal, the point of the figure, fades.
import type { TopLevelSpec } from 'vega-lite';
import { CONFIG, topLevel, type Spec } from './common.js';
import {
  cornerZoom,
  crop,
  heatmapPanel,
  neuronFeatureHeatmap,
  neuronFeatureHeatmapParts,
  SFA_DOMAIN,
  type NeuronFeatureHeatmap,
} from './heatmap.js';
import { sweptTitle } from './labels.js';
import { dejavuWidth } from './text-metrics.js';
import type { FigureOptions, Matrix, RunMark, SweepValue, SweptField } from './types.js';

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
    heatmapPanel(input.sfa, {
      ...crop(input),
      domain: SFA_DOMAIN,
      legendTitle: 'SFA',
      width: input.width,
      height: input.height,
      maxWidth: 512,
      maxHeight: 320,
    }),
  );
  return topLevel(input, 'Single-feature activations', spec, cropNote ? [cropNote] : []);
}

export interface SfaHeatmapRun {
  value: SweepValue;
  sfa: Matrix;
  /** Why this run was chosen (e.g. "k = N", "peak", "lowest"), shown after its title. */
  note?: string;
  /** How the run ended; "diverged" or "never learned" is shown after its title. */
  mark?: RunMark;
}

export interface SfaHeatmapRowInput extends FigureOptions {
  sweep: SweptField;
  /** The chosen runs, in the order to show them. */
  runs: SfaHeatmapRun[];
  /**
   * 'exact' (default): one screen pixel per neuron and per feature at PNG scale 1, an integer
   * number for thin matrices (exactHeatmapSize); 'fit': each panel fitted into panelWidth x
   * panelHeight (default up to 300 x 200).
   */
  pixelsPerCell?: 'exact' | 'fit';
  /** Display size of each panel ('fit' only). */
  panelWidth?: number;
  panelHeight?: number;
  /** The side of the top-left block (neurons x features) drawn enlarged beside each panel (default 64); false: none. */
  zoom?: number | false;
  maxNeurons?: number;
  maxFeatures?: number;
}

/** Default side of the zoomed corner block: the first 64 neurons x 64 features. */
const ZOOM_BLOCK = 64;
/** Panels stand side by side only while the figure stays about this wide; beyond, they stack. */
const ROW_MAX_WIDTH = 1100;
/** Rough room for a panel's feature axis (labels and title) and for the shared legend. */
const Y_AXIS_ROOM = 45;
const LEGEND_ROOM = 70;
const SPACING = (CONFIG.concat as { spacing: number }).spacing;

/**
 * The chosen runs' SFA heat maps, each titled by its swept value and followed by an enlarged view
 * of its top-left block; one shared legend. The runs stand in a row while it fits within about
 * 1100 pixels, otherwise in a column, one run (map and zoom) per line.
 */
export function sfaHeatmapRow(input: SfaHeatmapRowInput): TopLevelSpec {
  if (input.runs.length === 0) throw new Error('sfaHeatmapRow needs at least one run');
  const items = input.runs.map((run) => {
    const panel = heatmapPanel(run.sfa, {
      ...crop(input),
      domain: SFA_DOMAIN,
      legendTitle: 'SFA',
      title: runTitle(input.sweep, run),
      pixelsPerCell: input.pixelsPerCell ?? 'exact',
      width: input.panelWidth,
      height: input.panelHeight,
      maxWidth: 300,
      maxHeight: 200,
    });
    const zoom = input.zoom === false ? undefined : cornerZoom(panel, input.zoom ?? ZOOM_BLOCK);
    const views = zoom ? [panel, zoom] : [panel];
    const width = views.reduce((w, v) => w + approxWidth(v), SPACING * (views.length - 1));
    const spec: Spec = zoom ? { hconcat: views.map(neuronFeatureHeatmap) } : neuronFeatureHeatmap(panel);
    return { spec, width };
  });
  const rowWidth = items.reduce((w, it) => w + it.width, SPACING * (items.length - 1) + LEGEND_ROOM);
  const specs = items.map((it) => it.spec);
  return topLevel(input, 'Single-feature activations', {
    ...(rowWidth <= ROW_MAX_WIDTH ? { hconcat: specs } : { vconcat: specs }),
    resolve: { scale: { color: 'shared' }, legend: { color: 'shared' } },
  });
}

/** "learning rate = 0.03 (peak; diverged)": the swept value, then the run's note and mark. */
function runTitle(sweep: SweptField, run: SfaHeatmapRun): string {
  const extras = [run.note, run.mark && run.mark !== 'ok' ? run.mark.replace('-', ' ') : undefined].filter(Boolean);
  const title = sweptTitle(sweep.field, run.value, sweep.label);
  return extras.length ? `${title} (${extras.join('; ')})` : title;
}

/** About how wide a panel is drawn: its plot or its titles (DejaVu widths: near enough in a browser too), and its feature axis. */
function approxWidth(p: NeuronFeatureHeatmap): number {
  return Y_AXIS_ROOM + Math.max(p.width, dejavuWidth(p.xTitle, 12), dejavuWidth(p.title ?? '', 12, true));
}
