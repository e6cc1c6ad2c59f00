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
 * A chunk of K training steps as one model: an ONNX Scan whose body is one step, so that
 * parameters and optimiser state stay inside ORT from step to step and cross into JavaScript once
 * per chunk (measured: a per-step call spent ~3 ms of a 26 ms step handing tensors back and forth).
 *
 * Inputs: `v` (K x B x N, the chunk's samples), per-step `lr` (scheduled learning rate), `t` (step
 * number i + 1, for Adam's bias correction) and `bias_scale` (1 - decay * lr in the first half,
 * else 1), each of length K, and the carried tensors. Outputs: `loss` (K data losses, each before
 * its step's update) and `next_<name>` for every carried tensor.
 */
export function buildStepModel(cfg: RunConfig, emb: Embeddings): Uint8Array {
  const B = batchSize(cfg);
  const carried = carriedTensors(cfg);
  const outer = new GraphBuilder('float32');
  outer.input('v', ['K', B, cfg.N]);
  outer.input('lr', ['K']);
  outer.input('t', ['K']);
  outer.input('bias_scale', ['K']);
  for (const { name, shape } of carried) outer.input(name, shape);

  // The body is one step; Scan hands it the chunk's arrays one slice at a time (views, not copies).
  const b = new GraphBuilder('float32', 'step_');
  const state = Object.fromEntries(carried.map(({ name, shape }) => [name, b.input(`in_${name}`, shape)]));
  const v = b.input('v_i', [B, cfg.N]);
  const scalars = { lr: b.input('lr_i', []), t: b.input('t_i', []) };
  const biasScale = b.input('bias_scale_i', []);
  const { x, target } = taskBatch(b, cfg, v, emb);
  const params: Params = { W1: state.W1!, b1: state.b1!, W2: state.W2! };
  const grads = lossAndGradients(b, cfg, B, x, target, params);
  const shapes = paramShapes(cfg);
  for (const p of PARAM_NAMES) {
    const st = stateNames(cfg.optimizer).map((s) => state[`${s}_${p}`]!);
    const update = optimizerUpdate(b, cfg, params[p], grads[p], st, scalars);
    // Bias decay after the optimiser update (SPEC.md), with the base learning rate (in bias_scale).
    const value = p === 'b1' ? b.node('Mul', [update.param, biasScale]) : update.param;
    b.output(value, `out_${p}`, shapes[p]);
    stateNames(cfg.optimizer).forEach((s, j) => b.output(update.state[j]!, `out_${s}_${p}`, shapes[p]));
  }
  b.output(grads.dataLoss, 'step_loss', []);

  const outs = outer.nodeN('Scan', [...carried.map((c) => c.name), 'v', 'lr', 't', 'bias_scale'], carried.length + 1, {
    body: { graph: b.graph('step') },
    num_scan_inputs: 4,
  });
  carried.forEach(({ name, shape }, j) => outer.output(outs[j]!, nextName(name), shape));
  outer.output(outs[carried.length]!, 'loss', ['K']);
  return outer.encode('train_chunk');
}
