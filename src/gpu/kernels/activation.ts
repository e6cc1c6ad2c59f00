// The activation f and its derivative, fused into the epilogues of the two products that produce
// their inputs: the forward one (z = x W1^T + b1, then h = f(z)) and the backward one
// (dh = dy W2, then dz = (dh + reg/B sign(h)) f'(z), the L1 term's gradient added on the way).
// Per element of B x k: forward reads b1 (cached), writes h and, for GeLU and SoLU, z (8 bytes);
// backward reads h (and z) and writes dz over z (8 to 12 bytes); ~20 FLOPs for GeLU.
import type { RunConfig } from '../../config/schema.js';
import { read, readWrite, type Binding } from '../pipelines.js';

type Activation = RunConfig['nonlinearity'];

/** exp to about 1 ulp: WGSL's own may err by 3 + 2|x| ulp (SwiftShader's by 1e-6, 8 ulp), which
 * LAMB's u = m / (sqrt v + 1e-6) amplifies where a gradient is small (SoLU's W2 came out 5 times
 * further from the reference than the CPU engine's). Cody-Waite: x = n ln 2 + r with ln 2 split in
 * two so that n ln2_hi is exact, |r| <= ln 2 / 2, e^r by its Taylor series to r^7 (error 5e-9). */
const EXP = `
fn expf(x: f32) -> f32 {
  if (x > 88.72) { return exp(x); }
  // Below -104 the result is 0 in f32; clamping keeps r finite when x is -inf (GeLU's -z^2 / 2 of a
  // huge z), where r = x - n ln 2 would be NaN.
  let y = max(x, -104.0);
  let n = round(y * 1.44269504);
  let r = (y - n * 0.693145752) - n * 1.42860677e-6;
  let p = 1.0 + r * (1.0 + r * (0.5 + r * (0.166666672 + r * (0.0416666679 + r * (0.00833333377
    + r * (0.00138888892 + r * 0.000198412701))))));
  return ldexp(p, i32(n));
}`;

/** erfc to a relative error below 1.2e-7 everywhere (Numerical Recipes' Chebyshev fit): WGSL has no
 * erf, and the exact GeLU needs Phi(z) = erfc(-z / sqrt 2) / 2. */
const ERFC = `
fn erfc(x: f32) -> f32 {
  let a = abs(x);
  let t = 1.0 / (1.0 + 0.5 * a);
  let p = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807
    + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  let r = t * expf(p - a * a);
  return select(2.0 - r, r, x >= 0.0);
}`;

/** WGSL `act(z)` and, except for ReLU (whose derivative is the mask h > 0), `actGrad(z)`. */
function activationWgsl(f: Activation): string {
  switch (f) {
    case 'ReLU':
      return 'fn act(z: f32) -> f32 { return max(z, 0.0); }';
    case 'GeLU':
      return `${EXP}${ERFC}
fn act(z: f32) -> f32 { return z * 0.5 * erfc(-z * ${Math.SQRT1_2}); }
fn actGrad(z: f32) -> f32 {
  return 0.5 * erfc(-z * ${Math.SQRT1_2}) + z * expf(-0.5 * z * z) * ${1 / Math.sqrt(2 * Math.PI)};
}`;
    case 'SoLU':
      return `${EXP}
fn act(z: f32) -> f32 { return z * expf(z); }
fn actGrad(z: f32) -> f32 { return expf(z) * (1.0 + z); }`;
  }
}

export interface Epilogue {
  bindings: Binding[];
  epilogue: string;
}

/** Sizes the epilogues index with: B samples and k neurons per run. */
interface Shape {
  B: number;
  k: number;
}

/** Forward: h = f(x W1^T + b1) into H, and z into ZD where the backward pass needs it. */
export function forwardEpilogue(f: Activation, { B, k }: Shape): Epilogue {
  const keepZ = f !== 'ReLU';
  return {
    bindings: [read('b1'), readWrite('H'), ...(keepZ ? [readWrite('ZD')] : [])],
    epilogue: `${activationWgsl(f)}
fn epilogue(run: u32, slice: u32, row: u32, col: u32, v: f32) -> f32 {
  let z = v + b1[run * ${k}u + col];
  let at = (run * ${B}u + row) * ${k}u + col;
  H[at] = act(z);
  ${keepZ ? 'ZD[at] = z;' : ''}
  return 0.0;
}`,
  };
}

/** Backward: dz = (dh + l1 sign(h)) f'(z) over z in ZD, with l1 = reg / B per run; returns dz for
 * the column sums that give b1's gradient. For ReLU, sign(h) and f'(z) are both the mask h > 0. */
export function backwardEpilogue(f: Activation, { B, k }: Shape): Epilogue {
  const dz = f === 'ReLU' ? 'select(0.0, v + l1[run], h > 0.0)' : '(v + l1[run] * sign(h)) * actGrad(ZD[at])';
  return {
    bindings: [read('H'), readWrite('ZD'), read('l1')],
    epilogue: `${f === 'ReLU' ? '' : activationWgsl(f)}
fn epilogue(run: u32, slice: u32, row: u32, col: u32, v: f32) -> f32 {
  let at = (run * ${B}u + row) * ${k}u + col;
  let h = H[at];
  let dz = ${dz};
  ZD[at] = dz;
  return dz;
}`,
  };
}
