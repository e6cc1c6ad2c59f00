// Everything SPEC.md's "Analysis of a snapshot" asks of one snapshot (W1, b1, W2) and its
// embedding, computed by the ORT graphs of snapshot-graph.ts. The matrix products run in ORT; only
// the heat-map ordering and a few vector sums run in JavaScript. The runtime is given, so the same
// analysis runs on onnxruntime-node in Node (cpu.ts) and on onnxruntime-web in a browser; nothing
// here may reach a Node-only module.
import type { InferenceSession, Tensor } from 'onnxruntime-common';
import type { RunConfig } from '../config/schema.js';
import type { OrtRuntime } from '../train/ort-engine.js';
import { heatmapOrder, type HeatmapOrder } from './heatmap.js';
import { matrix, type Matrix } from './matrix.js';
import { buildAnalysisModel, outputWidth } from './snapshot-graph.js';

/** A neuron is monosemantic when max_j SFA / (1e-10 + sum_j SFA) exceeds this. */
export const MONO_THRESHOLD = 0.999;

/**
 * The activation floor reported when no `monoMinActivation` is set: a tenth of an active feature's
 * largest value (1). The ratio alone has no floor: at step 0 of a run with bias -0.2, 86 neurons
 * pass it with a median largest activation of 0.013.
 */
export const REPORTED_ACTIVATION_FLOOR = 0.1;

/** Input amplitudes of the mechanistic response: 0, 0.01, ..., 1 unless asked otherwise. */
export const DEFAULT_AMPLITUDES = 101;

/** The analysis reads only the shapes and the activation of a config. */
export type AnalysisConfig = Pick<RunConfig, 'N' | 'm' | 'k' | 'nonlinearity' | 'task'>;

export interface FirstLayer {
  W1: Float32Array; // k x m
  b1: Float32Array; // k
}

/** One snapshot's parameters (a store `Snapshot` is one). */
export interface SnapshotWeights extends FirstLayer {
  W2: Float32Array; // out x k
}

/** The fixed embeddings: E (m x N) and, for the re-projector, its target embedding F (m x N). */
export interface AnalysisEmbeddings {
  E: Float32Array;
  F?: Float32Array;
}

export interface SingleFeatureActivations {
  /** k x N, row n = neuron n's response f(W1 E[:, j] + b1)[n] to each feature j alone at value 1. */
  sfa: Matrix;
  /** Per neuron: max_j SFA / (1e-10 + sum_j SFA). */
  ratio: Float32Array;
  /** The paper's measures of the same layer, from the same graph call (as `monosemanticity`). */
  summary: MonosemanticitySummary;
}

export interface MonosemanticitySummary {
  /** Neurons whose ratio exceeds MONO_THRESHOLD (and, with `monoMinActivation`, whose max_j SFA reaches it). */
  monosemantic_neurons: number;
  /** Monosemantic neurons / N: the paper's "# mono neurons / # features". */
  monosemantic_per_feature: number;
  /** Monosemantic neurons / k: the paper's "# mono neurons / # neurons". */
  monosemantic_per_neuron: number;
  /**
   * Distinct features that are the argmax_j SFA of at least one monosemantic neuron; unlike
   * monosemantic_neurons / N, several neurons for one feature count once.
   */
  features_covered: number;
  /** Neurons that no single feature activates: max_j SFA <= 0 (or not a number). */
  dead_neurons: number;
  /** The floor of monosemantic_below_floor: `monoMinActivation` when given, else REPORTED_ACTIVATION_FLOOR. */
  activation_floor: number;
  /**
   * Neurons whose ratio exceeds MONO_THRESHOLD but whose max_j SFA is below activation_floor; with
   * `monoMinActivation` these are exactly the neurons it excludes.
   */
  monosemantic_below_floor: number;
  /** Mean of b1. */
  mean_bias: number;
}

/** How the output for one feature responds to that feature's input amplitude alone. */
export interface AmplitudeResponse {
  feature: number;
  /** The input amplitudes a (length A), 0 to 1. */
  amplitude: Float32Array;
  /** The full model's output for the feature at each amplitude (the ideal is the identity, a). */
  full: Float32Array;
  /** The same through the neurons with b1 < 0 only (W2's other columns set to 0). */
  negative_bias: Float32Array;
  /** The same through the neurons with b1 >= 0 only; full = negative_bias + positive_bias. */
  positive_bias: Float32Array;
}

export interface SnapshotAnalysis extends MonosemanticitySummary {
  k: number;
  m: number;
  N: number;
  /** Output width: N for the decoder and abs, m for the re-projector. */
  out: number;
  /** k x N: f(W1 E + b1), column j = every neuron's response to feature j alone at value 1. */
  single_feature_activations: Matrix;
  /** Per neuron: max_j SFA / (1e-10 + sum_j SFA). */
  monosemanticity_ratio: Float32Array;
  /** Row (neuron) and column (feature) order of the paper's heat maps; see `heatmapOrder`. */
  heatmap_order: HeatmapOrder;
  /** b1 in heat-map row order: entry p is the bias of neuron heatmap_order.neurons[p]. */
  biases_in_heatmap_order: Float32Array;
  /** The extra features of `many_feature_activations`, sorted. */
  extra_features: number[];
  /**
   * k x N: column j = f(W1 (E[:, j] + sum_{e in extra} E[:, e]) + b1), the response to feature j
   * at value 1 with every extra feature also on at value 1. A feature that is itself in the extra
   * set is on once (value 1), not twice. Equals the SFA when the extra set is empty.
   */
  many_feature_activations: Matrix;
  /** out x N: W2 f(W1 E + b1), column j = the model's output for feature j alone at value 1. */
  single_feature_outputs: Matrix;
  /** k x N: W1 E, the net embedding of each feature into neuron space (without the bias). */
  net_embedding: Matrix;
  /** out x N: W2 W1 E, the model with its nonlinearity and biases taken out. */
  linear_model: Matrix;
  /** One per requested feature (`amplitudeFeatures`, default [0]). */
  amplitude_response: AmplitudeResponse[];
}

export interface AnalyseOptions {
  /** Features switched on in every input of `many_feature_activations` (default none). */
  extraFeatures?: readonly number[];
  /** Features whose amplitude response is computed (default [0]). */
  amplitudeFeatures?: readonly number[];
  /** Number of amplitudes from 0 to 1, evenly spaced (default 101; at least 2). */
  amplitudes?: number;
}

export interface AnalyserOptions {
  /** The ORT to run the analysis graphs on, with its threads chosen. */
  runtime: OrtRuntime;
  /**
   * Also require max_j SFA >= this of a monosemantic neuron (finite, >= 0). Default: no floor, the
   * paper's definition.
   */
  monoMinActivation?: number;
}

function checkLength(name: string, a: Float32Array | undefined, n: number, dims: string): Float32Array {
  if (!(a instanceof Float32Array)) throw new TypeError(`${name} must be a Float32Array`);
  if (a.length !== n) throw new RangeError(`${name} has ${a.length} values, expected ${dims} = ${n}`);
  return a;
}

function checkFeatures(name: string, features: readonly number[], N: number): number[] {
  for (const j of features) {
    if (!Number.isInteger(j) || j < 0 || j >= N) throw new RangeError(`${name}: ${j} is not a feature (0 .. ${N - 1})`);
  }
  return [...new Set(features)].sort((a, b) => a - b);
}

/** The graph's per-neuron outputs that the summary reads. */
interface NeuronMaxima {
  ratio: Float32Array;
  max: Float32Array;
  argmax: BigInt64Array;
}

function summarise(
  cfg: AnalysisConfig,
  r: NeuronMaxima,
  b1: Float32Array,
  minActivation: number | undefined,
): MonosemanticitySummary {
  const floor = minActivation ?? REPORTED_ACTIVATION_FLOOR;
  let mono = 0;
  let dead = 0;
  let belowFloor = 0;
  const covered = new Set<bigint>();
  for (let n = 0; n < r.ratio.length; n++) {
    const max = r.max[n]!;
    if (r.ratio[n]! > MONO_THRESHOLD) {
      if (max < floor) belowFloor++;
      if (minActivation === undefined || max >= minActivation) {
        mono++;
        covered.add(r.argmax[n]!);
      }
    }
    if (!(max > 0)) dead++;
  }
  let biasSum = 0;
  for (const x of b1) biasSum += x;
  return {
    monosemantic_neurons: mono,
    monosemantic_per_feature: mono / cfg.N,
    monosemantic_per_neuron: mono / cfg.k,
    features_covered: covered.size,
    dead_neurons: dead,
    activation_floor: floor,
    monosemantic_below_floor: belowFloor,
    mean_bias: biasSum / cfg.k,
  };
}

/**
 * Analyses snapshots of one configuration, keeping its ORT sessions between calls (a run's
 * snapshots share their shapes). Call `release()` when done.
 */
export class SnapshotAnalyser {
  readonly cfg: AnalysisConfig;
  readonly out: number;
  private readonly sessions = new Map<'sfa' | 'full', Promise<InferenceSession>>();

  constructor(
    cfg: AnalysisConfig,
    private readonly options: AnalyserOptions,
  ) {
    const floor = options.monoMinActivation;
    if (floor !== undefined && !(Number.isFinite(floor) && floor >= 0)) {
      throw new RangeError(`monoMinActivation: ${floor} must be a finite number >= 0`);
    }
    this.cfg = { N: cfg.N, m: cfg.m, k: cfg.k, nonlinearity: cfg.nonlinearity, task: cfg.task };
    this.out = outputWidth(cfg);
  }

  private session(kind: 'sfa' | 'full'): Promise<InferenceSession> {
    let s = this.sessions.get(kind);
    if (!s) {
      s = this.options.runtime.createSession(buildAnalysisModel(this.cfg, kind === 'full'));
      this.sessions.set(kind, s);
    }
    return s;
  }

  private tensor(data: Float32Array, dims: readonly number[]): Tensor {
    return new this.options.runtime.Tensor('float32', data, dims);
  }

  private firstLayerFeeds(layer: FirstLayer, E: Float32Array): Record<string, Tensor> {
    const { k, m, N } = this.cfg;
    return {
      W1: this.tensor(checkLength('W1', layer.W1, k * m, 'k x m'), [k, m]),
      b1: this.tensor(checkLength('b1', layer.b1, k, 'k'), [k, 1]),
      E: this.tensor(checkLength('E', E, m * N, 'm x N'), [m, N]),
    };
  }

  /** SFA (k x N), each neuron's monosemanticity ratio and the summary, in one graph call. */
  async singleFeatureActivations(layer: FirstLayer, E: Float32Array): Promise<SingleFeatureActivations> {
    const session = await this.session('sfa');
    const r = await session.run(this.firstLayerFeeds(layer, E), ['sfa', 'ratio', 'max', 'argmax']);
    return {
      sfa: matrix(this.cfg.k, this.cfg.N, r.sfa!.data as Float32Array),
      ratio: r.ratio!.data as Float32Array,
      summary: summarise(this.cfg, this.maxima(r), layer.b1, this.options.monoMinActivation),
    };
  }

  /** The paper's scalar measures of a snapshot (no matrices leave ORT). */
  async monosemanticity(layer: FirstLayer, E: Float32Array): Promise<MonosemanticitySummary> {
    const session = await this.session('sfa');
    const r = await session.run(this.firstLayerFeeds(layer, E), ['ratio', 'max', 'argmax']);
    return summarise(this.cfg, this.maxima(r), layer.b1, this.options.monoMinActivation);
  }

  private maxima(r: InferenceSession.ReturnType): NeuronMaxima {
    return {
      ratio: r.ratio!.data as Float32Array,
      max: r.max!.data as Float32Array,
      argmax: r.argmax!.data as BigInt64Array,
    };
  }

  /** Every measure of SnapshotAnalysis in one ORT call. */
  async analyse(
    weights: SnapshotWeights,
    embeddings: AnalysisEmbeddings,
    opts: AnalyseOptions = {},
  ): Promise<SnapshotAnalysis> {
    const { k, m, N, task } = this.cfg;
    const out = this.out;
    const E = embeddings.E;
    const extraFeatures = checkFeatures('extraFeatures', opts.extraFeatures ?? [], N);
    const requested = checkFeatures('amplitudeFeatures', opts.amplitudeFeatures ?? [0], N);
    const A = opts.amplitudes ?? DEFAULT_AMPLITUDES;
    if (!Number.isInteger(A) || A < 2) throw new RangeError(`amplitudes: ${A} must be an integer >= 2`);
    checkLength('E', E, m * N, 'm x N');
    if (task === 're-projector') checkLength('F (the re-projector target embedding)', embeddings.F, m * N, 'm x N');

    const keep = new Float32Array(N).fill(1);
    const extra = new Float32Array(m);
    for (const e of extraFeatures) {
      keep[e] = 0;
      for (let i = 0; i < m; i++) extra[i]! += E[i * N + e]!;
    }
    // An empty request still runs one response (feature 0) so that no tensor is empty.
    const features = requested.length > 0 ? requested : [0];
    const F = features.length;
    const ampX = new Float32Array(F * m);
    const readout = new Float32Array(F * out);
    features.forEach((j, f) => {
      for (let i = 0; i < m; i++) ampX[f * m + i] = E[i * N + j]!;
      if (task === 're-projector') {
        // The target of a e_j is a F[:, j]: read the output along F[:, j] / |F[:, j]|^2, whose
        // ideal response is again the identity a.
        const T = embeddings.F!;
        let norm2 = 0;
        for (let i = 0; i < m; i++) norm2 += T[i * N + j]! ** 2;
        for (let i = 0; i < m; i++) readout[f * out + i] = norm2 > 0 ? T[i * N + j]! / norm2 : 0;
      } else {
        readout[f * out + j] = 1;
      }
    });
    const amplitude = Float32Array.from({ length: A }, (_, a) => a / (A - 1));

    const session = await this.session('full');
    const r = await session.run({
      ...this.firstLayerFeeds(weights, E),
      W2: this.tensor(checkLength('W2', weights.W2, out * k, 'out x k'), [out, k]),
      keep: this.tensor(keep, [1, N]),
      extra: this.tensor(extra, [m, 1]),
      amp_x: this.tensor(ampX, [F, m]),
      amp: this.tensor(amplitude, [A]),
      readout: this.tensor(readout, [F, 1, out]),
    });
    const data = (name: string) => r[name]!.data as Float32Array;
    const sfa = matrix(k, N, data('sfa'));
    const ratio = data('ratio');
    const order = heatmapOrder(sfa);
    const biases = new Float32Array(k);
    for (let p = 0; p < k; p++) biases[p] = weights.b1[order.neurons[p]!]!;
    const response = data('response');
    return {
      k,
      m,
      N,
      out,
      ...summarise(this.cfg, this.maxima(r), weights.b1, this.options.monoMinActivation),
      single_feature_activations: sfa,
      monosemanticity_ratio: ratio,
      heatmap_order: order,
      biases_in_heatmap_order: biases,
      extra_features: extraFeatures,
      many_feature_activations: matrix(k, N, data('mfa')),
      single_feature_outputs: matrix(out, N, data('sfo')),
      net_embedding: matrix(k, N, data('net_embedding')),
      linear_model: matrix(out, N, data('linear')),
      amplitude_response: requested.map((feature, f) => ({
        feature,
        amplitude,
        full: response.slice((f * 3 + 0) * A, (f * 3 + 1) * A),
        negative_bias: response.slice((f * 3 + 1) * A, (f * 3 + 2) * A),
        positive_bias: response.slice((f * 3 + 2) * A, (f * 3 + 3) * A),
      })),
    };
  }

  async release(): Promise<void> {
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    for (const s of sessions) await (await s).release();
  }
}
