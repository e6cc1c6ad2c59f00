// Row-major float32 matrices with their dimensions, as the analysis API returns them.

/** A row-major matrix: entry (r, c) is `data[r * cols + c]`. */
export interface Matrix {
  rows: number;
  cols: number;
  data: Float32Array;
}

export function matrix(rows: number, cols: number, data: Float32Array = new Float32Array(rows * cols)): Matrix {
  if (data.length !== rows * cols)
    throw new RangeError(`a ${rows} x ${cols} matrix needs ${rows * cols} values, got ${data.length}`);
  return { rows, cols, data };
}

/** Entry (r, c). */
export const at = (a: Matrix, r: number, c: number): number => a.data[r * a.cols + c]!;

/** Row r as a view (no copy). */
export const row = (a: Matrix, r: number): Float32Array => a.data.subarray(r * a.cols, (r + 1) * a.cols);

/** Column c as a new array. */
export function column(a: Matrix, c: number): Float32Array {
  const out = new Float32Array(a.rows);
  for (let r = 0; r < a.rows; r++) out[r] = a.data[r * a.cols + c]!;
  return out;
}

/**
 * A new matrix whose row i is `a`'s row `rows[i]` and whose column j is `a`'s column `cols[j]`;
 * either order may be left out (kept as is) or be shorter than the dimension (a crop, as the
 * paper's heat maps crop to 1024 neurons x 512 features).
 */
export function reorder(a: Matrix, rows?: ArrayLike<number>, cols?: ArrayLike<number>): Matrix {
  const nr = rows ? rows.length : a.rows;
  const nc = cols ? cols.length : a.cols;
  const out = new Float32Array(nr * nc);
  for (let i = 0; i < nr; i++) {
    const src = (rows ? rows[i]! : i) * a.cols;
    if (!cols) out.set(a.data.subarray(src, src + a.cols), i * nc);
    else for (let j = 0; j < nc; j++) out[i * nc + j] = a.data[src + cols[j]!]!;
  }
  return { rows: nr, cols: nc, data: out };
}
