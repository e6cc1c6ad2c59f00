// The kernels of one training step, in dispatch order, for runs laid out as `engineLayout` says:
//   1 first layer   x = E v (and F v)                       from the sample lists
//   2 forward       h = f(x W1^T + b1)                      gemm + activation epilogue
//   3 output        dy = 2 (h W2^T - target) / B, loss sums  gemm + residual epilogue
//   4 backward      dz = (dy W2 + l1 sign h) f'(z), db1 sums gemm + activation epilogue
//   5 dW2 = dy^T h  6 dW1 = dz^T x                          K-sliced gemms
//   7 optimiser     (LAMB: norms, then update)              all three tensors in one dispatch
// so 7 dispatches a step (8 for LAMB), and one loss reduction per chunk.
// Buffers are bound by name: X, TG (the re-projector's target), H, ZD (z, then dz), DY; W1, b1,
// W2 (regions of P); P, M, V; G and its regions gW1, gb1, gW2; l1 (reg / B per run), sched (lr and
// bias scale per step and run), norms, lossPart, losses; ET, FT; count, index, value (the lists).
import type { RunConfig } from '../config/schema.js';
import { PARAM_NAMES } from '../graph/step.js';
import { backwardEpilogue, forwardEpilogue, type Epilogue } from './kernels/activation.js';
import { firstLayerGrid, firstLayerKernel } from './kernels/first-layer.js';
import { lossReduceKernel, residualEpilogue, type LossShape } from './kernels/loss.js';
import { gemmGrid, gemmKernel, type Gemm, type Operand, type Reduction } from './kernels/matmul.js';
import { normFloats, optimizerGrid, optimizerKernels } from './kernels/optimizer.js';
import type { EngineLayout, Product } from './layout.js';
import { readWrite, type Kernel } from './pipelines.js';

export interface StepKernel {
  kernel: Kernel;
  grid: [number, number, number];
  /** Whether it reads the sample lists (bound per sample source). */
  lists: boolean;
  /** For the roofline (bench:gpu): what it computes, and its floating-point operations and the bytes
   * it must move at the least (each operand read once, each result written once), all runs. */
  name: string;
  flops: number;
  bytes: number;
}

function gemm(
  name: string,
  L: EngineLayout,
  p: Product,
  a: Operand,
  b: Operand,
  e: Epilogue,
  reduce: Reduction = { kind: 'none' },
  step = false,
): StepKernel {
  const g: Gemm = { ...p, runs: L.runs, a, b, ...e, reduce, step };
  const cost = { flops: 2 * p.M * p.N * p.K * L.runs, bytes: 4 * (p.M * p.K + p.K * p.N + p.M * p.N) * L.runs };
  return { kernel: gemmKernel(g), grid: gemmGrid(g), lists: false, name, ...cost };
}

/** An operand of `ld` floats a row, `rows` rows a run. */
const operand = (name: string, kContiguous: boolean, ld: number, rows: number): Operand => ({
  name,
  kContiguous,
  ld,
  runStride: ld * rows,
});

/** dW = the K-slice's partial product, stored [slice][run][M][N] into gradient region `name`. */
function partialStore(L: EngineLayout, name: string, p: Product): Epilogue {
  return {
    bindings: [readWrite(name)],
    epilogue: `fn epilogue(run: u32, slice: u32, row: u32, col: u32, v: f32) -> f32 {
  ${name}[((slice * ${L.runs}u + run) * ${p.M}u + row) * ${p.N}u + col] = v;
  return 0.0;
}`,
  };
}

export interface StepKernels {
  step: StepKernel[];
  lossReduce: Kernel;
  /** Floats of scratch the kernels need: loss sums per step (times the chunk's steps), norm sums. */
  lossPartPerStep: number;
  norms: number;
}

export function stepKernels(cfg: RunConfig, L: EngineLayout): StepKernels {
  const { runs, B, N, m, k, out, capacity, products: P } = L;
  const shape = { B, k };
  const yTiles = [Math.ceil(P.y.N / P.y.tile.TN), Math.ceil(P.y.M / P.y.tile.TM)] as const;
  const loss: LossShape = { runs, B, out, capacity, tiles: yTiles[0] * yTiles[1], tilesX: yTiles[0] };
  const residual = residualEpilogue(cfg.task, loss);
  const first = { runs, B, N, m, capacity, reproject: cfg.task === 're-projector' };
  const optimizer = {
    runs,
    sizes: PARAM_NAMES.map((p) => L.sizes[p]),
    offsets: PARAM_NAMES.map((p) => L.params[p].offset),
    gradOffsets: PARAM_NAMES.map((p) => L.grads[p].offset),
    parts: PARAM_NAMES.map((p) => L.grads[p].parts),
  };
  const backward = backwardEpilogue(cfg.nonlinearity, shape);
  // The first layer reads each sample's list and a column of E per listed feature, and writes x.
  const firstCost = { flops: 2 * runs * B * capacity * m, bytes: 4 * runs * B * (2 * capacity + m) };
  const params = PARAM_NAMES.reduce((n, p) => n + L.sizes[p], 0) * runs;
  // The optimiser reads each gradient part and P (and M, V), and writes P (and M, V).
  const moments = cfg.optimizer === 'sgd' ? 0 : 2;
  const optimizerCost = {
    flops: 15 * params,
    bytes: 4 * (PARAM_NAMES.reduce((n, p) => n + L.grads[p].length, 0) + 2 * (1 + moments) * params),
  };
  return {
    step: [
      {
        kernel: firstLayerKernel(first),
        grid: firstLayerGrid(first),
        lists: true,
        name: 'first layer x = E v',
        ...firstCost,
      },
      gemm(
        'forward h = f(W1 x + b1)',
        L,
        P.z,
        operand('X', true, m, B),
        operand('W1', true, m, k),
        forwardEpilogue(cfg.nonlinearity, shape),
      ),
      {
        ...gemm(
          'output y = W2 h, loss, dy',
          L,
          P.y,
          operand('H', true, k, B),
          operand('W2', true, k, out),
          residual,
          { kind: 'sum', store: residual.store },
          true,
        ),
        lists: cfg.task !== 're-projector',
      },
      gemm(
        "backward dz = f'(z) W2^T dy, db1",
        L,
        P.dh,
        operand('DY', true, out, B),
        operand('W2', false, k, out),
        { bindings: [...backward.bindings, readWrite('gb1')], epilogue: backward.epilogue },
        { kind: 'columns', store: `gb1[(wg.y * ${runs}u + run) * ${k}u + gcol] = total;` },
      ),
      gemm(
        'dW2 = dy^T h',
        L,
        P.dW2,
        operand('DY', false, out, B),
        operand('H', false, k, B),
        partialStore(L, 'gW2', P.dW2),
      ),
      gemm(
        'dW1 = dz^T x',
        L,
        P.dW1,
        operand('ZD', false, k, B),
        operand('X', false, m, B),
        partialStore(L, 'gW1', P.dW1),
      ),
      ...optimizerKernels(cfg, optimizer).map((kernel, i, all) => ({
        kernel,
        grid: optimizerGrid(optimizer),
        lists: false,
        name: all.length === 1 ? `${cfg.optimizer} update` : i === 0 ? 'LAMB norms' : 'LAMB update',
        // LAMB's norms read P and the gradients; its update does the rest.
        ...(all.length === 1 ? optimizerCost : { flops: optimizerCost.flops / 2, bytes: optimizerCost.bytes / 2 }),
      })),
    ],
    lossReduce: lossReduceKernel(loss),
    lossPartPerStep: runs * loss.tiles,
    norms: normFloats(optimizer),
  };
}
