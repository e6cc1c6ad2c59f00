// The paper's two-layer model as graph pieces: forward pass, the loss (data term + L1 term) and
// its explicit backward pass. Shared by the training step and the float64 gradient tests.
import type { RunConfig } from '../config/schema.js';
import { FloatAttr, type GraphBuilder } from './builder.js';

export interface Params {
  W1: string; // k x m
  b1: string; // k
  W2: string; // out x k
}

export interface Gradients {
  dataLoss: string; // scalar, sum over batch and outputs / B
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
          const phi = b.node('Mul', [b.node('Exp', [b.node('Mul', [b.node('Mul', [z, z]), b.scalar(-0.5)])]), b.scalar(1 / Math.sqrt(2 * Math.PI))]);
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

/**
 * Forward and backward for one batch: x (B x m), target (B x out). Returns the data loss and the
 * gradients of the total loss `L + reg * sum|h| / B`.
 */
export function lossAndGradients(b: GraphBuilder, cfg: RunConfig, batch: number, x: string, target: string, p: Params): Gradients {
  const z = b.node('Gemm', [x, p.W1, p.b1], { transB: 1 });
  const { h, derivative } = activation(b, cfg.nonlinearity, z);
  // r = y - target in one Gemm: h W2^T - target.
  const r = b.node('Gemm', [h, p.W2, target], { transB: 1, alpha: new FloatAttr(1), beta: new FloatAttr(-1) });
  const dataLoss = b.node('Div', [b.node('ReduceSumSquare', [r], { keepdims: 0 }), b.scalar(batch)]);
  // dL/dy = 2 r / B: the factor rides in the Gemms' alpha instead of a pass over r.
  const scale = new FloatAttr(2 / batch);
  const gW2 = b.node('Gemm', [r, h], { transA: 1, alpha: scale });
  let dH = b.node('Gemm', [r, p.W2], { alpha: scale });
  const l1 = cfg.reg / batch;
  let dZ: string;
  if (cfg.nonlinearity === 'ReLU') {
    // d|h|/dh = 1 where h > 0, the same mask as ReLU's own derivative: one Where does both.
    // The mask reads h, not z, so that ORT can fuse the first Gemm with its Relu.
    if (l1 > 0) dH = b.node('Add', [dH, b.scalar(l1)]);
    const mask = b.node('Cast', [b.node('Greater', [h, b.scalar(0)])], { to: b.elemType === 'float64' ? 11 : 1 });
    dZ = b.node('Mul', [dH, mask]);
  } else {
    if (l1 > 0) dH = b.node('Add', [dH, b.node('Mul', [b.node('Sign', [h]), b.scalar(l1)])]);
    dZ = b.node('Mul', [dH, derivative!()]);
  }
  const gW1 = b.node('Gemm', [dZ, x], { transA: 1 });
  // Column sums as a matrix-vector product: measured faster than ReduceSum over axis 0.
  const gb1 = b.node('MatMul', [b.constant(new Array(batch).fill(1), [batch]), dZ]);
  return { dataLoss, W1: gW1, b1: gb1, W2: gW2 };
}

/** Total loss (data + L1), forward only: the finite-difference tests differentiate this. */
export function totalLoss(b: GraphBuilder, cfg: RunConfig, batch: number, x: string, target: string, p: Params): string {
  const z = b.node('Gemm', [x, p.W1, p.b1], { transB: 1 });
  const { h } = activation(b, cfg.nonlinearity, z);
  const r = b.node('Gemm', [h, p.W2, target], { transB: 1, alpha: new FloatAttr(1), beta: new FloatAttr(-1) });
  const data = b.node('ReduceSumSquare', [r], { keepdims: 0 });
  const l1 = b.node('Mul', [b.node('ReduceL1', [h], { keepdims: 0 }), b.scalar(cfg.reg)]);
  return b.node('Div', [b.node('Add', [data, l1]), b.scalar(batch)]);
}
