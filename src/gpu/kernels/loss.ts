// The data loss and its gradient, on the GPU. The epilogue of the output product y = h W2^T
// forms r = y - target per element, writes dy = 2 r / B and sums r^2 over its tile; at the end of a
// chunk one kernel adds each step's and run's tile sums and divides by B, so the chunk's K x R
// losses come back in one readback. WGSL has no float atomics, hence the two passes.
// Targets (SPEC.md, Tasks): the decoder's v and the abs task's |v| come from the sample's list of
// active features (ascending, so the search stops at the first index >= the column); the
// re-projector's F v is dense, made with x by the first layer.
// Per element of B x out: one write of dy, the target search reads ~N eps list entries from cache;
// 4 FLOPs. The reduction: K R tiles floats read, K R written.
import { f32, read, readWrite, treeSum, type Kernel } from '../pipelines.js';
import type { Epilogue } from './activation.js';

export interface LossShape {
  runs: number;
  B: number;
  out: number;
  /** List slots per sample. */
  capacity: number;
  /** Tiles of y per run and step: the loss's partial sums. */
  tiles: number;
  /** Tiles of y along its columns. */
  tilesX: number;
}

/** The residual epilogue for `task`; it returns r^2 for the tile's sum, stored per step, run and tile. */
export function residualEpilogue(task: 'decoder' | 'abs' | 're-projector', s: LossShape): Epilogue & { store: string } {
  const { runs, B, out, capacity } = s;
  const dense = task === 're-projector';
  const target = dense
    ? `fn targetAt(run: u32, row: u32, col: u32) -> f32 { return TG[(run * ${B}u + row) * ${out}u + col]; }`
    : `fn targetAt(run: u32, row: u32, col: u32) -> f32 {
  let s = (step.j * ${runs}u + run) * ${B}u + row;
  let n = min(count[s], ${capacity}u);
  for (var c = 0u; c < n; c++) {
    let f = index[s * ${capacity}u + c];
    if (f >= col) {
      let v = value[s * ${capacity}u + c];
      if (f == col) { return ${task === 'abs' ? 'abs(v)' : 'v'}; }
      break;
    }
  }
  return 0.0;
}`;
  return {
    bindings: [
      readWrite('DY'),
      readWrite('lossPart'),
      ...(dense ? [read('TG')] : [read('count', 'array<u32>'), read('index', 'array<u32>'), read('value')]),
    ],
    epilogue: `${target}
fn epilogue(run: u32, slice: u32, row: u32, col: u32, v: f32) -> f32 {
  let r = v - targetAt(run, row, col);
  DY[(run * ${B}u + row) * ${out}u + col] = r * ${f32(2 / B)};
  return r * r;
}`,
    store: `lossPart[(step.j * ${runs}u + run) * ${s.tiles}u + wg.y * ${s.tilesX}u + wg.x] = total;`,
  };
}

/** losses[j R + r] = (sum of step j's tile sums of run r) / B: one workgroup per step and run
 * (dispatch K R workgroups). */
export function lossReduceKernel({ B, tiles }: LossShape): Kernel {
  return {
    bindings: [read('lossPart'), readWrite('losses')],
    step: false,
    code: `
var<workgroup> red: array<f32, 256>;
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  var s = 0.0;
  for (var t = li; t < ${tiles}u; t += 256u) { s += lossPart[wg.x * ${tiles}u + t]; }
  red[li] = s;
  ${treeSum(256)}
  if (li == 0u) { losses[wg.x] = red[0] / ${B}.0; }
}`,
  };
}
