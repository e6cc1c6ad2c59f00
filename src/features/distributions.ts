// Per-feature activation probabilities (SPEC.md, "Features").

export type SampleKind = 'equal' | 'power_law';

/**
 * p_j for j = 1..N (index j - 1). `equal`: p_j = eps. `power_law`: p_j = c * j^-1.1 with c such that
 * sum p_j = N * eps, then each clipped to 1 — after scaling and without renormalising, as the
 * paper's code does, so with clipping the sum falls below N * eps.
 */
export function featureProbabilities(N: number, eps: number, kind: SampleKind): Float64Array {
  if (!Number.isInteger(N) || N < 1) throw new RangeError(`N must be a positive integer, got ${N}`);
  if (!(eps > 0 && eps <= 1)) throw new RangeError(`eps must be in (0, 1], got ${eps}`);
  const p = new Float64Array(N);
  if (kind === 'equal') return p.fill(eps);
  let sum = 0;
  for (let j = 0; j < N; j++) sum += p[j] = (j + 1) ** -1.1;
  const c = (N * eps) / sum;
  for (let j = 0; j < N; j++) p[j] = Math.min(1, c * p[j]);
  return p;
}
