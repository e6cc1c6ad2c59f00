// One training step of SPEC.md in float64, written from SPEC.md with plain loops (no ORT, nothing
// from src/graph or src/train): the oracle every engine is checked against (harness.ts). Adam,
// AdamW and SGD follow PyTorch's definitions (torch.optim), as the README promises.
//
// Layout, row-major, one run: W1 k x m, b1 k, W2 out x k, E and F m x N, a batch v B x N.
import type { RunConfig } from '../../src/config/schema.js';

export interface RefState {
  W1: Float64Array;
  b1: Float64Array;
  W2: Float64Array;
  /** First and second moments per parameter (absent for SGD). */
  m?: { W1: Float64Array; b1: Float64Array; W2: Float64Array };
  v?: { W1: Float64Array; b1: Float64Array; W2: Float64Array };
}

const PARAMS = ['W1', 'b1', 'W2'] as const;

/** erf(x) to double precision: the Maclaurin series for |x| < 3, the continued fraction of erfc beyond. */
export function erf(x: number): number {
  const a = Math.abs(x);
  if (a < 3) {
    // erf x = 2/sqrt(pi) sum_n (-1)^n x^(2n+1) / (n! (2n+1)); at |x| < 3 terms fall below 1e-17 by n = 60.
    let term = x;
    let sum = x;
    for (let n = 1; n < 80; n++) {
      term *= (-x * x) / n;
      sum += term / (2 * n + 1);
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc a = exp(-a^2)/sqrt(pi) * 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + 2/(a + ...))))), evaluated bottom up.
  let f = a;
  for (let n = 60; n >= 1; n--) f = a + n / 2 / f;
  const erfc = Math.exp(-a * a) / Math.sqrt(Math.PI) / f;
  return Math.sign(x) * (1 - erfc);
}

/** f and f' of SPEC.md's activations. */
export function act(f: RunConfig['nonlinearity'], z: number): { h: number; dh: number } {
  switch (f) {
    case 'ReLU':
      return { h: z > 0 ? z : 0, dh: z > 0 ? 1 : 0 };
    case 'GeLU': {
      const Phi = 0.5 * (1 + erf(z / Math.SQRT2));
      const phi = Math.exp((-z * z) / 2) / Math.sqrt(2 * Math.PI);
      return { h: z * Phi, dh: Phi + z * phi };
    }
    case 'SoLU':
      return { h: z * Math.exp(z), dh: Math.exp(z) * (1 + z) };
  }
}

/** The learning rate step i uses: the paper's cosine with period 1024 (T_max 512), one cosine over
 * the run, or constant; then a linear warm-up over the first warmup_steps steps. */
export function lrAt(cfg: RunConfig, i: number): number {
  const T = 2 ** cfg.log2_training_steps;
  const base = cfg.learning_rate;
  let lr =
    cfg.schedule === 'paper'
      ? (base * (1 + Math.cos((Math.PI * (i % 1024)) / 512))) / 2
      : cfg.schedule === 'cosine'
        ? (base * (1 + Math.cos((Math.PI * i) / T))) / 2
        : base;
  if (i < cfg.warmup_steps) lr *= (i + 1) / cfg.warmup_steps;
  return lr;
}

/** The task's input x = E v (length m) and target of one sample v. */
function sampleIO(
  cfg: RunConfig,
  E: Float64Array,
  F: Float64Array | undefined,
  v: Float64Array,
): { x: Float64Array; target: Float64Array } {
  const { N, m } = cfg;
  const embed = (M: Float64Array) => {
    const out = new Float64Array(m);
    for (let i = 0; i < m; i++) for (let j = 0; j < N; j++) out[i] += M[i * N + j]! * v[j]!;
    return out;
  };
  const x = embed(E);
  if (cfg.task === 'decoder') return { x, target: v };
  if (cfg.task === 'abs') return { x, target: v.map(Math.abs) };
  return { x, target: embed(F!) };
}

/** Data loss (before the update) and the gradients of the total loss L + reg sum|h| / B. */
export function lossAndGradients(
  cfg: RunConfig,
  p: RefState,
  E: Float64Array,
  F: Float64Array | undefined,
  batch: Float64Array,
) {
  const { N, m, k } = cfg;
  const out = cfg.task === 're-projector' ? m : N;
  const B = batch.length / N;
  const g = { W1: new Float64Array(k * m), b1: new Float64Array(k), W2: new Float64Array(out * k) };
  let loss = 0;
  const z = new Float64Array(k);
  const h = new Float64Array(k);
  const dfz = new Float64Array(k);
  const r = new Float64Array(out);
  for (let s = 0; s < B; s++) {
    const { x, target } = sampleIO(cfg, E, F, batch.subarray(s * N, (s + 1) * N));
    for (let n = 0; n < k; n++) {
      let acc = p.b1[n]!;
      for (let i = 0; i < m; i++) acc += p.W1[n * m + i]! * x[i]!;
      z[n] = acc;
      const a = act(cfg.nonlinearity, acc);
      h[n] = a.h;
      dfz[n] = a.dh;
    }
    for (let o = 0; o < out; o++) {
      let y = 0;
      for (let n = 0; n < k; n++) y += p.W2[o * k + n]! * h[n]!;
      r[o] = y - target[o]!;
      loss += r[o]! ** 2;
    }
    for (let n = 0; n < k; n++) {
      // dL/dh_n = sum_o 2 r_o W2[o, n] / B, plus the L1 term's reg sign(h_n) / B.
      let dh = (cfg.reg * Math.sign(h[n]!)) / B;
      for (let o = 0; o < out; o++) {
        dh += (2 * r[o]! * p.W2[o * k + n]!) / B;
        g.W2[o * k + n] += (2 * r[o]! * h[n]!) / B;
      }
      const dz = dh * dfz[n]!;
      g.b1[n] += dz;
      for (let i = 0; i < m; i++) g.W1[n * m + i] += dz * x[i]!;
    }
  }
  return { loss: loss / B, grads: g };
}

const norm = (a: Float64Array) => Math.sqrt(a.reduce((s, x) => s + x * x, 0));

/**
 * Step i of a run on one batch (B x N): returns the data loss before the update and the state
 * after the update and the bias decay. `state` is not modified.
 */
export function referenceStep(
  cfg: RunConfig,
  state: RefState,
  E: Float64Array,
  F: Float64Array | undefined,
  batch: Float64Array,
  i: number,
): { loss: number; state: RefState } {
  const { loss, grads } = lossAndGradients(cfg, state, E, F, batch);
  const lr = lrAt(cfg, i);
  const next: RefState = { W1: state.W1.slice(), b1: state.b1.slice(), W2: state.W2.slice() };
  if (cfg.optimizer !== 'sgd') {
    next.m = { W1: state.m!.W1.slice(), b1: state.m!.b1.slice(), W2: state.m!.W2.slice() };
    next.v = { W1: state.v!.W1.slice(), b1: state.v!.b1.slice(), W2: state.v!.W2.slice() };
  }
  for (const p of PARAMS) {
    const w = next[p];
    const g = grads[p];
    if (cfg.optimizer === 'sgd') {
      for (let j = 0; j < w.length; j++) w[j] -= lr * g[j]!;
      continue;
    }
    const mo = next.m![p];
    const ve = next.v![p];
    for (let j = 0; j < w.length; j++) {
      mo[j] = 0.9 * mo[j]! + 0.1 * g[j]!;
      ve[j] = 0.999 * ve[j]! + 0.001 * g[j]! ** 2;
    }
    if (cfg.optimizer === 'lamb') {
      // SPEC.md: no bias correction, eps after the square root, trust min(||w||, 10) / ||u||, or 1.
      const u = mo.map((mj, j) => mj / (Math.sqrt(ve[j]!) + 1e-6));
      const wn = Math.min(norm(w), 10);
      const un = norm(u);
      const trust = wn === 0 || un === 0 ? 1 : wn / un;
      for (let j = 0; j < w.length; j++) w[j] -= lr * trust * u[j]!;
    } else {
      // torch.optim.Adam / AdamW (betas 0.9, 0.999, eps 1e-8); AdamW first multiplies w by 1 - lr wd.
      const t = i + 1;
      if (cfg.optimizer === 'adamw') for (let j = 0; j < w.length; j++) w[j] *= 1 - lr * cfg.weight_decay;
      const bc1 = 1 - 0.9 ** t;
      const bc2 = 1 - 0.999 ** t;
      for (let j = 0; j < w.length; j++) w[j] -= (lr / bc1) * (mo[j]! / (Math.sqrt(ve[j]!) / Math.sqrt(bc2) + 1e-8));
    }
  }
  // Bias decay after the update, with the base learning rate, in the first half of the run only.
  if (i < 2 ** cfg.log2_training_steps / 2)
    for (let n = 0; n < cfg.k; n++) next.b1[n] *= 1 - cfg.decay * cfg.learning_rate;
  return { loss, state: next };
}
