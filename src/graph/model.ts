// The paper's two-layer model as graph pieces, for R runs side by side: forward pass, the loss
// (data term + L1 term) and its explicit backward pass. Shared by the training step and the
// float64 gradient tests.
import type { RunConfig } from '../config/schema.js';
import type { GraphBuilder } from './builder.js';

/** Parameter tensors, each with a leading run axis R. */
export interface Params {
  W1: string; // R x k x m
  b1: string; // R x k
  W2: string; // R x out x k
}

export interface Gradients {
  dataLoss: string; // R: sum over batch and outputs / B, per run
  W1: string;
  b1: string;
  W2: string;
}

type Activation = RunConfig['nonlinearity'];

/**
 * erf(x). ORT's Erf kernel is float32 only, so float64 graphs (the gradient tests) use the series
 * erf(x) = 2/sqrt(pi) e^(-x^2) sum_n 2^n x^(2n+1) / (2n+1)!!, whose terms are all positive; with x
 * clipped to [-4, 4] (where 1 - |erf| < 2e-8) 90 terms reach double precision.
 */
function erf(b: GraphBuilder, x: string): string {
  if (b.elemType === 'float32') return b.node('Erf', [x]);
  const xc = b.node('Clip', [x, b.scalar(-4), b.scalar(4)]);
  const x2 = b.node('Mul', [xc, xc]);
  let term = xc;
  let sum = xc;
  for (let n = 1; n < 90; n++) {
    term = b.node('Mul', [term, b.node('Mul', [x2, b.scalar(2 / (2 * n + 1))])]);
    sum = b.node('Add', [sum, term]);
  }
  return b.node('Mul', [sum, b.node('Mul', [b.node('Exp', [b.node('Neg', [x2])]), b.scalar(2 / Math.sqrt(Math.PI))])]);
}

/** h = f(z) and the pieces its derivative needs. */
export function activation(b: GraphBuilder, f: Activation, z: string): { h: string; derivative?: () => string } {
  switch (f) {
    case 'ReLU':
      // ReLU's derivative is a mask, applied directly in `lossAndGradients`.
      return { h: b.node('Relu', [z]) };
    case 'GeLU': {
      // Exact GeLU: z * Phi(z), Phi(z) = (1 + erf(z / sqrt 2)) / 2; f'(z) = Phi(z) + z * phi(z).
      const halfErf = b.node('Mul', [erf(b, b.node('Mul', [z, b.scalar(Math.SQRT1_2)])), b.scalar(0.5)]);
      const Phi = b.node('Add', [halfErf, b.scalar(0.5)]);
      const h = b.node('Mul', [z, Phi]);
      return {
        h,
        derivative: () => {
          const phi = b.node('Mul', [
            b.node('Exp', [b.node('Mul', [b.node('Mul', [z, z]), b.scalar(-0.5)])]),
            b.scalar(1 / Math.sqrt(2 * Math.PI)),
          ]);
          return b.node('Add', [Phi, b.node('Mul', [z, phi])]);
        },
      };
    }
    case 'SoLU': {
      // f(z) = z e^z, f'(z) = e^z + z e^z = e^z + h.
      const ez = b.node('Exp', [z]);
      const h = b.node('Mul', [z, ez]);
      return { h, derivative: () => b.node('Add', [ez, h]) };
    }
  }
}

/** What the model graph needs beyond the tensors: one entry of `reg` per run (the leading axis). */
export interface ModelSpec {
  nonlinearity: Activation;
  batch: number;
  reg: number[];
}

/**
 * Each run's sum of squares of an R x rows x cols tensor (R, or R x 1 with `keepdims`), in two
 * stages: along the rows first, then their sums. A GPU reduces with one workgroup per output value,
 * so reducing a whole run at once would leave one workgroup summing millions of values. Both stages
 * reduce the last axis of a tensor that starts with the run axis, which ORT's CPU kernels sum in
 * the same order whatever R is, so runs trained together stay bit-identical to runs alone.
 */
export function sumOfSquares(b: GraphBuilder, t: string, keepdims: 0 | 1 = 0): string {
  const rows = b.node('ReduceSumSquare', [t], { axes: [2], keepdims: 0 });
  return b.node('ReduceSum', [rows, b.constant([1], [1], 'int64')], { keepdims });
}

/** Swaps the last two axes of a rank-3 tensor: ORT fuses it into the MatMul that reads it. */
const transposed = (b: GraphBuilder, t: string): string => b.node('Transpose', [t], { perm: [0, 2, 1] });

/** z = x W1^T + b1 per run: x (R x B x m), W1 (R x k x m), b1 (R x k). */
function preActivation(b: GraphBuilder, x: string, p: Params, runs: number): string {
  const bias = b.node('Reshape', [p.b1, b.constant([runs, 1, -1], [3], 'int64')]);
  return b.node('Add', [b.node('MatMul', [x, transposed(b, p.W1)]), bias]);
}

/**
 * Forward and backward for one batch of every run at once: x (R x B x m), target (R x B x out),
 * parameters with the same leading run axis. Returns each run's data loss (R) and the gradients of
 * its total loss `L + reg * sum|h| / B`. Runs never mix: every product is batched over the run axis.
 */
export function lossAndGradients(b: GraphBuilder, spec: ModelSpec, x: string, target: string, p: Params): Gradients {
  const R = spec.reg.length;
  const B = spec.batch;
  const z = preActivation(b, x, p, R);
  const { h, derivative } = activation(b, spec.nonlinearity, z);
  const r = b.node('Sub', [b.node('MatMul', [h, transposed(b, p.W2)]), target]);
  const dataLoss = b.node('Div', [sumOfSquares(b, r), b.scalar(B)]);
  // dL/dy = 2 r / B, scaled once and shared by both products that read it.
  const dY = b.node('Mul', [r, b.scalar(2 / B)]);
  const gW2 = b.node('MatMul', [transposed(b, dY), h]);
  let dH = b.node('MatMul', [dY, p.W2]);
  // The L1 term's gradient, reg / B per run; left out of the graph when no run has one.
  const l1 = spec.reg.some((r) => r > 0)
    ? b.constant(
        spec.reg.map((r) => r / B),
        [R, 1, 1],
      )
    : undefined;
  let dZ: string;
  if (spec.nonlinearity === 'ReLU') {
    // d|h|/dh = 1 where h > 0, the same mask as ReLU's own derivative: one mask does both.
    // The mask reads h, not z, so that ORT can fuse the first product with its Relu.
    if (l1) dH = b.node('Add', [dH, l1]);
    const mask = b.node('Cast', [b.node('Greater', [h, b.scalar(0)])], { to: b.elemType === 'float64' ? 11 : 1 });
    dZ = b.node('Mul', [dH, mask]);
  } else {
    if (l1) dH = b.node('Add', [dH, b.node('Mul', [b.node('Sign', [h]), l1])]);
    dZ = b.node('Mul', [dH, derivative!()]);
  }
  const gW1 = b.node('MatMul', [transposed(b, dZ), x]);
  // Column sums as a vector-matrix product: measured faster than ReduceSum over the batch axis on
  // the CPU, and summed in the same order whatever R is (ReduceSum over a middle axis is not).
  const colSums = b.node('MatMul', [b.constant(new Array(B).fill(1), [1, 1, B]), dZ]);
  const gb1 = b.node('Reshape', [colSums, b.constant([R, -1], [2], 'int64')]);
  return { dataLoss, W1: gW1, b1: gb1, W2: gW2 };
}

/** Each run's total loss (data + L1), forward only: the finite-difference tests differentiate this. */
export function totalLoss(b: GraphBuilder, spec: ModelSpec, x: string, target: string, p: Params): string {
  const R = spec.reg.length;
  const { h } = activation(b, spec.nonlinearity, preActivation(b, x, p, R));
  const r = b.node('Sub', [b.node('MatMul', [h, transposed(b, p.W2)]), target]);
  const data = b.node('ReduceSumSquare', [r], { axes: [1, 2], keepdims: 0 });
  const l1 = b.node('Mul', [b.node('ReduceL1', [h], { axes: [1, 2], keepdims: 0 }), b.constant(spec.reg, [R])]);
  return b.node('Div', [b.node('Add', [data, l1]), b.scalar(spec.batch)]);
}
