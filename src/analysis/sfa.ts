// Single-feature activations and the monosemanticity measures of SPEC.md ("Analysis of a snapshot"),
// computed by a small ORT graph that reuses the training graph's activation functions.
import ort from 'onnxruntime-node';
import type { RunConfig } from '../config/schema.js';
import { GraphBuilder } from '../graph/builder.js';
import { activation } from '../graph/model.js';

/** A neuron is monosemantic when max_j SFA / (1e-10 + sum_j SFA) exceeds this. */
export const MONO_THRESHOLD = 0.999;

export interface FirstLayer {
  W1: Float32Array; // k x m
  b1: Float32Array; // k
}

export interface SingleFeatureActivations {
  /** k x N, row n = neuron n's response to each feature alone at value 1. */
  sfa: Float32Array;
  /** Per neuron: max_j SFA / (1e-10 + sum_j SFA). */
  ratio: Float32Array;
}

export async function singleFeatureActivations(cfg: RunConfig, layer: FirstLayer, E: Float32Array): Promise<SingleFeatureActivations> {
  const { k, m, N } = cfg;
  const b = new GraphBuilder('float32');
  const W1 = b.input('W1', [k, m]);
  const b1 = b.input('b1', [k, 1]);
  const Ein = b.input('E', [m, N]);
  const { h } = activation(b, cfg.nonlinearity, b.node('Gemm', [W1, Ein, b1]));
  const axes = b.constant([1], [1], 'int64');
  const ratio = b.node('Div', [
    b.node('ReduceMax', [h], { keepdims: 0, axes: [1] }),
    b.node('Add', [b.node('ReduceSum', [h, axes], { keepdims: 0 }), b.scalar(1e-10)]),
  ]);
  b.output(h, 'sfa', [k, N]);
  b.output(ratio, 'ratio', [k]);
  const session = await ort.InferenceSession.create(b.encode('sfa'));
  try {
    const out = await session.run({
      W1: new ort.Tensor('float32', layer.W1, [k, m]),
      b1: new ort.Tensor('float32', layer.b1, [k, 1]),
      E: new ort.Tensor('float32', E, [m, N]),
    });
    return { sfa: out.sfa!.data as Float32Array, ratio: out.ratio!.data as Float32Array };
  } finally {
    await session.release();
  }
}

export interface MonosemanticitySummary {
  monosemantic_neurons: number;
  /** Monosemantic neurons / N: the paper's "# mono neurons / # features". */
  monosemantic_per_feature: number;
  /** Monosemantic neurons / k. */
  monosemantic_per_neuron: number;
  mean_bias: number;
}

export async function monosemanticity(cfg: RunConfig, layer: FirstLayer, E: Float32Array): Promise<MonosemanticitySummary> {
  const { ratio } = await singleFeatureActivations(cfg, layer, E);
  let mono = 0;
  for (const r of ratio) if (r > MONO_THRESHOLD) mono++;
  let biasSum = 0;
  for (const x of layer.b1) biasSum += x;
  return {
    monosemantic_neurons: mono,
    monosemantic_per_feature: mono / cfg.N,
    monosemantic_per_neuron: mono / cfg.k,
    mean_bias: biasSum / cfg.k,
  };
}
