// The optimiser step for all three parameters of every run in one or two dispatches of (X, 3, R)
// workgroups (y = parameter: W1, b1, W2; z = run), each workgroup 1024 elements of one tensor.
// Parameters, first and second moments live in three flat buffers (P, M, V) with the same layout,
// W1 | b1 | W2, each tensor's runs back to back; gradients arrive as partial sums (the K-slices of
// dW1 and dW2, the batch tiles of db1) and are added here as they are read.
// LAMB (SPEC.md) needs each run's tensor norms before any weight moves: the first pass updates the
// moments and writes per-workgroup sums of w^2 and u^2; the second adds a tensor's sums (a few
// hundred at most), forms the trust ratio and updates. Adam, AdamW and SGD are one pass. Bias decay
// (b1 *= 1 - decay * lr, the factor precomputed per step and run) follows the update.
// Per step and run, for the P parameters (k m + k + out k): LAMB reads (parts + 4) P and writes 3 P
// floats; Adam reads (parts + 3) P, writes 3 P; ~15 FLOPs per element.
import type { RunConfig } from '../../config/schema.js';
import { f32, read, readWrite, treeSum, type Kernel } from '../pipelines.js';

export interface OptimizerShape {
  runs: number;
  /** Per parameter (W1, b1, W2): one run's size, the offset of its first run in P, M and V, and
   * of its first partial gradient in G, and its number of partials (stacked [part][run][size]). */
  sizes: number[];
  offsets: number[];
  gradOffsets: number[];
  parts: number[];
}

/** Elements per workgroup, and threads: 64 threads of 16 elements each keep the norm reductions
 * short (6 barriers) and the partial norms few (one per 1024 elements). */
const PER_GROUP = 1024;
const WG = 64;

export function optimizerGrid(s: OptimizerShape): [number, number, number] {
  return [Math.ceil(Math.max(...s.sizes) / PER_GROUP), 3, s.runs];
}

/** Floats of LAMB's norm sums: w^2 and u^2 per workgroup. */
export const normFloats = (s: OptimizerShape): number => optimizerGrid(s).reduce((a, b) => a * b, 2);

const u32s = (xs: number[]) => `array<u32, 3>(${xs.map((x) => `${x}u`).join(', ')})`;

interface Parts {
  /** Code before the element loop, per element (with `at`, the element's index in P, M and V, and
   * `t`, the tensor), and after it. */
  before?: string;
  body: string;
  after?: string;
  /** Workgroup memory for a reduction. */
  red?: boolean;
  /** Whether the pass reads the gradient (`grad(t, run, e)`, the sum of its partials). */
  grad: boolean;
}

function kernelCode(s: OptimizerShape, k: Parts): string {
  const grad = `fn grad(t: u32, run: u32, e: u32) -> f32 {
  var g = 0.0;
  for (var p = 0u; p < PARTS[t]; p++) { g += G[GRAD[t] + (p * ${s.runs}u + run) * SIZE[t] + e]; }
  return g;
}`;
  return `
const SIZE = ${u32s(s.sizes)};
const OFFSET = ${u32s(s.offsets)};
const GRAD = ${u32s(s.gradOffsets)};
const PARTS = ${u32s(s.parts)};
${k.red ? `var<workgroup> red: array<vec2<f32>, ${WG}>;` : ''}
${k.grad ? grad : ''}

@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let t = wg.y;
  let run = wg.z;
  let size = SIZE[t];
  let base = wg.x * ${PER_GROUP}u;
  if (base >= size) { return; }
  ${k.before ?? ''}
  for (var q = 0u; q < ${PER_GROUP / WG}u; q++) {
    let e = base + q * ${WG}u + li;
    if (e < size) {
      let at = OFFSET[t] + run * size + e;
      ${k.body}
    }
  }
  ${k.after ?? ''}
}`;
}

/** Where each workgroup's norm sums go: [tensor][run][workgroup x]. */
const normAt = (s: OptimizerShape, x: string) => `(t * ${s.runs}u + run) * ${optimizerGrid(s)[0]}u + ${x}`;

const MOMENTS = `let g = grad(t, run, e);
      let m = 0.9 * M[at] + 0.1 * g;
      let v = 0.999 * V[at] + 0.001 * g * g;
      M[at] = m;
      V[at] = v;`;

const DECAY = 'if (t == 1u) { w *= sc.y; }';
const SCHED = (s: OptimizerShape) => `let sc = sched[step.j * ${s.runs}u + run];`;

/** LAMB's first pass: moments, and the workgroup's sums of w^2 and u^2 with u = m / (sqrt(v) + 1e-6). */
function lambNorms(s: OptimizerShape): Kernel {
  return {
    bindings: [read('P'), readWrite('M'), readWrite('V'), read('G'), readWrite('norms', 'array<vec2<f32>>')],
    step: false,
    code: kernelCode(s, {
      grad: true,
      red: true,
      before: 'var sums = vec2<f32>();',
      body: `${MOMENTS}
      let u = m / (sqrt(v) + 1e-6);
      let w = P[at];
      sums += vec2<f32>(w * w, u * u);`,
      after: `red[li] = sums;
  ${treeSum(WG)}
  if (li == 0u) { norms[${normAt(s, 'wg.x')}] = red[0]; }`,
    }),
  };
}

/** LAMB's second pass: trust = min(||w||, 10) / ||u|| (1 where a norm is 0), w -= lr trust u. */
function lambUpdate(s: OptimizerShape): Kernel {
  return {
    bindings: [
      readWrite('P'),
      read('M'),
      read('V'),
      read('norms', 'array<vec2<f32>>'),
      read('sched', 'array<vec2<f32>>'),
    ],
    step: true,
    code: kernelCode(s, {
      grad: false,
      red: true,
      before: `var sums = vec2<f32>();
  for (var p = li; p < (size + ${PER_GROUP - 1}u) / ${PER_GROUP}u; p += ${WG}u) { sums += norms[${normAt(s, 'p')}]; }
  red[li] = sums;
  ${treeSum(WG)}
  let wn = min(sqrt(red[0].x), 10.0);
  let un = sqrt(red[0].y);
  let trust = select(wn / un, 1.0, wn == 0.0 || un == 0.0);
  ${SCHED(s)}`,
      body: `var w = P[at] - sc.x * trust * (M[at] / (sqrt(V[at]) + 1e-6));
      ${DECAY}
      P[at] = w;`,
    }),
  };
}

/** torch.optim.Adam (eps 1e-8, bias corrections from the step uniform); AdamW first scales w by
 * 1 - lr weight_decay. */
function adamStep(s: OptimizerShape, weightDecay?: number): Kernel {
  return {
    bindings: [readWrite('P'), readWrite('M'), readWrite('V'), read('G'), read('sched', 'array<vec2<f32>>')],
    step: true,
    code: kernelCode(s, {
      grad: true,
      before: SCHED(s),
      body: `${MOMENTS}
      var w = P[at];
      ${weightDecay === undefined ? '' : `w *= 1.0 - sc.x * ${f32(weightDecay)};`}
      w -= (sc.x / step.bc1) * (m / (sqrt(v) / step.sbc2 + 1e-8));
      ${DECAY}
      P[at] = w;`,
    }),
  };
}

function sgdStep(s: OptimizerShape): Kernel {
  return {
    bindings: [readWrite('P'), read('G'), read('sched', 'array<vec2<f32>>')],
    step: true,
    code: kernelCode(s, {
      grad: true,
      before: SCHED(s),
      body: `var w = P[at] - sc.x * grad(t, run, e);
      ${DECAY}
      P[at] = w;`,
    }),
  };
}

/** The kernels of one optimiser step, in dispatch order, all on `optimizerGrid`. */
export function optimizerKernels(cfg: RunConfig, s: OptimizerShape): Kernel[] {
  switch (cfg.optimizer) {
    case 'lamb':
      return [lambNorms(s), lambUpdate(s)];
    case 'adam':
      return [adamStep(s)];
    case 'adamw':
      return [adamStep(s, cfg.weight_decay)];
    case 'sgd':
      return [sgdStep(s)];
  }
}
