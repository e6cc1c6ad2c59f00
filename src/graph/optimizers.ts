// Optimiser updates as graph pieces, one parameter tensor at a time. LAMB is SPEC.md's; Adam,
// AdamW and SGD follow PyTorch's definitions, for comparisons.
import type { RunConfig } from '../config/schema.js';
import type { GraphBuilder } from './builder.js';
import { sumOfSquares } from './model.js';

export type OptimizerName = RunConfig['optimizer'];

/** Per-step values the optimisers read: each run's scheduled learning rate, shaped to broadcast
 * against the parameter (R x 1 x ...), and the step number t = i + 1 (a scalar, shared by all runs). */
export interface StepScalars {
  lr: string;
  t: string;
}

export interface Update {
  param: string;
  state: string[];
}

/** Names of the state tensors an optimiser keeps per parameter (zeros at the start). */
export function stateNames(opt: OptimizerName): string[] {
  return opt === 'sgd' ? [] : ['m', 'v'];
}

/** Each run's norm of a parameter-shaped tensor of rank 2 or 3 (run axis first), kept broadcastable. */
function l2norm(b: GraphBuilder, t: string, rank: number): string {
  const squares =
    rank === 3
      ? b.node('Reshape', [sumOfSquares(b, t, 1), b.constant([-1, 1, 1], [3], 'int64')])
      : b.node('ReduceSumSquare', [t], { axes: [1], keepdims: 1 });
  return b.node('Sqrt', [squares]);
}

/** m' = beta1 m + (1 - beta1) g; v' = beta2 v + (1 - beta2) g^2. */
function moments(b: GraphBuilder, g: string, m: string, v: string, beta1: number, beta2: number): [string, string] {
  const m2 = b.node('Add', [b.node('Mul', [m, b.scalar(beta1)]), b.node('Mul', [g, b.scalar(1 - beta1)])]);
  const v2 = b.node('Add', [
    b.node('Mul', [v, b.scalar(beta2)]),
    b.node('Mul', [b.node('Mul', [g, g]), b.scalar(1 - beta2)]),
  ]);
  return [m2, v2];
}

/** LAMB exactly as SPEC.md: no bias correction, trust = min(||w||, 10) / ||u||, or 1 if a norm is 0;
 * the norms are each run's own (w has `rank` axes, the run axis first). */
export function lambUpdate(
  b: GraphBuilder,
  w: string,
  g: string,
  [m, v]: string[],
  s: StepScalars,
  rank: number,
): Update {
  const [m2, v2] = moments(b, g, m!, v!, 0.9, 0.999);
  const u = b.node('Div', [m2, b.node('Add', [b.node('Sqrt', [v2]), b.scalar(1e-6)])]);
  const wNorm = b.node('Min', [l2norm(b, w, rank), b.scalar(10)]);
  const uNorm = l2norm(b, u, rank);
  const zero = b.scalar(0);
  const degenerate = b.node('Or', [b.node('Equal', [wNorm, zero]), b.node('Equal', [uNorm, zero])]);
  const trust = b.node('Where', [degenerate, b.scalar(1), b.node('Div', [wNorm, uNorm])]);
  const param = b.node('Sub', [w, b.node('Mul', [u, b.node('Mul', [s.lr, trust])])]);
  return { param, state: [m2, v2] };
}

/** Adam (PyTorch's defaults: betas 0.9, 0.999, eps 1e-8, bias correction); AdamW decays w first. */
export function adamUpdate(
  b: GraphBuilder,
  w: string,
  g: string,
  [m, v]: string[],
  s: StepScalars,
  weightDecay = 0,
): Update {
  const decayed =
    weightDecay > 0
      ? b.node('Mul', [w, b.node('Sub', [b.scalar(1), b.node('Mul', [s.lr, b.scalar(weightDecay)])])])
      : w;
  const [m2, v2] = moments(b, g, m!, v!, 0.9, 0.999);
  const bc1 = b.node('Sub', [b.scalar(1), b.node('Pow', [b.scalar(0.9), s.t])]);
  const bc2 = b.node('Sub', [b.scalar(1), b.node('Pow', [b.scalar(0.999), s.t])]);
  const denom = b.node('Add', [b.node('Div', [b.node('Sqrt', [v2]), b.node('Sqrt', [bc2])]), b.scalar(1e-8)]);
  const stepSize = b.node('Div', [s.lr, bc1]);
  const param = b.node('Sub', [decayed, b.node('Mul', [b.node('Div', [m2, denom]), stepSize])]);
  return { param, state: [m2, v2] };
}

export function sgdUpdate(b: GraphBuilder, w: string, g: string, s: StepScalars): Update {
  return { param: b.node('Sub', [w, b.node('Mul', [g, s.lr])]), state: [] };
}

export function optimizerUpdate(
  b: GraphBuilder,
  cfg: RunConfig,
  w: string,
  g: string,
  state: string[],
  s: StepScalars,
  rank: number,
): Update {
  switch (cfg.optimizer) {
    case 'lamb':
      return lambUpdate(b, w, g, state, s, rank);
    case 'adam':
      return adamUpdate(b, w, g, state, s);
    case 'adamw':
      return adamUpdate(b, w, g, state, s, cfg.weight_decay);
    case 'sgd':
      return sgdUpdate(b, w, g, s);
  }
}
