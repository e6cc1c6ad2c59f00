// The figure definitions: plain data in, Vega-Lite spec out. Safe for the browser (no Node
// modules); static rendering to SVG/PNG is in ./render.js, which only Node code may import.
export * from './types.js';
export {
  fieldLabel,
  formatMean,
  formatMetric,
  formatNumber,
  formatValue,
  sweptTitle,
  MEASURE_LABELS,
} from './labels.js';
export { colorScaleKind, isLogSpaced, type ColorScaleKind } from './common.js';
export { colormap, colorOf, lutIndex, type Colormap } from './colormap.js';
export { matrixToPng, pngDataUrl, base64, type Raster, type RasterOptions } from './raster.js';
export { HEATMAP_MAX_NEURONS, HEATMAP_MAX_FEATURES, SFA_DOMAIN } from './heatmap.js';
export { trainingPlot, lossPoints, type TrainingPlotInput, type TrainingRun } from './training.js';
export { sfaHeatmap, sfaHeatmapRow, type SfaHeatmapInput, type SfaHeatmapRowInput } from './sfa-heatmap.js';
export { biasPlot, type BiasPlotInput, type BiasRun } from './bias.js';
export {
  manyFeatureHeatmaps,
  manyFeatureDomain,
  type ManyFeatureHeatmapsInput,
  type ManyFeaturePanel,
} from './many-feature.js';
export { sfaLinePlot, type SfaLinesInput } from './sfa-lines.js';
export { monoVsSweep, hasKEqualsNRule, type MonoSweepInput, type MonoSweepPoint } from './mono-sweep.js';
export { gridHeatmap, type GridCell, type GridHeatmapInput } from './grid.js';
export {
  amplitudeResponse,
  amplitudeCurves,
  type AmplitudeCurve,
  type AmplitudePanel,
  type AmplitudeResponseInput,
  type FeatureAmplitudeResponse,
} from './amplitude-response.js';
export { lossVsMono, type LossVsMonoInput, type LossVsMonoPoint } from './loss-vs-mono.js';
export {
  lossVsMonoOverview,
  type LossVsMonoOverviewInput,
  type OverviewPanel,
  type OverviewRun,
} from './loss-vs-mono-overview.js';
export { monoVsNOverK, type MonoVsNOverKInput, type NOverKPoint } from './mono-vs-n-over-k.js';
export * from './sweep-data.js';
export * from './from-sweep.js';
