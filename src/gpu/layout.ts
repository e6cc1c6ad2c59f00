// Where the WebGPU engine keeps everything, for R runs of one `graphKey`: parameters and moments in
// flat buffers (W1 | b1 | W2, each tensor's runs back to back, so each tensor is a carried tensor
// of step.ts as it stands), the gradients' partial sums, and the shapes, tiles and K-slices of the
// five products of a step.
import { batchSize, outputSize, type RunConfig } from '../config/schema.js';
import { PARAM_NAMES, paramShapes, type ParamName } from '../graph/step.js';
import { slicesFor, tileFor, type Tile } from './kernels/matmul.js';

/** Floats in 256 bytes, WebGPU's storage-binding offset alignment: every region starts on one. */
const ALIGN = 64;

/** A part of a flat buffer, in floats. */
export interface Region {
  offset: number;
  length: number;
}

export interface Product {
  M: number;
  N: number;
  K: number;
  tile: Tile;
  slices: number;
  sliceLength: number;
}

export interface EngineLayout {
  runs: number;
  B: number;
  N: number;
  m: number;
  k: number;
  out: number;
  /** List slots per sample. */
  capacity: number;
  /** One run's size of each parameter. */
  sizes: Record<ParamName, number>;
  /** Each parameter's R runs in P, M and V. */
  params: Record<ParamName, Region>;
  paramFloats: number;
  /** Each gradient's partial sums in G, [part][run][size]. */
  grads: Record<ParamName, Region & { parts: number }>;
  gradFloats: number;
  products: Record<'z' | 'y' | 'dh' | 'dW2' | 'dW1', Product>;
}

/** Regions of the given lengths, back to back, each aligned. */
function pack(lengths: number[]): { regions: Region[]; total: number } {
  let total = 0;
  const regions = lengths.map((length) => {
    const offset = total;
    total += Math.ceil(length / ALIGN) * ALIGN;
    return { offset, length };
  });
  return { regions, total };
}

/** A product C (M x N) = A (M x K) B (K x N); those reducing over the batch are split along K. */
function product(M: number, N: number, K: number, split: boolean): Product {
  const tile = tileFor(M, N);
  const { slices, sliceLength } = split
    ? slicesFor(M, N, K, tile)
    : { slices: 1, sliceLength: Math.ceil(K / tile.TK) * tile.TK };
  return { M, N, K, tile, slices, sliceLength };
}

export function engineLayout(cfg: RunConfig, runs: number, capacity: number): EngineLayout {
  const { N, m, k } = cfg;
  const B = batchSize(cfg);
  const out = outputSize(cfg);
  const shapes = paramShapes(cfg);
  const sizes = Object.fromEntries(PARAM_NAMES.map((p) => [p, shapes[p].reduce((a, b) => a * b, 1)])) as Record<
    ParamName,
    number
  >;
  const products = {
    z: product(B, k, m, false),
    y: product(B, out, k, false),
    dh: product(B, k, out, false),
    dW2: product(out, k, B, true),
    dW1: product(k, m, B, true),
  };
  // db1 is summed per row tile of dh's epilogue; dW1 and dW2 per K-slice.
  const parts: Record<ParamName, number> = {
    W1: products.dW1.slices,
    b1: Math.ceil(B / products.dh.tile.TM),
    W2: products.dW2.slices,
  };
  const p = pack(PARAM_NAMES.map((name) => runs * sizes[name]));
  const g = pack(PARAM_NAMES.map((name) => parts[name] * runs * sizes[name]));
  return {
    runs,
    B,
    N,
    m,
    k,
    out,
    capacity,
    sizes,
    params: Object.fromEntries(PARAM_NAMES.map((name, i) => [name, p.regions[i]!])) as EngineLayout['params'],
    paramFloats: p.total,
    grads: Object.fromEntries(
      PARAM_NAMES.map((name, i) => [name, { ...g.regions[i]!, parts: parts[name] }]),
    ) as EngineLayout['grads'],
    gradFloats: g.total,
    products,
  };
}
