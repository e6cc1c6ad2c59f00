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
  const neurons = Math.min(h.matrix.rows, h.maxNeurons ?? HEATMAP_MAX_NEURONS);
  const features = Math.min(h.matrix.cols, h.maxFeatures ?? HEATMAP_MAX_FEATURES);
  const raster = matrixToPng(h.matrix, { domain: h.domain, colormap: cm, transpose: true, rows: neurons, cols: features });
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
  const cropNote = cropped ? `first ${neurons} of ${h.matrix.rows} neurons, ${features} of ${h.matrix.cols} features` : undefined;
  if (h.title) {
    spec.title = { text: h.title, fontSize: 12, ...(cropNote ? { subtitle: cropNote, subtitleFontSize: 10 } : {}) };
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

/** A display size for a neurons x features heat map that keeps the cells roughly square. */
export function heatmapSize(neurons: number, features: number, maxWidth: number, maxHeight: number): { width: number; height: number } {
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
  /** Fixed plot size; otherwise fitted into maxWidth x maxHeight with roughly square cells. */
  width?: number;
  height?: number;
  maxWidth: number;
  maxHeight: number;
  maxNeurons?: number;
  maxFeatures?: number;
}

/** A neurons x features panel: cropped as the paper does, sized, with the paper's axis titles. */
export function heatmapPanel(matrix: Matrix, o: HeatmapPanelOptions): NeuronFeatureHeatmap {
  const neurons = Math.min(matrix.rows, o.maxNeurons ?? HEATMAP_MAX_NEURONS);
  const features = Math.min(matrix.cols, o.maxFeatures ?? HEATMAP_MAX_FEATURES);
  const size = heatmapSize(neurons, features, o.width ?? o.maxWidth, o.height ?? o.maxHeight);
  return {
    matrix,
    domain: o.domain,
    width: o.width ?? size.width,
    height: o.height ?? size.height,
    xTitle: MEASURE_LABELS.neuron,
    yTitle: MEASURE_LABELS.feature,
    legendTitle: o.legendTitle,
    ...(o.title !== undefined ? { title: o.title } : {}),
    ...crop(o),
  };
}

/** The crop limits a figure's input sets, leaving the paper's defaults where it sets none. */
export function crop(input: { maxNeurons?: number; maxFeatures?: number }): Pick<HeatmapPanelOptions, 'maxNeurons' | 'maxFeatures'> {
  return {
    ...(input.maxNeurons !== undefined ? { maxNeurons: input.maxNeurons } : {}),
    ...(input.maxFeatures !== undefined ? { maxFeatures: input.maxFeatures } : {}),
  };
}
