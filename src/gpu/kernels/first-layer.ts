// The first layer's input x = E v from the sample lists: a sum of the active columns of E (N eps of
// N, ~8 of 512 at the paper's sizes), and for the re-projector its target F v the same way. E and F
// are held transposed (N x m per run), so a feature's column is m contiguous floats.
// Per call and run: B m threads, each 2 nnz FLOPs (twice for F) and nnz list reads (cached across
// the m threads of a sample); writes B m floats (twice for F); E is N m floats, cache-resident.
import { flatGrid, read, readWrite, type Kernel } from '../pipelines.js';

export interface FirstLayerShape {
  runs: number;
  B: number;
  N: number;
  m: number;
  capacity: number;
  /** The re-projector: also the target F v into TG. */
  reproject: boolean;
}

export function firstLayerKernel({ runs, B, N, m, capacity, reproject }: FirstLayerShape): Kernel {
  const F = (then: string) => (reproject ? then : '');
  return {
    bindings: [
      read('count', 'array<u32>'),
      read('index', 'array<u32>'),
      read('value'),
      read('ET'),
      readWrite('X'),
      ...(reproject ? [read('FT'), readWrite('TG')] : []),
    ],
    step: true,
    code: `
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
  let g = (wg.y * nwg.x + wg.x) * 256u + li;
  if (g >= ${B * m}u) { return; }
  let run = wg.z;
  let b = g / ${m}u;
  let i = g % ${m}u;
  let s = (step.j * ${runs}u + run) * ${B}u + b;
  let n = min(count[s], ${capacity}u);
  var x = 0.0;
  ${F('var t = 0.0;')}
  for (var c = 0u; c < n; c++) {
    let at = (run * ${N}u + index[s * ${capacity}u + c]) * ${m}u + i;
    let v = value[s * ${capacity}u + c];
    x += ET[at] * v;
    ${F('t += FT[at] * v;')}
  }
  X[(run * ${B}u + b) * ${m}u + i] = x;
  ${F(`TG[(run * ${B}u + b) * ${m}u + i] = t;`)}
}`,
  };
}

export function firstLayerGrid({ runs, B, m }: FirstLayerShape): [number, number, number] {
  return [...flatGrid(B * m, 256), runs];
}
