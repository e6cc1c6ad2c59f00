// One training step as an ONNX model, for R runs of the same shapes side by side: the batch goes
// in as a dense sample v (R x B x N); the task's input and target, the forward and backward pass,
// the optimiser update and the bias decay all run inside ORT. Every tensor has a leading run axis
// (R = 1 for a single run), so one graph serves a run and a vectorised sweep. Parameters and
// optimiser state go in and come out under paired names, so the loop can swap two sets of
// buffers instead of copying tensors through JavaScript.
import { batchSize, outputSize, type RunConfig } from '../config/schema.js';
import { GraphBuilder } from './builder.js';
import { lossAndGradients, type Params } from './model.js';
import { optimizerUpdate, stateNames } from './optimizers.js';

export const PARAM_NAMES = ['W1', 'b1', 'W2'] as const;
export type ParamName = (typeof PARAM_NAMES)[number];

/** One run's parameter shapes (the graph adds the run axis in front). */
export function paramShapes(cfg: RunConfig): Record<ParamName, number[]> {
  return { W1: [cfg.k, cfg.m], b1: [cfg.k], W2: [outputSize(cfg), cfg.k] };
}

/** Every tensor the step carries from one step to the next, for `runs` runs: parameters, then
 * optimiser state, each with the run axis in front. */
export function carriedTensors(cfg: RunConfig, runs: number): { name: string; shape: number[] }[] {
  const shapes = paramShapes(cfg);
  return PARAM_NAMES.flatMap((p) => [
    { name: p, shape: [runs, ...shapes[p]] },
    ...stateNames(cfg.optimizer).map((s) => ({ name: `${s}_${p}`, shape: [runs, ...shapes[p]] })),
  ]);
}

/** Output name under which the step returns the new value of carried tensor `name`. */
export const nextName = (name: string): string => `next_${name}`;

export interface Embeddings {
  E: Float32Array; // m x N
  F?: Float32Array; // m x N, re-projector only
}

/**
 * The fields that must agree for runs to share one step graph: shapes, task, activation,
 * optimiser and step count. Everything else (learning rate, schedule, decay, initial bias,
 * regularisation, frequencies, seed) is per run.
 */
export function graphKey(cfg: RunConfig): string {
  const { N, m, k, log2_batch_size, log2_training_steps, task, nonlinearity, optimizer } = cfg;
  const weightDecay = optimizer === 'adamw' ? cfg.weight_decay : undefined;
  return JSON.stringify({ N, m, k, log2_batch_size, log2_training_steps, task, nonlinearity, optimizer, weightDecay });
}

/** Stacks each run's m x N embedding, transposed, into one R x N x m constant. */
function stackedTransposed(b: GraphBuilder, cfg: RunConfig, embs: ArrayLike<number>[], name: string): string {
  const { N, m } = cfg;
  const out = new Float64Array(embs.length * N * m);
  embs.forEach((E, r) => {
    for (let i = 0; i < m; i++) for (let j = 0; j < N; j++) out[r * N * m + j * m + i] = E[i * N + j]!;
  });
  return b.constant(out, [embs.length, N, m], b.elemType, name);
}

/** The task's input x = v E^T (R x B x m) and target (SPEC.md, Tasks) from dense samples v (R x B x N),
 * each run with its own embeddings. */
export function taskBatch(
  b: GraphBuilder,
  cfg: RunConfig,
  v: string,
  embs: Embeddings[],
): { x: string; target: string } {
  const x = b.node('MatMul', [
    v,
    stackedTransposed(
      b,
      cfg,
      embs.map((e) => e.E),
      'ET',
    ),
  ]);
  switch (cfg.task) {
    case 'decoder':
      return { x, target: v };
    case 'abs':
      return { x, target: b.node('Abs', [v]) };
    case 're-projector': {
      const F = embs.map((e) => {
        if (!e.F) throw new Error('the re-projector task needs the second embedding F');
        return e.F;
      });
      return { x, target: b.node('MatMul', [v, stackedTransposed(b, cfg, F, 'FT')]) };
    }
  }
}

/** How a chunk's steps are laid out: an ONNX Scan over one step's subgraph (any K), or the K steps
 * written out one after another (a model per K), for providers that cannot run Scan themselves. */
export type StepLoop = { kind: 'scan' } | { kind: 'unrolled'; K: number };

/**
 * One step of every run, added to `b`: forward, backward, optimiser update and bias decay. `state`
 * maps each carried tensor to its current value; returns their next values and each run's data
 * loss (R) before the update.
 */
function step(
  b: GraphBuilder,
  runs: RunConfig[],
  state: Record<string, string>,
  batch: { x: string; target: string },
  scalars: { lr: string; t: string; biasScale: string },
): { next: Record<string, string>; loss: string } {
  const cfg = runs[0]!;
  const R = runs.length;
  // A per-run value shaped R x 1 x ... to broadcast against a tensor of the given rank.
  const perRun = (value: string, rank: number) =>
    b.node('Reshape', [value, b.constant([R, ...Array(rank - 1).fill(1)], [rank], 'int64')]);
  const params: Params = { W1: state.W1!, b1: state.b1!, W2: state.W2! };
  const grads = lossAndGradients(
    b,
    { nonlinearity: cfg.nonlinearity, batch: batchSize(cfg), reg: runs.map((r) => r.reg) },
    batch.x,
    batch.target,
    params,
  );
  const next: Record<string, string> = {};
  for (const p of PARAM_NAMES) {
    const rank = paramShapes(cfg)[p].length + 1;
    const names = stateNames(cfg.optimizer);
    const update = optimizerUpdate(
      b,
      cfg,
      params[p],
      grads[p],
      names.map((s) => state[`${s}_${p}`]!),
      { lr: perRun(scalars.lr, rank), t: scalars.t },
      rank,
    );
    // Bias decay after the optimiser update (SPEC.md), with the base learning rate (in bias_scale).
    next[p] = p === 'b1' ? b.node('Mul', [update.param, perRun(scalars.biasScale, 2)]) : update.param;
    names.forEach((s, j) => (next[`${s}_${p}`] = update.state[j]!));
  }
  return { next, loss: grads.dataLoss };
}

/**
 * A chunk of K training steps of R runs as one model, so that parameters and optimiser state stay
 * inside ORT from step to step and cross into JavaScript once per chunk (measured: a per-step call
 * spent ~3 ms of a 26 ms step handing tensors back and forth).
 *
 * Inputs: `v` (R x K x B x N, the chunk's samples: each run's K batches are contiguous, so its
 * sampler fills them in one call and a run's data does not depend on R), per-step `lr` (K x R, each
 * run's scheduled learning rate), `t` (K, step number i + 1, for Adam's bias correction) and
 * `bias_scale` (K x R, 1 - decay * lr in the first half, else 1), and the carried tensors. Outputs:
 * `loss` (K x R data losses, each before its step's update) and `next_<name>` for every carried
 * tensor. The runs must share `graphKey`.
 */
export function buildStepModel(runs: RunConfig[], embs: Embeddings[], loop: StepLoop = { kind: 'scan' }): Uint8Array {
  const cfg = runs[0]!;
  if (runs.some((r) => graphKey(r) !== graphKey(cfg)))
    throw new Error('runs in one step graph must share their shapes, task, activation and optimiser');
  const R = runs.length;
  const B = batchSize(cfg);
  const carried = carriedTensors(cfg, R);
  const outer = new GraphBuilder('float32');
  const K = loop.kind === 'scan' ? 'K' : loop.K;
  outer.input('v', [R, K, B, cfg.N]);
  outer.input('lr', [K, R]);
  outer.input('t', [K]);
  outer.input('bias_scale', [K, R]);
  for (const { name, shape } of carried) outer.input(name, shape);
  if (loop.kind === 'unrolled') {
    unrolledSteps(outer, runs, embs, loop.K);
    return outer.encode('train_chunk');
  }

  // The body is one step; Scan hands it the chunk's arrays one slice at a time (views, not copies).
  const b = new GraphBuilder('float32', 'step_');
  const state = Object.fromEntries(carried.map(({ name, shape }) => [name, b.input(`in_${name}`, shape)]));
  const v = b.input('v_i', [R, B, cfg.N]);
  const scalars = { lr: b.input('lr_i', [R]), t: b.input('t_i', []), biasScale: b.input('bias_scale_i', [R]) };
  const { next, loss } = step(b, runs, state, taskBatch(b, cfg, v, embs), scalars);
  for (const { name, shape } of carried) b.output(next[name]!, `out_${name}`, shape);
  b.output(loss, 'step_loss', [R]);

  const outs = outer.nodeN('Scan', [...carried.map((c) => c.name), 'v', 'lr', 't', 'bias_scale'], carried.length + 1, {
    body: { graph: b.graph('step') },
    num_scan_inputs: 4,
    scan_input_axes: [1, 0, 0, 0],
  });
  carried.forEach(({ name, shape }, j) => outer.output(outs[j]!, nextName(name), shape));
  outer.output(outs[carried.length]!, 'loss', ['K', R]);
  return outer.encode('train_chunk');
}

/** The K steps written out in `b`, whose inputs `buildStepModel` has declared. */
function unrolledSteps(b: GraphBuilder, runs: RunConfig[], embs: Embeddings[], K: number): void {
  const cfg = runs[0]!;
  const R = runs.length;
  const B = batchSize(cfg);
  const carried = carriedTensors(cfg, R);
  const shape = (...dims: number[]) => b.constant(dims, [dims.length], 'int64');
  // The task's input and target for all K steps at once (one product instead of K), then per step.
  const all = taskBatch(b, cfg, b.node('Reshape', ['v', shape(R, K * B, cfg.N)]), embs);
  const x = b.node('Reshape', [all.x, shape(R, K, B, cfg.m)]);
  const target = b.node('Reshape', [all.target, shape(R, K, B, outputSize(cfg))]);
  let state = Object.fromEntries(carried.map(({ name }) => [name, name]));
  const losses: string[] = [];
  for (let j = 0; j < K; j++) {
    const at = (t: string, axis: number) => b.node('Gather', [t, b.scalar(j, 'int64')], { axis });
    const { next, loss } = step(
      b,
      runs,
      state,
      { x: at(x, 1), target: at(target, 1) },
      { lr: at('lr', 0), t: at('t', 0), biasScale: at('bias_scale', 0) },
    );
    losses.push(b.node('Reshape', [loss, shape(1, R)]));
    state = next;
  }
  for (const { name, shape: dims } of carried) b.output(state[name]!, nextName(name), dims);
  b.output(losses.length === 1 ? losses[0]! : b.node('Concat', losses, { axis: 0 }), 'loss', [K, R]);
}
