// One training step as an ONNX model: the batch goes in as a dense sample v (B x N); the task's
// input and target, the forward and backward pass, the optimiser update and the bias decay all
// run inside ORT. Parameters and optimiser state go in and come out under paired names, so the
// loop can swap two sets of buffers instead of copying tensors through JavaScript.
import { batchSize, outputSize, type RunConfig } from '../config/schema.js';
import { GraphBuilder } from './builder.js';
import { lossAndGradients, type Params } from './model.js';
import { optimizerUpdate, stateNames } from './optimizers.js';

export const PARAM_NAMES = ['W1', 'b1', 'W2'] as const;
export type ParamName = (typeof PARAM_NAMES)[number];

export function paramShapes(cfg: RunConfig): Record<ParamName, number[]> {
  return { W1: [cfg.k, cfg.m], b1: [cfg.k], W2: [outputSize(cfg), cfg.k] };
}

/** Every tensor the step carries from one step to the next: parameters, then optimiser state. */
export function carriedTensors(cfg: RunConfig): { name: string; shape: number[] }[] {
  const shapes = paramShapes(cfg);
  return PARAM_NAMES.flatMap((p) => [
    { name: p, shape: shapes[p] },
    ...stateNames(cfg.optimizer).map((s) => ({ name: `${s}_${p}`, shape: shapes[p] })),
  ]);
}

/** Output name under which the step returns the new value of carried tensor `name`. */
export const nextName = (name: string): string => `next_${name}`;

export interface Embeddings {
  E: Float32Array; // m x N
  F?: Float32Array; // m x N, re-projector only
}

/** The task's input x = v E^T (B x m) and target (SPEC.md, Tasks) from a dense sample v. */
export function taskBatch(b: GraphBuilder, cfg: RunConfig, v: string, emb: Embeddings): { x: string; target: string } {
  const x = b.node('Gemm', [v, b.constant(emb.E, [cfg.m, cfg.N], b.elemType, 'E')], { transB: 1 });
  switch (cfg.task) {
    case 'decoder':
      return { x, target: v };
    case 'abs':
      return { x, target: b.node('Abs', [v]) };
    case 're-projector':
      if (!emb.F) throw new Error('the re-projector task needs the second embedding F');
      return { x, target: b.node('Gemm', [v, b.constant(emb.F, [cfg.m, cfg.N], b.elemType, 'F')], { transB: 1 }) };
  }
}

/**
 * Inputs: `v` (B x N), `lr` (scheduled learning rate), `t` (step number i + 1, for Adam's bias
 * correction), `bias_scale` (1 - decay * lr in the first half, else 1) and the carried tensors.
 * Outputs: `loss` (data loss before the update) and `next_<name>` for every carried tensor.
 */
export function buildStepModel(cfg: RunConfig, emb: Embeddings): Uint8Array {
  const b = new GraphBuilder('float32');
  const B = batchSize(cfg);
  const v = b.input('v', [B, cfg.N]);
  const lr = b.input('lr', []);
  const t = b.input('t', []);
  const biasScale = b.input('bias_scale', []);
  const carried = Object.fromEntries(carriedTensors(cfg).map(({ name, shape }) => [name, b.input(name, shape)]));

  const { x, target } = taskBatch(b, cfg, v, emb);
  const params: Params = { W1: carried.W1!, b1: carried.b1!, W2: carried.W2! };
  const grads = lossAndGradients(b, cfg, B, x, target, params);
  b.output(grads.dataLoss, 'loss', []);

  const shapes = paramShapes(cfg);
  for (const p of PARAM_NAMES) {
    const state = stateNames(cfg.optimizer).map((s) => carried[`${s}_${p}`]!);
    const update = optimizerUpdate(b, cfg, params[p], grads[p], state, { lr, t });
    // Bias decay after the optimiser update (SPEC.md), with the base learning rate (fed in bias_scale).
    const value = p === 'b1' ? b.node('Mul', [update.param, biasScale]) : update.param;
    b.output(value, nextName(p), shapes[p]);
    stateNames(cfg.optimizer).forEach((s, j) => b.output(update.state[j]!, nextName(`${s}_${p}`), shapes[p]));
  }
  return b.encode('train_step');
}
