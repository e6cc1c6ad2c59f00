import { describe, it, expect } from 'vitest';
import { orthonormalColumns, randomEmbedding } from '../../src/features/embedding.js';
import { Rng } from '../../src/features/rng.js';

/** Largest |(XᵀY)[a][b] - target(a, b)| for row-major N × m matrices X and Y. */
function gramError(
  x: Float64Array,
  y: Float64Array,
  N: number,
  m: number,
  target: (a: number, b: number) => number,
): number {
  let worst = 0;
  for (let a = 0; a < m; a++) {
    for (let b = 0; b < m; b++) {
      let s = 0;
      for (let i = 0; i < N; i++) s += x[i * m + a] * y[i * m + b];
      worst = Math.max(worst, Math.abs(s - target(a, b)));
    }
  }
  return worst;
}

describe('orthonormalColumns', () => {
  it.each([
    [512, 64],
    [8, 8],
    [5, 1],
  ])('gives N × m = %i × %i with UᵀU = I', (N, m) => {
    const u = orthonormalColumns(N, m, new Rng(1));
    expect(u.length).toBe(N * m);
    expect(gramError(u, u, N, m, (a, b) => (a === b ? 1 : 0))).toBeLessThan(1e-10);
  });

  it('is the Q of the Gaussian matrix with R = QᵀA upper triangular, positive diagonal', () => {
    const [N, m] = [40, 6];
    const u = orthonormalColumns(N, m, new Rng(2));
    const rng = new Rng(2); // the same draws, row by row, as orthonormalColumns makes
    const a = Float64Array.from({ length: N * m }, () => rng.normal());
    for (let r = 0; r < m; r++) {
      for (let c = 0; c < m; c++) {
        let s = 0;
        for (let i = 0; i < N; i++) s += u[i * m + r] * a[i * m + c];
        if (r > c) expect(Math.abs(s)).toBeLessThan(1e-10);
        if (r === c) expect(s).toBeGreaterThan(0);
      }
    }
  });

  it('needs N >= m', () => {
    expect(() => orthonormalColumns(4, 5, new Rng(0))).toThrow(Error);
  });
});

describe('randomEmbedding', () => {
  const [N, m] = [512, 64];

  it('is m × N with unit columns, each the normalised row of U', () => {
    const e = randomEmbedding(N, m, new Rng(3));
    const u = orthonormalColumns(N, m, new Rng(3));
    expect(e).toBeInstanceOf(Float32Array);
    expect(e.length).toBe(m * N);
    let worstNorm = 0;
    let worstDirection = 0;
    for (let j = 0; j < N; j++) {
      let norm2 = 0;
      let uNorm2 = 0;
      for (let i = 0; i < m; i++) {
        norm2 += e[i * N + j] ** 2;
        uNorm2 += u[j * m + i] ** 2;
      }
      worstNorm = Math.max(worstNorm, Math.abs(Math.sqrt(norm2) - 1));
      for (let i = 0; i < m; i++) {
        worstDirection = Math.max(worstDirection, Math.abs(e[i * N + j] - u[j * m + i] / Math.sqrt(uNorm2)));
      }
    }
    expect(worstNorm).toBeLessThan(1e-5);
    expect(worstDirection).toBeLessThan(1e-6);
  });

  it('is the same for the same seed and different for different seeds', () => {
    expect(randomEmbedding(N, m, new Rng(4))).toEqual(randomEmbedding(N, m, new Rng(4)));
    const a = randomEmbedding(N, m, new Rng(4));
    const b = randomEmbedding(N, m, new Rng(5));
    expect(a.some((x, i) => x !== b[i])).toBe(true);
  });
});
