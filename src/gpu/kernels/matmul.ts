// Tiled SGEMM for every run at once (workgroup z = run x K-slice): C (M x N) = A (M x K) B (K x N),
// each operand read in place from either layout, so the engine's five products need no transposes:
//   z = x W1^T (B x k, K = m)      y = h W2^T (B x out, K = k)     dh = dy W2 (B x k, K = out)
//   dW2 = dy^T h (out x k, K = B)  dW1 = dz^T x (k x m, K = B)
// A workgroup of TY x TX threads computes a TM x TN tile of C through TK-deep slabs of A and B held
// in workgroup memory; each thread keeps an RM x RN block (RM = TM / TY, RN = TN / TX, 4 or 8) in
// registers, as vec4s of 4 columns, and reads the slabs as vec4s. A thread's rows are 4-row groups
// 4 TY apart and its columns 4-column groups 4 TX apart, so neighbouring threads read neighbouring
// vec4s of the slabs (no bank conflicts) and write neighbouring 16-byte runs of C. Global loads are vec4
// when the operand's contiguous axis is a multiple of 4 long, else scalar (the tests' odd sizes).
// The products over the batch (dW2, dW1) have few output tiles, so K is split into slices, each
// writing its own partial C; the optimiser sums the slices as it reads the gradient.
//
// Roofline per call and run: 2 M N K FLOPs; global reads M K (N / TN) + K N (M / TM) floats, writes
// M N floats (times the slices), plus what the epilogue reads and writes per element.
import { read, treeSum, type Binding, type Kernel } from '../pipelines.js';

/** A TM x TN tile of C per workgroup, RM x RN of it per thread, slabs TK deep. */
export interface Tile {
  TM: number;
  TN: number;
  TK: number;
  RM: number;
  RN: number;
}

/** One operand in memory: its element (i, kk), i along M (for A) or N (for B) and kk along K, of
 * run r lies at r * runStride + (kContiguous ? i * ld + kk : kk * ld + i). */
export interface Operand {
  name: string;
  kContiguous: boolean;
  ld: number;
  runStride: number;
}

/** What the epilogue's per-element results add up to, and the statement that stores the total
 * (it sees `total`, `run`, `wg`, and for columns `gcol`, the column of C). */
export type Reduction = { kind: 'none' } | { kind: 'sum' | 'columns'; store: string };

export interface Gemm {
  M: number;
  N: number;
  K: number;
  runs: number;
  a: Operand;
  b: Operand;
  tile: Tile;
  /** K-slices (split-K) and the length of each but the last (a multiple of TK). */
  slices: number;
  sliceLength: number;
  /** Bindings the epilogue reads or writes besides A and B. */
  bindings: Binding[];
  /** WGSL declaring `fn epilogue(run: u32, slice: u32, row: u32, col: u32, v: f32) -> f32`, called
   * once for every element of C in range with its value v. */
  epilogue: string;
  reduce: Reduction;
  /** Whether the epilogue reads the step uniform. */
  step: boolean;
}

/** Per dimension: 128-wide tiles with 8 per thread where the dimension fills them, 64 with 4, or
 * 32 with 4 for small ones (a workgroup of 64 threads: the tests' shapes). Slabs are 8 deep, so
 * workgroup memory stays at most 8 KiB (and its zero-initialisation cheap). */
export function tileFor(M: number, N: number): Tile {
  const side = (d: number) => (d >= 128 ? [128, 8] : d >= 64 ? [64, 4] : [32, 4]);
  const [TM, RM] = side(M);
  const [TN, RN] = side(N);
  return { TM: TM!, TN: TN!, TK: 8, RM: RM!, RN: RN! };
}

/** Splits K so that a product with few tiles still fills the GPU (about 512 workgroups a run), with
 * slices of at least 128. Not by the number of runs: a run's sums must not depend on its group. */
export function slicesFor(M: number, N: number, K: number, tile: Tile): { slices: number; sliceLength: number } {
  const tiles = Math.ceil(M / tile.TM) * Math.ceil(N / tile.TN);
  const want = Math.max(1, Math.min(Math.ceil(K / 128), Math.ceil(512 / tiles)));
  const sliceLength = Math.ceil(K / want / tile.TK) * tile.TK;
  return { slices: Math.ceil(K / sliceLength), sliceLength };
}

export function gemmGrid(g: Gemm): [number, number, number] {
  return [Math.ceil(g.N / g.tile.TN), Math.ceil(g.M / g.tile.TM), g.runs * g.slices];
}

/** Whether an operand is read as vec4s: its contiguous axis (K, or the tile's axis of extent D)
 * and its run stride are multiples of 4. */
function isVec4(o: Operand, K: number, D: number): boolean {
  return (o.kContiguous ? K : D) % 4 === 0 && o.ld % 4 === 0 && o.runStride % 4 === 0;
}

/** Threads along M and N, and in all. */
const threads = (t: Tile) => ({ TY: t.TM / t.RM, TX: t.TN / t.RN, WG: (t.TM / t.RM) * (t.TN / t.RN) });

/** WGSL that loads a TK x T slab of operand `o` (rows from `base`, extent D) into S[kk][i], WG
 * threads sharing the loads. */
function loader(o: Operand, S: string, T: number, t: Tile, D: number, vec4: boolean, base: string): string {
  const { TK } = t;
  const { WG } = threads(t);
  const at = (i: string, kk: string) => (o.kContiguous ? `${i} * ${o.ld}u + ${kk}` : `${kk} * ${o.ld}u + ${i}`);
  const off = `run * ${o.runStride}u`;
  const inRange = `gi < ${D}u && gk < kEnd`;
  if (vec4 && o.kContiguous) {
    return `for (var e = li; e < ${(T * TK) / 4}u; e += ${WG}u) {
      let i = e / ${TK / 4}u; let kq = (e % ${TK / 4}u) * 4u; let gi = ${base} + i; let gk = k0 + kq;
      var x = vec4<f32>();
      if (${inRange}) { x = ${o.name}[(${off} + ${at('gi', 'gk')}) / 4u]; }
      for (var c = 0u; c < 4u; c++) { ${S}[(kq + c) * ${T / 4}u + i / 4u][i % 4u] = x[c]; }
    }`;
  }
  if (vec4) {
    return `for (var e = li; e < ${(T * TK) / 4}u; e += ${WG}u) {
      let kk = e / ${T / 4}u; let iq = e % ${T / 4}u; let gi = ${base} + iq * 4u; let gk = k0 + kk;
      var x = vec4<f32>();
      if (${inRange}) { x = ${o.name}[(${off} + ${at('gi', 'gk')}) / 4u]; }
      ${S}[kk * ${T / 4}u + iq] = x;
    }`;
  }
  const [i, kk] = o.kContiguous ? [`e / ${TK}u`, `e % ${TK}u`] : [`e % ${T}u`, `e / ${T}u`];
  return `for (var e = li; e < ${T * TK}u; e += ${WG}u) {
      let i = ${i}; let kk = ${kk}; let gi = ${base} + i; let gk = k0 + kk;
      var x = 0.0;
      if (${inRange}) { x = ${o.name}[${off} + ${at('gi', 'gk')}]; }
      ${S}[kk * ${T / 4}u + i / 4u][i % 4u] = x;
    }`;
}

/** The multiply-adds of one kk (a loop variable): RM rows of A as RM / 4 vec4s, RN / 4 vec4s of B,
 * unrolled so that the accumulators are indexed by constants. */
function slabStep(t: Tile): string {
  const { TX, TY } = threads(t);
  const RN4 = t.RN / 4;
  const lines: string[] = [];
  for (let p = 0; p < t.RM / 4; p++) lines.push(`let a${p} = As[kk * ${t.TM / 4}u + ${p * TY}u + ty];`);
  for (let q = 0; q < RN4; q++) lines.push(`let b${q} = Bs[kk * ${t.TN / 4}u + ${q * TX}u + tx];`);
  for (let p = 0; p < t.RM / 4; p++)
    for (let r = 0; r < 4; r++)
      for (let q = 0; q < RN4; q++) lines.push(`acc[${(p * 4 + r) * RN4 + q}] += a${p}[${r}] * b${q};`);
  return lines.join('\n      ');
}

/** The epilogue over the thread's block: unrolled over its 4-column groups, so that the
 * accumulators are indexed by constants, and a loop over each group's 4 columns (a vector
 * component), which keeps the code (and SwiftShader's compile time) 4 times smaller. */
function epilogueCalls(g: Gemm): string {
  const t = g.tile;
  const { TX, TY } = threads(t);
  const RN4 = t.RN / 4;
  const lines: string[] = [];
  for (let p = 0; p < t.RM / 4; p++) {
    for (let r = 0; r < 4; r++) {
      lines.push(`{ let row = row0 + ${p * 4 * TY + r}u + ty * 4u; if (row < ${g.M}u) {`);
      for (let q = 0; q < RN4; q++) {
        const call = `epilogue(run, slice, row, col, acc[${(p * 4 + r) * RN4 + q}][c])`;
        const use =
          g.reduce.kind === 'sum'
            ? `total += ${call};`
            : g.reduce.kind === 'columns'
              ? `cs[${q}][c] += ${call};`
              : `_ = ${call};`;
        lines.push(
          `for (var c = 0u; c < 4u; c++) {
      let col = col0 + ${q * 4 * TX}u + tx * 4u + c;
      if (col < ${g.N}u) { ${use} }
    }`,
        );
      }
      lines.push('} }');
    }
  }
  return lines.join('\n    ');
}

/** Workgroup sum of each thread's `total`, or of each column's `cs` over the TY thread rows. */
function reduction(g: Gemm): { decl: string; init: string; code: string } {
  const { TN, RN } = g.tile;
  const { TX, TY, WG } = threads(g.tile);
  const r = g.reduce;
  if (r.kind === 'sum') {
    return {
      decl: `var<workgroup> red: array<f32, ${WG}>;`,
      init: 'var total = 0.0;',
      code: `red[li] = total;
  ${treeSum(WG)}
  if (li == 0u) { let total = red[0]; ${r.store} }`,
    };
  }
  if (r.kind === 'columns') {
    return {
      decl: `var<workgroup> red: array<f32, ${TY * TN}>;`,
      init: `var cs: array<vec4<f32>, ${RN / 4}>;`,
      code: `for (var q = 0u; q < ${RN / 4}u; q++) {
    for (var c = 0u; c < 4u; c++) { red[ty * ${TN}u + q * ${4 * TX}u + tx * 4u + c] = cs[q][c]; }
  }
  workgroupBarrier();
  for (var col = li; col < ${TN}u; col += ${WG}u) {
    var total = 0.0;
    for (var y = 0u; y < ${TY}u; y++) { total += red[y * ${TN}u + col]; }
    let gcol = col0 + col;
    if (gcol < ${g.N}u) { ${r.store} }
  }`,
    };
  }
  return { decl: '', init: '', code: '' };
}

export function gemmKernel(g: Gemm): Kernel {
  const t = g.tile;
  const { TM, TN, TK } = t;
  const { TX, WG } = threads(t);
  const aVec = isVec4(g.a, g.K, g.M);
  const bVec = isVec4(g.b, g.K, g.N);
  const red = reduction(g);
  const code = `
var<workgroup> As: array<vec4<f32>, ${(TK * TM) / 4}>;
var<workgroup> Bs: array<vec4<f32>, ${(TK * TN) / 4}>;
${red.decl}
${g.epilogue}

@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let run = wg.z / ${g.slices}u;
  let slice = wg.z % ${g.slices}u;
  let row0 = wg.y * ${TM}u;
  let col0 = wg.x * ${TN}u;
  let tx = li % ${TX}u;
  let ty = li / ${TX}u;
  var acc: array<vec4<f32>, ${(t.RM * t.RN) / 4}>;
  let kBegin = slice * ${g.sliceLength}u;
  let kEnd = min(${g.K}u, kBegin + ${g.sliceLength}u);
  for (var k0 = kBegin; k0 < kEnd; k0 += ${TK}u) {
    ${loader(g.a, 'As', TM, t, g.M, aVec, 'row0')}
    ${loader(g.b, 'Bs', TN, t, g.N, bVec, 'col0')}
    workgroupBarrier();
    for (var kk = 0u; kk < ${TK}u; kk++) {
      ${slabStep(t)}
    }
    workgroupBarrier();
  }
  ${red.init}
  ${epilogueCalls(g)}
  ${red.code}
}`;
  const operand = (o: Operand, vec4: boolean) => read(o.name, vec4 ? 'array<vec4<f32>>' : 'array<f32>');
  return { bindings: [operand(g.a, aVec), operand(g.b, bVec), ...g.bindings], step: g.step, code };
}
