// A matrix heat map as a Vega-Lite layer: the matrix is a raster PNG in an `image` mark (one pixel
// per cell, so 1024 x 512 cells cost one mark, not half a million), quantitative axes over the cell
// indices, and a colour legend driven by an invisible layer whose colour scale has the raster's
// domain and scheme.
import { colormap, type Colormap } from './colormap.js';
import { NUMBER_LABEL_EXPR, type Spec } from './common.js';
import { matrixToPng, pngDataUrl } from './raster.js';
import { MEASURE_LABELS } from './labels.js';
import type { Matrix } from './types.js';

/** The paper crops heat maps to 1024 neurons x 512 features and colours 0 to 1.02. */
export const HEATMAP_MAX_NEURONS = 1024;
export const HEATMAP_MAX_FEATURES = 512;
export const SFA_DOMAIN: [number, number] = [0, 1.02];

export interface NeuronFeatureHeatmap {
  /** neurons x features (row n = neuron n), already in heat-map order. */
  matrix: Matrix;
  domain: [number, number];
  width: number;
  height: number;
  xTitle: string;
  yTitle: string;
  legendTitle: string;
  /** Title of this panel (e.g. "learning rate = 0.003"). */
  title?: string;
  /** A line under the title, in place of the crop note (a zoom's title already says what it shows). */
  subtitle?: string;
  maxNeurons?: number;
  maxFeatures?: number;
  colormap?: Colormap;
}

/**
 * One heat map layer: x = neuron index (matrix row), y = feature index (matrix column, 0 at the
 * top), cropped to the first maxNeurons x maxFeatures.
 */
export function neuronFeatureHeatmap(h: NeuronFeatureHeatmap): Spec {
  return neuronFeatureHeatmapParts(h).spec;
}

/** The heat map layer without a title, and its title and crop note for the caller to place. */
export function neuronFeatureHeatmapParts(h: NeuronFeatureHeatmap): { spec: Spec; cropNote?: string } {
  const cm = h.colormap ?? colormap('viridis');
  const { neurons, features } = shownCells(h.matrix, h);
  const raster = matrixToPng(h.matrix, {
    domain: h.domain,
    colormap: cm,
    transpose: true,
    rows: neurons,
    cols: features,
  });
  // Nearest-neighbour scaling when the image is enlarged (cells stay crisp); smooth when shrunk.
  const smooth = h.width < neurons || h.height < features;
  const cropped = neurons < h.matrix.rows || features < h.matrix.cols;
  const image: Spec = {
    data: { values: [{ x0: 0, x1: neurons, y0: 0, y1: features, url: pngDataUrl(raster.png) }] },
    mark: { type: 'image', aspect: false, smooth, aria: false },
    encoding: {
      x: {
        field: 'x0',
        type: 'quantitative',
        scale: { domain: [0, neurons], nice: false, zero: false },
        axis: { title: h.xTitle, grid: false, tickCount: 6, tickMinStep: 1, format: 'd', labelFlush: true },
      },
      x2: { field: 'x1' },
      y: {
        field: 'y0',
        type: 'quantitative',
        scale: { domain: [0, features], nice: false, zero: false, reverse: true },
        axis: { title: h.yTitle, grid: false, tickCount: 5, tickMinStep: 1, format: 'd', labelFlush: true },
      },
      y2: { field: 'y1' },
      url: { field: 'url', type: 'nominal' },
    },
  };
  const legend: Spec = {
    data: { values: [{ v: h.domain[0] }, { v: h.domain[1] }] },
    mark: { type: 'point', opacity: 0 },
    encoding: {
      color: {
        field: 'v',
        type: 'quantitative',
        scale: { scheme: cm.scheme, domain: h.domain, nice: false, zero: false },
        legend: {
          title: h.legendTitle,
          type: 'gradient',
          direction: 'vertical',
          gradientLength: Math.max(60, Math.min(h.height, 200)),
          values: legendTicks(h.domain),
          labelExpr: NUMBER_LABEL_EXPR,
        },
      },
    },
  };
  const spec: Spec = { width: h.width, height: h.height, layer: [image, legend] };
  const cropNote = cropped
    ? `first ${neurons} of ${h.matrix.rows} neurons, ${features} of ${h.matrix.cols} features`
    : undefined;
  if (h.title) {
    const subtitle = h.subtitle ?? cropNote;
    spec.title = { text: h.title, fontSize: 12, ...(subtitle ? { subtitle, subtitleFontSize: 10 } : {}) };
    return { spec };
  }
  return cropNote ? { spec, cropNote } : { spec };
}

/** Legend ticks: 0, 0.2, ..., up to the top of the domain, and the top itself. */
function legendTicks([lo, hi]: [number, number]): number[] {
  const span = hi - lo;
  if (!(span > 0)) return [lo];
  const mag = 10 ** Math.floor(Math.log10(span / 5));
  const step = [1, 2, 2.5, 5, 10].map((s) => s * mag).find((s) => span / s <= 6)!;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + 1e-9; t += step) ticks.push(Number(t.toPrecision(6)));
  if (hi - ticks[ticks.length - 1]! > step * 0.5) ticks.push(hi);
  return ticks;
}

/** The neurons and features a heat map shows: the matrix cropped to the limits (the paper's by default). */
export function shownCells(
  matrix: Matrix,
  limits: { maxNeurons?: number; maxFeatures?: number },
): { neurons: number; features: number } {
  return {
    neurons: Math.min(matrix.rows, limits.maxNeurons ?? HEATMAP_MAX_NEURONS),
    features: Math.min(matrix.cols, limits.maxFeatures ?? HEATMAP_MAX_FEATURES),
  };
}

/** The shortest side of an exact-size heat map: thinner matrices (k = 16) are magnified up to it. */
export const HEATMAP_MIN_SIDE = 128;

/**
 * The display size of a heat map drawn at one screen pixel per cell (at PNG scale 1), so that no
 * neuron or feature is averaged away: 1024 x 512 cells give 1024 x 512 pixels. A side shorter than
 * `minSide` is magnified by the smallest integer that reaches it (16 neurons are drawn 8 pixels
 * wide each), so that cells stay whole pixels when drawn nearest-neighbour.
 */
export function exactHeatmapSize(
  neurons: number,
  features: number,
  minSide = HEATMAP_MIN_SIDE,
): { width: number; height: number; magnification: { x: number; y: number } } {
  if (!(neurons >= 1 && features >= 1)) throw new Error(`cannot size an empty heat map (${neurons} x ${features})`);
  const x = Math.max(1, Math.ceil(minSide / neurons));
  const y = Math.max(1, Math.ceil(minSide / features));
  return { width: neurons * x, height: features * y, magnification: { x, y } };
}

/** A display size for a neurons x features heat map that keeps the cells roughly square. */
export function heatmapSize(
  neurons: number,
  features: number,
  maxWidth: number,
  maxHeight: number,
): { width: number; height: number } {
  const aspect = neurons / features;
  let width = maxWidth;
  let height = width / aspect;
  if (height > maxHeight) {
    height = maxHeight;
    width = height * aspect;
  }
  // Very thin matrices (k = 16 neurons x 512 features) still get a readable panel.
  width = Math.max(width, Math.min(maxWidth, 120));
  height = Math.max(height, Math.min(maxHeight, 80));
  return { width: Math.round(width), height: Math.round(height) };
}

export interface HeatmapPanelOptions {
  domain: [number, number];
  legendTitle: string;
  title?: string;
  /**
   * 'fit' (default): the plot size is width x height, or fitted into maxWidth x maxHeight with
   * roughly square cells. 'exact': one screen pixel per cell (exactHeatmapSize), whatever the limits.
   */
  pixelsPerCell?: 'exact' | 'fit';
  /** Fixed plot size ('fit' only); otherwise fitted into maxWidth x maxHeight with roughly square cells. */
  width?: number;
  height?: number;
  maxWidth: number;
  maxHeight: number;
  maxNeurons?: number;
  maxFeatures?: number;
}

/** A neurons x features panel: cropped as the paper does, sized, with the paper's axis titles. */
export function heatmapPanel(matrix: Matrix, o: HeatmapPanelOptions): NeuronFeatureHeatmap {
  const { neurons, features } = shownCells(matrix, o);
  const exact = o.pixelsPerCell === 'exact';
  const size = exact
    ? exactHeatmapSize(neurons, features)
    : heatmapSize(neurons, features, o.width ?? o.maxWidth, o.height ?? o.maxHeight);
  return {
    matrix,
    domain: o.domain,
    width: exact ? size.width : (o.width ?? size.width),
    height: exact ? size.height : (o.height ?? size.height),
    xTitle: MEASURE_LABELS.neuron,
    yTitle: MEASURE_LABELS.feature,
    legendTitle: o.legendTitle,
    ...(o.title !== undefined ? { title: o.title } : {}),
    ...crop(o),
  };
}

/** The crop limits a figure's input sets, leaving the paper's defaults where it sets none. */
export function crop(input: {
  maxNeurons?: number;
  maxFeatures?: number;
}): Pick<HeatmapPanelOptions, 'maxNeurons' | 'maxFeatures'> {
  return {
    ...(input.maxNeurons !== undefined ? { maxNeurons: input.maxNeurons } : {}),
    ...(input.maxFeatures !== undefined ? { maxFeatures: input.maxFeatures } : {}),
  };
}

/** The side the zoom inset's plot area is magnified towards (a 64 x 64 block is drawn 4x: 256 px). */
const ZOOM_SIDE = 256;

/**
 * The top-left `block` neurons x `block` features of a panel, enlarged by an integer factor to
 * about ZOOM_SIDE pixels and drawn nearest-neighbour with the panel's colours, so that single cells
 * of the diagonal can be seen; undefined when the block is the whole panel.
 */
export function cornerZoom(panel: NeuronFeatureHeatmap, block: number): NeuronFeatureHeatmap | undefined {
  if (!(Number.isInteger(block) && block >= 1)) throw new Error(`zoom block must be a positive integer, got ${block}`);
  const { neurons, features } = shownCells(panel.matrix, panel);
  const zn = Math.min(block, neurons);
  const zf = Math.min(block, features);
  if (zn === neurons && zf === features) return undefined;
  const m = Math.max(1, Math.floor(ZOOM_SIDE / Math.max(zn, zf)));
  return {
    ...panel,
    width: zn * m,
    height: zf * m,
    maxNeurons: zn,
    maxFeatures: zf,
    title: `zoom: neurons 0–${zn - 1} × features 0–${zf - 1}`,
    subtitle: `${m} × ${m} px per cell`,
  };
}
