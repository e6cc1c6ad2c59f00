// The ONNX graph of a snapshot's analysis (SPEC.md, "Analysis of a snapshot"), built with
// GraphBuilder on the training graph's own activation functions (src/graph/model.ts).
import { outputSize, type RunConfig } from '../config/schema.js';
import { GraphBuilder } from '../graph/builder.js';
import { activation } from '../graph/model.js';
import type { AnalysisConfig } from './snapshot.js';

/** Output width of a config (`outputSize` reads only the task and the sizes). */
export const outputWidth = (cfg: AnalysisConfig): number => outputSize(cfg as RunConfig);

/**
 * SFA graph: inputs W1 [k, m], b1 [k, 1], E [m, N]; outputs sfa [k, N], ratio [k], max [k],
 * argmax [k] (int64, the first maximal feature).
 * With `full`, also net_embedding, many_feature_activations, single_feature_outputs, linear_model
 * and the amplitude responses (inputs W2, keep, extra, amp_x, amp, readout).
 */
export function buildAnalysisModel(cfg: AnalysisConfig, full: boolean): Uint8Array {
  const { k, m, N } = cfg;
  const out = outputWidth(cfg);
  const b = new GraphBuilder('float32');
  const W1 = b.input('W1', [k, m]);
  const b1 = b.input('b1', [k, 1]);
  const E = b.input('E', [m, N]);
  const f = (z: string): string => activation(b, cfg.nonlinearity, z).h;

  const netEmbedding = b.node('MatMul', [W1, E]);
  const sfa = f(b.node('Add', [netEmbedding, b1]));
  const max = b.node('ReduceMax', [sfa], { keepdims: 0, axes: [1] });
  const sum = b.node('ReduceSum', [sfa, b.constant([1], [1], 'int64')], { keepdims: 0 });
  const ratio = b.node('Div', [max, b.node('Add', [sum, b.scalar(1e-10)])]);
  b.output(ratio, 'ratio', [k]);
  b.output(max, 'max', [k]);
  b.output(b.node('ArgMax', [sfa], { axis: 1, keepdims: 0 }), 'argmax', [k], 'int64');
  if (full) {
    const W2 = b.input('W2', [out, k]);
    const keep = b.input('keep', [1, N]); // 0 for the extra features, 1 elsewhere
    const extra = b.input('extra', [m, 1]); // sum of the extra features' embeddings
    const ampX = b.input('amp_x', ['F', m]); // row f: the embedding of the f-th response's feature
    const amp = b.input('amp', ['A']);
    const readout = b.input('readout', ['F', 1, out]); // the output coordinate (or direction) read

    // Many-feature activations: f(W1 E diag(keep) + (W1 extra + b1)).
    const offset = b.node('Add', [b.node('MatMul', [W1, extra]), b1]);
    const mfa = f(b.node('Add', [b.node('Mul', [netEmbedding, keep]), offset]));
    const sfo = b.node('MatMul', [W2, sfa]);
    // (W2 W1) E: a sixth of the work of W2 (W1 E) at the paper's sizes.
    const linear = b.node('MatMul', [b.node('MatMul', [W2, W1]), E]);

    // Amplitude response: h[f, :, a] = f(amp[a] W1 x_f + b1); y = w_f h with w_f = readout_f W2,
    // masked to the neurons of one bias sign.
    const u = b.node('Unsqueeze', [b.node('Gemm', [ampX, W1], { transB: 1 }), b.constant([2], [1], 'int64')]); // [F, k, 1]
    const h = f(b.node('Add', [b.node('Mul', [u, amp]), b1])); // [F, k, A]
    const w = b.node('MatMul', [readout, W2]); // [F, 1, k]
    const bias = b.node('Reshape', [b1, b.constant([k], [1], 'int64')]);
    const negative = b.node('Cast', [b.node('Less', [bias, b.scalar(0)])], { to: 1 });
    const positive = b.node('Sub', [b.scalar(1), negative]);
    const w3 = b.node('Concat', [w, b.node('Mul', [w, negative]), b.node('Mul', [w, positive])], { axis: 1 }); // [F, 3, k]
    const response = b.node('MatMul', [w3, h]); // [F, 3, A]

    b.output(netEmbedding, 'net_embedding', [k, N]);
    b.output(mfa, 'mfa', [k, N]);
    b.output(sfo, 'sfo', [out, N]);
    b.output(linear, 'linear', [out, N]);
    b.output(response, 'response', ['F', 3, 'A']);
  }
  b.output(sfa, 'sfa', [k, N]);
  return b.encode(full ? 'snapshot_analysis' : 'single_feature_activations');
}
