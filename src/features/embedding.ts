// The fixed random embedding (SPEC.md, "Fixed random embedding"), by the QR route the spec allows:
// for a Gaussian matrix, Q with R's diagonal made positive is uniform over matrices with orthonormal
// columns, the same law as the reference's SVD factor U, and Householder QR is short and stable.

import type { Rng } from './rng.js';

/**
 * U (N × m, row-major float64, orthonormal columns): the Q factor of the thin QR of an N × m matrix
 * of standard normals (drawn row by row), with column signs making R's diagonal positive.
 */
export function orthonormalColumns(N: number, m: number, rng: Rng): Float64Array {
  if (!Number.isInteger(N) || !Number.isInteger(m) || m < 1) throw new RangeError(`bad sizes N=${N}, m=${m}`);
  if (N < m) throw new Error(`an embedding needs N >= m, got N=${N}, m=${m}`);
  const a = new Float64Array(N * m);
  for (let i = 0; i < a.length; i++) a[i] = rng.normal();

  // Reduce a to R column by column; reflector k (stored in vs[k], over rows k..N-1) is
  // I - 2 v vᵀ / (vᵀv), and sends a's column k to diag[k] e_k.
  const vs: Float64Array[] = [];
  const diag = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    const v = new Float64Array(N - k);
    let norm2 = 0;
    for (let i = k; i < N; i++) norm2 += (v[i - k] = a[i * m + k]) ** 2;
    // alpha's sign opposite to the pivot's avoids cancellation in v[0] = x[0] - alpha.
    const alpha = v[0] > 0 ? -Math.sqrt(norm2) : Math.sqrt(norm2);
    v[0] -= alpha;
    diag[k] = alpha;
    vs.push(v);
    reflect(a, N, m, k, v);
  }

  // Q = H_0 H_1 ... H_{m-1} applied to the first m columns of I, innermost first. H_k touches rows
  // >= k only, and columns < k are still e_c there, so only columns >= k need the work.
  const q = new Float64Array(N * m);
  for (let c = 0; c < m; c++) q[c * m + c] = 1;
  for (let k = m - 1; k >= 0; k--) reflect(q, N, m, k, vs[k]);

  for (let k = 0; k < m; k++) {
    if (diag[k] < 0) for (let i = 0; i < N; i++) q[i * m + k] = -q[i * m + k];
  }
  return q;
}

/** Applies I - 2 v vᵀ / (vᵀv) (acting on rows k..N-1) to columns k..m-1 of the N × m matrix x. */
function reflect(x: Float64Array, N: number, m: number, k: number, v: Float64Array): void {
  let vv = 0;
  for (let i = 0; i < v.length; i++) vv += v[i] * v[i];
  if (vv === 0) return; // a zero column (probability 0 for Gaussian input): nothing to reflect
  for (let c = k; c < m; c++) {
    let s = 0;
    for (let i = k; i < N; i++) s += v[i - k] * x[i * m + c];
    s *= 2 / vv;
    for (let i = k; i < N; i++) x[i * m + c] -= s * v[i - k];
  }
}

/** E (m × N, row-major float32): E = Uᵀ with every row of U scaled to unit length, so column j of E is feature j's unit embedding vector. */
export function randomEmbedding(N: number, m: number, rng: Rng): Float32Array {
  const u = orthonormalColumns(N, m, rng);
  const e = new Float32Array(m * N);
  for (let j = 0; j < N; j++) {
    let norm2 = 0;
    for (let i = 0; i < m; i++) norm2 += u[j * m + i] ** 2;
    const scale = 1 / Math.sqrt(norm2);
    for (let i = 0; i < m; i++) e[i * N + j] = u[j * m + i] * scale;
  }
  return e;
}
