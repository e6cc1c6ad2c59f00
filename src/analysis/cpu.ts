// The snapshot analysis on onnxruntime-node's CPU provider, for Node: the analyser the CLI, the
// dashboard's server and the reports use, and one-call forms for a single snapshot.
import { nodeRuntime } from '../train/device.js';
import {
  SnapshotAnalyser,
  type AnalyseOptions,
  type AnalyserOptions,
  type AnalysisConfig,
  type AnalysisEmbeddings,
  type FirstLayer,
  type MonosemanticitySummary,
  type SingleFeatureActivations,
  type SnapshotAnalysis,
  type SnapshotWeights,
} from './snapshot.js';

export interface CpuAnalyserOptions extends Omit<AnalyserOptions, 'runtime'> {
  /** ORT intra-op threads (default: ORT's choice, the machine's cores). */
  threads?: number;
}

/** A SnapshotAnalyser on onnxruntime-node's CPU provider. */
export function cpuAnalyser(cfg: AnalysisConfig, options: CpuAnalyserOptions = {}): SnapshotAnalyser {
  return new SnapshotAnalyser(cfg, {
    runtime: nodeRuntime('cpu', options.threads),
    monoMinActivation: options.monoMinActivation,
  });
}

async function withAnalyser<T>(
  cfg: AnalysisConfig,
  options: CpuAnalyserOptions,
  fn: (a: SnapshotAnalyser) => Promise<T>,
): Promise<T> {
  const analyser = cpuAnalyser(cfg, options);
  try {
    return await fn(analyser);
  } finally {
    await analyser.release();
  }
}

/** SFA (k x N) and the monosemanticity ratio per neuron of one first layer. */
export function singleFeatureActivations(
  cfg: AnalysisConfig,
  layer: FirstLayer,
  E: Float32Array,
  options: CpuAnalyserOptions = {},
): Promise<SingleFeatureActivations> {
  return withAnalyser(cfg, options, (a) => a.singleFeatureActivations(layer, E));
}

/** Monosemantic neuron count, / N, / k, features covered, dead neurons, the count below the floor and mean bias of one first layer. */
export function monosemanticity(
  cfg: AnalysisConfig,
  layer: FirstLayer,
  E: Float32Array,
  options: CpuAnalyserOptions = {},
): Promise<MonosemanticitySummary> {
  return withAnalyser(cfg, options, (a) => a.monosemanticity(layer, E));
}

/** Every measure of one snapshot (see SnapshotAnalysis); for many snapshots, reuse a cpuAnalyser. */
export function analyseSnapshot(
  cfg: AnalysisConfig,
  weights: SnapshotWeights,
  embeddings: AnalysisEmbeddings,
  opts: AnalyseOptions & CpuAnalyserOptions = {},
): Promise<SnapshotAnalysis> {
  return withAnalyser(cfg, opts, (a) => a.analyse(weights, embeddings, opts));
}
